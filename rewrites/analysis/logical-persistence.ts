// Logical persistence (TR A.2.1): a relation is logically persisted when each of its facts in one
// tick is sure to hold in the next. A relation with a plain persistence rule (explicit, or
// `.persist`/`.durable`) is; so is one whose every deriving rule is monotone (no negation,
// aggregate or `index()`) and reads only logically persisted relations and statics. That
// definition is recursive, so this computes its greatest fixpoint: a recursive relation such as
// `path` over a persisted `edge` is logically persisted.
//
// Choices where the report is vague:
// * A garbage-collected persistence rule (`r :+ r, !gc(..)`) does not make `r` logically
//   persisted, since it may forget facts; but it does not prevent it either: it only carries
//   facts `r` already had, so if the other rules of `r` re-derive every fact anyway, `r` still is.
// * Relations of kind input, async or timer take facts from outside that last one tick, so they
//   are logically persisted only when plainly persisted (or assumed so by the caller).
// * `:~` rules derive facts on other nodes: they are not rules of the relation's local state.
// * Statics are the EDB: readable as persisted, but never in the returned set.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Rule } from '../../compiler/parse/ast.js';
import { declaredPersistent, isGcPersistence, isPlainPersistence } from './persistence-rule.js';
import { isEdb, type RuleSet } from './rule-set.js';

/** Logically persisted relations of one role, on its own (its inputs last one tick). */
export function logicallyPersisted(analysis: Analysis, role: string): Set<string> {
  const info = analysis.roles.find((r) => r.name === role);
  if (!info) throw new Error(`no role \`${role}\``);
  return persistedWithin(analysis, info.rules, new Set());
}

/**
 * Logically persisted relations among those the rules mention, when the relations in `assumed`
 * are persisted too (the monotonic rewrite persists a component's inputs).
 */
export function persistedWithin(analysis: Analysis, rules: RuleSet, assumed: ReadonlySet<string>): Set<string> {
  const local = rules.filter((id) => analysis.rules[id]!.rule.op !== ':~');
  const mentioned = new Set<string>();
  for (const id of rules) {
    const { rule } = analysis.rules[id]!;
    if (rule.op !== ':~') mentioned.add(rule.head.name);
    for (const lit of rule.body) {
      if (lit.kind === 'atom') mentioned.add(lit.name);
      else if (lit.kind === 'negation') mentioned.add(lit.atom.name);
    }
  }
  const fixed = new Set<string>();
  for (const r of mentioned) {
    if (isEdb(analysis, r)) continue;
    if (assumed.has(r) || declaredPersistent(analysis, r)) fixed.add(r);
  }
  for (const id of local) if (isPlainPersistence(analysis, id)) fixed.add(analysis.rules[id]!.rule.head.name);

  const set = new Set(fixed);
  for (const id of local) {
    const head = analysis.rules[id]!.rule.head.name;
    const kind = analysis.relations.get(head)?.kind;
    if (kind === 'local' || kind === 'output') set.add(head);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of [...set]) {
      if (fixed.has(r)) continue;
      const broken = local.some((id) => {
        const { rule } = analysis.rules[id]!;
        if (rule.head.name !== r || isGcPersistence(analysis, id)) return false;
        return !isMonotoneRule(rule) || rule.body.some((l) => l.kind === 'atom' && !isEdb(analysis, l.name) && !set.has(l.name));
      });
      if (broken) {
        set.delete(r);
        changed = true;
      }
    }
  }
  return set;
}

/** No negation, no aggregate and no `index()`. */
export function isMonotoneRule(rule: Rule): boolean {
  return !rule.body.some((l) => l.kind === 'negation') && !rule.head.args.some((a) => a.kind === 'aggregate' || a.kind === 'index');
}
