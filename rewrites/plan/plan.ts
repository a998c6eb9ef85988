// A rewrite plan, as read from a `.plan.json` file (docs/rewrites.md, "Plans"): the steps to
// apply in order. Plans name roles, relations and rule labels, never positions; spans point
// into the plan file for diagnostics.

import type { SourceFile, Span } from '../../compiler/source.js';
import type { DecoupleKind } from '../analysis/decouple-kind.js';

export type DecoupleChoice = DecoupleKind | 'auto';
export type PartitionPolicy = 'co-hashing' | 'dependencies' | 'partial' | 'auto';

export interface Named {
  readonly name: string;
  readonly span: Span;
}

export interface DecoupleStep {
  readonly kind: 'decouple';
  /** The role whose rules move. */
  readonly role: Named;
  /** Rule labels. */
  readonly rules: readonly Named[];
  /** Every rule of the role whose head is one of these. */
  readonly relations: readonly Named[];
  /** The new role. */
  readonly to: Named;
  readonly decoupling: DecoupleChoice;
  readonly decouplingSpan: Span;
  readonly span: Span;
}

export interface PartitionStep {
  readonly kind: 'partition';
  readonly role: Named;
  /** The partition count written into the deployment. */
  readonly partitions: number;
  readonly policy: PartitionPolicy;
  readonly policySpan: Span;
  /** Pinned keys: relation to column names or indexes. */
  readonly keys: ReadonlyMap<string, { readonly columns: readonly (string | number)[]; readonly span: Span }>;
  /** Partial partitioning: relations to replicate to every partition. */
  readonly replicate: readonly Named[];
  /**
   * Partitioning sealing: channels the role sends as the count of a batch of facts (the last
   * column); each partition counts its own part and the receivers see the sum.
   */
  readonly sealing: readonly Named[];
  readonly coordinator?: Named;
  readonly span: Span;
}

export type PlanStep = DecoupleStep | PartitionStep;

export interface Plan {
  readonly source: SourceFile;
  readonly description?: string;
  readonly steps: readonly PlanStep[];
}

/** A one-line summary of a step, for comments in generated code and progress output. */
export function describeStep(step: PlanStep, index: number): string {
  if (step.kind === 'decouple') {
    const what = [...step.rules.map((r) => r.name), ...step.relations.map((r) => r.name)].join(', ');
    return `step ${index + 1}: decouple ${what} from ${step.role.name} to ${step.to.name} (${step.decoupling})`;
  }
  return `step ${index + 1}: partition ${step.role.name} into ${step.partitions} (${step.policy})`;
}
