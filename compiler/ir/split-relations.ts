// Splitting a derived relation whose rules are partly monotone: `decided(c, tx)` derived both
// from stored `committing` (monotone over kept relations) and from this tick's `commitNow`.
// As one relation it must be rebuilt from every stored fact each tick; split, its monotone part
// `decided__kept` is kept and extended incrementally, and only the per-tick part is rebuilt.
// Every rule reading the relation reads both parts: a positive atom becomes one rule copy per
// part, a negated atom negates both. Splitting repeats while it makes more relations kept.

import type { Analysis, RoleInfo } from '../analyze/analysis.js';
import type { Atom, BodyLiteral, Rule } from '../parse/ast.js';
import { monotoneOver, storageClasses } from './storage.js';

/** A rule as the node evaluates it: the source rule (for its text, label and types) and its
 * physical form, whose atoms may name the kept part of a split relation. */
export interface PhysicalRule {
  readonly id: number;
  readonly rule: Rule;
}

export interface SplitResult {
  /** Per source rule id, its physical copies (one, unless it reads split relations). */
  readonly rules: ReadonlyMap<number, readonly PhysicalRule[]>;
  /** Split relation → the name of its kept part. */
  readonly kept: ReadonlyMap<string, string>;
}

/** More copies than this per rule and the relation is left whole. */
const MAX_COPIES = 8;

export function splitRelations(analysis: Analysis, role: RoleInfo, names: readonly string[]): SplitResult {
  let rules: PhysicalRule[] = role.rules.map((id) => ({ id, rule: analysis.rules[id]!.rule }));
  const kept = new Map<string, string>();
  const refused = new Set<string>();
  const taken = new Set(analysis.relations.keys());
  for (;;) {
    const all = [...names, ...kept.values()];
    const classes = storageClasses(analysis, rules.map((r) => r.rule), all);
    const isKept = (n: string) => ['static', 'stored', 'cached'].includes(classes.get(n)!);
    const isStatic = (n: string) => classes.get(n) === 'static';
    const candidate = all.find((name) => {
      if (classes.get(name) !== 'transient' || kept.has(name) || refused.has(name)) return false;
      if (analysis.relations.get(name)?.kind === 'output') return false;
      // An aggregate or index() must see both parts in one evaluation; a copy per part would
      // fold (or number) each part on its own.
      if (rules.some((r) => r.rule.head.args.some((a) => a.kind === 'aggregate' || a.kind === 'index') && r.rule.body.some((l) => l.kind === 'atom' && l.name === name))) return false;
      const deriving = rules.filter((r) => r.rule.head.name === name && r.rule.op === ':-');
      const monotone = deriving.filter((r) => monotoneOver(r.rule, isKept, isStatic));
      return monotone.length > 0 && monotone.length < deriving.length;
    });
    if (!candidate) break;
    let part = `${candidate}__kept`;
    while (taken.has(part)) part += '_';
    const next: PhysicalRule[] = [];
    let tooMany = false;
    for (const r of rules) {
      const head = r.rule.head.name === candidate && r.rule.op === ':-' && monotoneOver(r.rule, isKept, isStatic) ? part : r.rule.head.name;
      const copies = expand(r.rule, candidate, part).map((rule) => ({ id: r.id, rule: head === rule.head.name ? rule : { ...rule, head: { ...rule.head, name: head } } }));
      if (copies.length > MAX_COPIES) tooMany = true;
      next.push(...copies);
    }
    if (tooMany) {
      refused.add(candidate);
      continue;
    }
    taken.add(part);
    kept.set(candidate, part);
    rules = next;
  }
  const byId = new Map<number, PhysicalRule[]>();
  for (const r of rules) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return { rules: byId, kept };
}

/** The copies of a rule that read both parts of `name`: each positive atom over it reads one
 * part per copy; each negated atom over it becomes two negations. */
function expand(rule: Rule, name: string, part: string): Rule[] {
  let bodies: BodyLiteral[][] = [[]];
  for (const lit of rule.body) {
    if (lit.kind === 'atom' && lit.name === name) {
      const other: Atom = { ...lit, name: part };
      bodies = bodies.flatMap((b) => [
        [...b, lit],
        [...b, other],
      ]);
    } else if (lit.kind === 'negation' && lit.atom.name === name) {
      bodies = bodies.map((b) => [...b, lit, { ...lit, atom: { ...lit.atom, name: part } }]);
    } else bodies = bodies.map((b) => [...b, lit]);
  }
  if (bodies.length === 1 && bodies[0]!.length === rule.body.length && bodies[0]!.every((l, i) => l === rule.body[i])) return [rule];
  return bodies.map((body) => ({ ...rule, body }));
}
