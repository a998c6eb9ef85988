// Persistence rules (paper §2.3): `r(x1, ..., xn) :+ r(x1, ..., xn)` carries every fact of `r` to
// the next tick. Its garbage-collecting form (TR A.2.1) adds negations and predicates that only
// forget facts: `r(x..) :+ r(x..), !gc(..)`. `.persist r` and `.durable r` stand for the plain
// rule, which is implicit: it is not in `Analysis.rules`, and belongs to the role holding `r`.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Negation, Predicate } from '../../compiler/parse/ast.js';

export interface PersistenceRule {
  readonly relation: string;
  /** The garbage-collection conditions; empty for the plain persistence rule. */
  readonly gc: readonly (Negation | Predicate)[];
}

/**
 * The rule as a persistence rule, if it is one: a `:+` rule whose head arguments are distinct
 * variables, whose only positive atom is the head relation with the same variables in the same
 * order, and whose other literals are negations or predicates.
 */
export function persistenceRule(analysis: Analysis, ruleId: number): PersistenceRule | undefined {
  const { rule } = analysis.rules[ruleId]!;
  if (rule.op !== ':+') return undefined;
  const vars: string[] = [];
  for (const arg of rule.head.args) {
    if (arg.kind !== 'var' || vars.includes(arg.name)) return undefined;
    vars.push(arg.name);
  }
  const atoms = rule.body.filter((l) => l.kind === 'atom');
  if (atoms.length !== 1) return undefined;
  const atom = atoms[0]!;
  if (atom.name !== rule.head.name || atom.args.length !== vars.length) return undefined;
  if (!atom.args.every((t, i) => t.kind === 'var' && t.name === vars[i])) return undefined;
  const gc: (Negation | Predicate)[] = [];
  for (const lit of rule.body) {
    if (lit.kind === 'negation' || lit.kind === 'predicate') gc.push(lit);
    else if (lit.kind === 'lessThan') return undefined;
  }
  return { relation: rule.head.name, gc };
}

/** `r(x..) :+ r(x..)` exactly, with no garbage collection. */
export function isPlainPersistence(analysis: Analysis, ruleId: number): boolean {
  return persistenceRule(analysis, ruleId)?.gc.length === 0;
}

/** A persistence rule with at least one garbage-collection condition. */
export function isGcPersistence(analysis: Analysis, ruleId: number): boolean {
  return (persistenceRule(analysis, ruleId)?.gc.length ?? 0) > 0;
}

/** Declared `.persist` or `.durable`: the implicit plain persistence rule. */
export function declaredPersistent(analysis: Analysis, relation: string): boolean {
  const p = analysis.relations.get(relation)?.persistence;
  return p === 'persist' || p === 'durable';
}
