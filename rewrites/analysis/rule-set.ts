// Rule sets (the paper's components, §2.4): a set of rules of one role, with the relations it
// references, its inputs and its outputs. Static relations are the EDB: available on every node
// in every tick, they are never references. Built-in functions are not relations at all.

import type { Analysis, RoleInfo } from '../../compiler/analyze/analysis.js';
import { compareStrings } from '../../compiler/values/value.js';

/** Rule ids (indexes into `Analysis.rules`), all of one role, ascending. */
export type RuleSet = readonly number[];

export interface RuleSetIO {
  /** IDB relations read (positively or negated) by some rule of the set. */
  readonly references: readonly string[];
  /** Relations in the head of some rule of the set. */
  readonly heads: readonly string[];
  /** References that no rule of the set derives. */
  readonly inputs: readonly string[];
  /** Heads that no rule of the set references. */
  readonly outputs: readonly string[];
}

/** Whether a relation is part of the EDB (the same facts on every node, every tick). */
export function isEdb(analysis: Analysis, relation: string): boolean {
  return analysis.relations.get(relation)?.kind === 'static';
}

/** Body relations of one rule that are IDB, positive and negated, in order, without repeats. */
export function ruleReferences(analysis: Analysis, ruleId: number): string[] {
  const out: string[] = [];
  for (const lit of analysis.rules[ruleId]!.rule.body) {
    const name = lit.kind === 'atom' ? lit.name : lit.kind === 'negation' ? lit.atom.name : undefined;
    if (name !== undefined && !isEdb(analysis, name) && !out.includes(name)) out.push(name);
  }
  return out;
}

export function ruleSetIO(analysis: Analysis, rules: RuleSet): RuleSetIO {
  const references = new Set<string>();
  const heads = new Set<string>();
  for (const id of rules) {
    for (const r of ruleReferences(analysis, id)) references.add(r);
    heads.add(analysis.rules[id]!.rule.head.name);
  }
  const sorted = (s: Iterable<string>) => [...s].sort(compareStrings);
  return {
    references: sorted(references),
    heads: sorted(heads),
    inputs: sorted([...references].filter((r) => !heads.has(r))),
    outputs: sorted([...heads].filter((h) => !references.has(h))),
  };
}

/**
 * The relations a role keeps or receives: those its rules derive locally or read, statics and
 * timers aside (the relations a partitioning distributes), sorted.
 */
export function roleRelations(analysis: Analysis, role: RoleInfo): string[] {
  const out = new Set<string>();
  for (const id of role.rules) {
    const { rule } = analysis.rules[id]!;
    for (const r of [...ruleReferences(analysis, id), ...(rule.op !== ':~' ? [rule.head.name] : [])]) {
      const kind = analysis.relations.get(r)?.kind;
      if (kind && kind !== 'static' && kind !== 'timer') out.add(r);
    }
  }
  return [...out].sort(compareStrings);
}
