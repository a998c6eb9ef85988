// `dedc analyze`: per role, the rule sets that can be decoupled and by which kinds (with the
// reason each kind holds or the first precondition it breaks), and the partitioning keys that
// exist (co-hashing first, then dependencies), as text for people or as a JSON value.

import type { Analysis } from '../compiler/analyze/analysis.js';
import type { DecoupleKind } from './analysis/decouple-kind.js';
import { decouplingCandidates } from './analysis/decoupling-candidates.js';
import { findDistribution } from './analysis/distribution.js';
import { printKey } from './analysis/key-term.js';
import { ruleName } from './analysis/rule-name.js';

const why: Record<DecoupleKind, string> = {
  'mutually-independent': 'the two sets read disjoint relations and neither reads what the other derives',
  functional: 'the rest does not read what the moved rules derive, and each moved rule maps one fact to facts (no negation, no aggregation, one non-static relation per body)',
  monotonic: 'the rest does not read what the moved rules derive, and the moved rules are monotonic (their persisted inputs only grow)',
  'state-machine': 'the rest does not read what the moved rules derive, and every relation of the moved rules changes only with their inputs',
  asymmetric: 'the moved rules do not read what the rest derives, and they behave like a monotonic or functional state machine',
};

export interface RoleReport {
  readonly role: string;
  readonly decouplings: readonly {
    readonly moved: readonly string[];
    readonly stays: readonly string[];
    readonly kinds: readonly { readonly kind: DecoupleKind; readonly holds: boolean; readonly reason: string }[];
  }[];
  readonly partitioning: { readonly policy?: string; readonly keys: readonly { readonly relation: string; readonly key: string }[]; readonly reason: string };
}

export function explain(analysis: Analysis): RoleReport[] {
  return analysis.roles.map((role) => {
    const name = (id: number) => {
      const r = analysis.rules[id]!;
      return r.label ?? r.rule.head.name;
    };
    const decouplings = decouplingCandidates(analysis, role.name).map((c) => ({
      moved: [...new Set(c.rules.map(name))],
      stays: [...new Set(role.rules.filter((id) => !c.rules.includes(id)).map(name))],
      kinds: c.kinds.map((k) => ({
        kind: k.kind,
        holds: k.holds,
        reason: k.holds ? why[k.kind] : `${k.reasons[0]!.message}${k.reasons[0]!.rule !== undefined && !k.reasons[0]!.message.includes('rule') ? ` (${ruleName(analysis, k.reasons[0]!.rule)})` : ''}`,
      })),
    }));
    return { role: role.name, decouplings, partitioning: partitioningOf(analysis, role.name) };
  });
}

function partitioningOf(analysis: Analysis, role: string): RoleReport['partitioning'] {
  const info = analysis.roles.find((r) => r.name === role)!;
  if (info.inputs.length) return { keys: [], reason: `it reads client input (${info.inputs.join(', ')}); clients send to one address and cannot pick a partition` };
  if (!info.receives.length) return { keys: [], reason: 'it receives no channel, so there is nothing to spread over partitions' };
  let reason = '';
  for (const mode of ['co-hashing', 'dependencies'] as const) {
    const found = findDistribution(analysis, role, { mode });
    if (found.policy) {
      const keys = [...found.policy.keys].map(([relation, key]) => ({
        relation,
        key: printKey(key, analysis.relations.get(relation)!.columns.map((c) => c.name)),
      }));
      return {
        policy: mode,
        keys,
        reason: mode === 'co-hashing' ? 'in every rule, the relations joined, grouped or negated share these columns' : 'co-hashing fails, but functional dependencies relate the keys of the relations each rule joins',
      };
    }
    reason = found.violations[0]?.message ?? 'no policy found';
  }
  return { keys: [], reason };
}

export function renderExplanation(reports: readonly RoleReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`role ${r.role}`);
    if (!r.decouplings.length) lines.push('  decoupling: no split (one cluster of rules)');
    for (const d of r.decouplings) {
      lines.push(`  decouple {${d.moved.join(', ')}}, leaving {${d.stays.join(', ')}}`);
      for (const k of d.kinds) lines.push(`    ${k.holds ? 'yes' : 'no '} ${k.kind}: ${k.reason}`);
    }
    const p = r.partitioning;
    if (p.policy) {
      lines.push(`  partition: yes, by ${p.policy}: ${p.reason}`);
      for (const k of p.keys) lines.push(`    ${k.relation} by ${k.key}`);
    } else lines.push(`  partition: no: ${p.reason}`);
    lines.push('');
  }
  return lines.join('\n');
}
