// Clusters of a role's rules: rules that share a relation held on the node — a local or output
// relation, in a head or a body — must move together, so a cluster is the smallest unit worth
// decoupling. Channels, inputs and timers arrive from outside and statics are everywhere: they
// do not join clusters. Downstream: a cluster reads a relation another cluster of the role
// derives (a channel it sends to itself, say).

import type { Analysis } from '../../compiler/analyze/analysis.js';
import { ruleReferences, type RuleSet } from './rule-set.js';

/** The role's rules in clusters, each ascending, ordered by their first rule. */
export function ruleClusters(analysis: Analysis, role: string): RuleSet[] {
  const info = analysis.roles.find((r) => r.name === role);
  if (!info) throw new Error(`no role \`${role}\``);
  const parent = new Map<number, number>(info.rules.map((id) => [id, id]));
  const find = (id: number): number => {
    const p = parent.get(id)!;
    if (p === id) return id;
    const root = find(p);
    parent.set(id, root);
    return root;
  };
  const owner = new Map<string, number>();
  for (const id of info.rules) {
    const { rule } = analysis.rules[id]!;
    for (const r of [rule.head.name, ...ruleReferences(analysis, id)]) {
      const kind = analysis.relations.get(r)?.kind;
      if (kind !== 'local' && kind !== 'output') continue;
      const first = owner.get(r);
      if (first === undefined) owner.set(r, id);
      else parent.set(find(id), find(first));
    }
  }
  const groups = new Map<number, number[]>();
  for (const id of [...info.rules].sort((x, y) => x - y)) {
    const root = find(id);
    groups.set(root, [...(groups.get(root) ?? []), id]);
  }
  return [...groups.values()].sort((x, y) => x[0]! - y[0]!);
}

/** For each cluster, the indexes of the other clusters it feeds, directly or not, ascending. */
export function downstreamClusters(analysis: Analysis, clusters: readonly RuleSet[]): number[][] {
  const heads = clusters.map((c) => new Set(c.map((id) => analysis.rules[id]!.rule.head.name)));
  const feeds = clusters.map((_, i) =>
    clusters.flatMap((c, j) => (j !== i && c.some((id) => ruleReferences(analysis, id).some((r) => heads[i]!.has(r))) ? [j] : [])),
  );
  return clusters.map((_, i) => {
    const seen = new Set<number>([i]);
    const stack = [i];
    while (stack.length > 0) {
      for (const j of feeds[stack.pop()!]!) {
        if (!seen.has(j)) {
          seen.add(j);
          stack.push(j);
        }
      }
    }
    seen.delete(i);
    return [...seen].sort((x, y) => x - y);
  });
}
