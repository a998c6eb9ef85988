// Monotonicity of a component C2 (paper §3.2, TR A.2.1): its outputs only grow as its inputs
// grow, so it may run behind an asynchronous channel. The strict check is "no negation and no
// aggregation" (the monotonic rewrite persists C2's inputs, so the check does not ask for that),
// relaxed as in the report:
// * negation is allowed in garbage-collected persistence rules `r(x..) :+ r(x..), !gc(..)`,
//   which only forget facts (the user vouches that forgotten facts are no longer needed);
// * aggregation is allowed as a threshold test over a monotone lattice (threshold-aggregates.ts).
// `index()` numbers the facts of a tick, so a new fact renumbers old ones: never monotone.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import { persistedWithin } from './logical-persistence.js';
import { isGcPersistence } from './persistence-rule.js';
import { ruleName } from './rule-name.js';
import { ruleSetIO, type RuleSet } from './rule-set.js';
import { thresholdAggregateViolations } from './threshold-aggregates.js';
import type { Violation } from './violation.js';

export { logicallyPersisted } from './logical-persistence.js';

export function monotonicityViolations(analysis: Analysis, c2: RuleSet): Violation[] {
  const out: Violation[] = [];
  const keep = 'keep the rule on the original role, or decouple with kind `state-machine`';
  for (const id of c2) {
    const { rule } = analysis.rules[id]!;
    if (!isGcPersistence(analysis, id)) {
      for (const lit of rule.body) {
        if (lit.kind !== 'negation') continue;
        out.push({
          precondition: 'monotonicity',
          message: `${ruleName(analysis, id)} negates \`${lit.atom.name}\`: a fact of \`${lit.atom.name}\` arriving later would retract what the rule derived`,
          rule: id,
          relation: lit.atom.name,
          span: lit.span,
          hint: `negation is not monotone; ${keep} (a persistence rule \`r(..) :+ r(..), !gc(..)\` may negate)`,
        });
      }
    }
    for (const arg of rule.head.args) {
      if (arg.kind !== 'index') continue;
      out.push({
        precondition: 'monotonicity',
        message: `${ruleName(analysis, id)} numbers its facts with \`index()\`, so a later fact renumbers earlier ones`,
        rule: id,
        relation: rule.head.name,
        span: arg.span,
        hint: keep,
      });
    }
  }
  const growing = persistedWithin(analysis, c2, new Set(ruleSetIO(analysis, c2).inputs));
  out.push(...thresholdAggregateViolations(analysis, c2, growing));
  return out.sort((x, y) => (x.span?.start ?? 0) - (y.span?.start ?? 0));
}
