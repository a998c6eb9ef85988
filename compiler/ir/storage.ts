// How each relation of a role is stored across ticks (StorageClass), and which rules may run
// incrementally. A derived relation is `cached` (kept, extended incrementally) when every rule
// deriving it is monotone over kept relations: positive atoms over static, stored or cached
// relations, negation over statics only, no aggregate and no index(). Then its facts only
// grow from tick to tick, so keeping them gives the same fixpoint as recomputing them.

import type { Analysis, RoleInfo } from '../analyze/analysis.js';
import type { Rule } from '../parse/ast.js';
import type { Evaluation, SizeClass, StorageClass } from './plan.js';

const externalKinds = new Set(['input', 'async', 'timer']);

export function isExternal(analysis: Analysis, name: string): boolean {
  return externalKinds.has(analysis.relations.get(name)?.kind ?? '');
}

/** Every relation a node of the role holds: the role's own and every external relation. */
export function nodeRelations(analysis: Analysis, role: RoleInfo): string[] {
  const names = new Set(role.relations);
  for (const [name, rel] of analysis.relations) if (externalKinds.has(rel.kind)) names.add(name);
  return [...names].sort();
}

/**
 * The storage class of each of `names` under the role's `rules` (which may be the physical
 * rules after splitting, over relations the analysis does not know: those count as local).
 */
export function storageClasses(analysis: Analysis, rules: readonly Rule[], names: readonly string[]): Map<string, StorageClass> {
  const staged = new Set(rules.filter((r) => r.op === ':+').map((r) => r.head.name));
  const classes = new Map<string, StorageClass>();
  const candidates = new Set<string>();
  for (const name of names) {
    const rel = analysis.relations.get(name) ?? { kind: 'local', persistence: 'none' };
    if (rel.kind === 'static') classes.set(name, 'static');
    else if (rel.persistence !== 'none') classes.set(name, 'stored');
    else if (staged.has(name)) classes.set(name, 'carried');
    else if (externalKinds.has(rel.kind)) classes.set(name, 'input');
    else candidates.add(name);
  }
  // Greatest fixpoint: assume every candidate is cached, drop those with a rule that is not
  // monotone over kept relations, until nothing changes.
  const kept = (n: string) => {
    const c = classes.get(n);
    return c === 'static' || c === 'stored' || candidates.has(n);
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const name of [...candidates]) {
      const deriving = rules.filter((r) => r.head.name === name && r.op !== ':~');
      const ok = deriving.every((r) => r.op === ':-' && monotoneOver(r, kept, (n) => classes.get(n) === 'static'));
      if (!ok || deriving.length === 0) {
        candidates.delete(name);
        changed = true;
      }
    }
  }
  for (const name of names) if (!classes.has(name)) classes.set(name, candidates.has(name) ? 'cached' : 'transient');
  return classes;
}

/** Whether the rule only reads kept relations positively, negates only `negatable` ones, and
 * neither aggregates nor numbers: its derivations only grow while its inputs only grow. */
export function monotoneOver(rule: Rule, kept: (n: string) => boolean, negatable: (n: string) => boolean): boolean {
  if (rule.head.args.some((a) => a.kind === 'aggregate' || a.kind === 'index')) return false;
  return rule.body.every((l) => (l.kind === 'atom' ? kept(l.name) : l.kind === 'negation' ? negatable(l.atom.name) : true));
}

/** When a rule of the role runs (see Evaluation). */
export function evaluationOf(rule: Rule, classes: ReadonlyMap<string, StorageClass>): Evaluation {
  if (rule.op === ':+') return 'next';
  if (rule.op === ':~') return 'async';
  const grows = (n: string) => {
    const c = classes.get(n);
    return c === 'static' || c === 'stored' || c === 'cached';
  };
  if (rule.head.args.some((a) => a.kind === 'index')) return 'once';
  if (rule.head.args.some((a) => a.kind === 'aggregate')) {
    // Bindings over relations that only grow only accumulate: fold just the new ones.
    const growing = rule.body.every((l) => (l.kind === 'atom' ? grows(l.name) : l.kind === 'negation' ? classes.get(l.atom.name) === 'static' : true));
    return growing ? 'accumulate' : 'once';
  }
  const head = classes.get(rule.head.name);
  const keptHead = head === 'stored' || head === 'cached';
  const negationsGrowOnly = rule.body.every((l) => l.kind !== 'negation' || grows(l.atom.name));
  return keptHead && negationsGrowOnly ? 'incremental' : 'per-tick';
}

export function sizeOf(storage: StorageClass): SizeClass {
  switch (storage) {
    case 'static':
      return 'deployment';
    case 'stored':
    case 'carried':
    case 'cached':
      return 'accumulated';
    case 'input':
    case 'transient':
      return 'tick';
  }
}
