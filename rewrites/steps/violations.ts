// Broken preconditions as diagnostics: each violation becomes a DED31x error at the offending
// rule or relation of the program, noting the plan step that asked for the rewrite.

import type { DiagnosticCode } from '../../compiler/diagnostics/codes.js';
import type { Precondition, Violation } from '../analysis/violation.js';
import { programError, type StepContext } from './context.js';

const codeOf: Record<Precondition, DiagnosticCode> = {
  independence: 'DED310',
  'mutual-independence': 'DED311',
  monotonicity: 'DED312',
  functional: 'DED313',
  'state-machine': 'DED314',
  'co-hashing': 'DED315',
  dependencies: 'DED316',
  'partial-partitioning': 'DED320',
};

export function reportViolations(ctx: StepContext, violations: readonly Violation[], why: string): void {
  for (const v of violations) {
    const rel = v.relation ? ctx.analysis.relations.get(v.relation) : undefined;
    const span = v.span ?? (v.rule !== undefined ? ctx.analysis.rules[v.rule]!.rule.span : rel?.span);
    programError(ctx, codeOf[v.precondition], `${why}: ${v.message}`, {
      ...(span ? { span } : {}),
      label: `breaks ${v.precondition}`,
      ...(v.hint ? { hint: v.hint } : {}),
    });
  }
}
