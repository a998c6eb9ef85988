// Decoupling candidates, for `dedc analyze`: ways to split a role into C1 (stays) and C2 (moves
// to a new node), with the precondition of each kind of decoupling checked. C2 is a cluster of
// rules (rule-clusters.ts), or a cluster with every cluster downstream of it; C1 is the rest of
// the role. Splits that leave either side empty are skipped, and equal splits offered once.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import { decoupleKinds, type DecoupleKind } from './decouple-kind.js';
import { functionalViolations } from './functional.js';
import { independenceViolations, mutualIndependenceViolations } from './independence.js';
import { monotonicityViolations } from './monotonicity.js';
import { downstreamClusters, ruleClusters } from './rule-clusters.js';
import { ruleSetIO, type RuleSet } from './rule-set.js';
import { stateMachineViolations } from './state-machine.js';
import { batchedBack, batchedInputs, batchedViolations } from './batched-relations.js';
import type { Violation } from './violation.js';

export interface KindCheck {
  kind: DecoupleKind;
  holds: boolean;
  /** The broken preconditions; empty when the kind holds. */
  reasons: Violation[];
}

export interface Candidate {
  /** C2, the rules that would move. */
  rules: RuleSet;
  /** Every kind, cheapest first. */
  kinds: KindCheck[];
}

export function decouplingCandidates(analysis: Analysis, role: string): Candidate[] {
  const info = analysis.roles.find((r) => r.name === role);
  if (!info) throw new Error(`no role \`${role}\``);
  const clusters = ruleClusters(analysis, role);
  const downstream = downstreamClusters(analysis, clusters);
  const seen = new Set<string>();
  const out: Candidate[] = [];
  clusters.forEach((cluster, i) => {
    const withDownstream = [...cluster, ...downstream[i]!.flatMap((j) => clusters[j]!)].sort((x, y) => x - y);
    for (const c2 of [cluster, withDownstream]) {
      const key = c2.join(',');
      if (seen.has(key) || c2.length === 0 || c2.length === info.rules.length) continue;
      seen.add(key);
      const c1 = info.rules.filter((id) => !c2.includes(id)).sort((x, y) => x - y);
      out.push({ rules: c2, kinds: decouplingChecks(analysis, c1, c2) });
    }
  });
  return out;
}

/** The precondition of each kind for moving C2 away from C1, cheapest kind first. */
export function decouplingChecks(analysis: Analysis, c1: RuleSet, c2: RuleSet): KindCheck[] {
  const c1Independent = independenceViolations(analysis, c1, c2);
  const c2Independent = independenceViolations(analysis, c2, c1);
  const monotonic = monotonicityViolations(analysis, c2);
  const functional = functionalViolations(analysis, c2);
  const stateMachine = stateMachineViolations(analysis, c2, ruleSetIO(analysis, c2).inputs);
  // Functional implies monotonic here (both forbid negation, aggregation and index()), so when
  // neither holds, monotonicity's violations are the reasons.
  const monotonicOrFunctional = monotonic.length === 0 || functional.length === 0 ? [] : monotonic;
  const reasons: Record<DecoupleKind, Violation[]> = {
    'mutually-independent': mutualIndependenceViolations(analysis, c1, c2),
    functional: [...c1Independent, ...functional],
    monotonic: [...c1Independent, ...monotonic],
    'state-machine': [...c1Independent, ...stateMachine, ...batchedViolations(analysis, c1, batchedInputs(analysis, c2), c2)],
    // What goes back in batches is only checked once the moved rules stand on their own inputs.
    asymmetric: [...c2Independent, ...stateMachine, ...monotonicOrFunctional, ...(c2Independent.length ? [] : batchedViolations(analysis, c2, batchedBack(analysis, c1, c2), c1))],
  };
  return decoupleKinds.map((kind) => ({ kind, holds: reasons[kind].length === 0, reasons: reasons[kind] }));
}
