// Functional components (paper §3.3): C2 maps each input fact on its own, like a pure function,
// so it keeps no state that matters. It must have no aggregation, no negation and no `index()`
// (which numbers the facts of a whole tick), and each rule body may have at most one IDB atom:
// statics (the EDB), built-in functions and `less_than` are free, but a join of two IDB atoms —
// also a self-join, and also a persisted relation joined with a new input — combines facts.
// Persistence rules have one IDB atom, so they pass: per the paper, they are irrelevant to the
// output of a functional component. A garbage-collected one negates, so it does not.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Atom } from '../../compiler/parse/ast.js';
import { ruleName } from './rule-name.js';
import { isEdb, type RuleSet } from './rule-set.js';
import type { Violation } from './violation.js';

export function functionalViolations(analysis: Analysis, c2: RuleSet): Violation[] {
  const out: Violation[] = [];
  const hint = 'keep the rule on the original role, or decouple with kind `monotonic` or `state-machine`';
  for (const id of c2) {
    const { rule } = analysis.rules[id]!;
    const name = ruleName(analysis, id);
    for (const arg of rule.head.args) {
      if (arg.kind === 'aggregate') {
        out.push({
          precondition: 'functional',
          message: `${name} aggregates with \`${arg.fn}\`, which combines many facts`,
          rule: id,
          relation: rule.head.name,
          span: arg.span,
          hint,
        });
      } else if (arg.kind === 'index') {
        out.push({
          precondition: 'functional',
          message: `${name} numbers its facts with \`index()\`, which depends on the other facts of the tick`,
          rule: id,
          relation: rule.head.name,
          span: arg.span,
          hint,
        });
      }
    }
    const idb: Atom[] = [];
    for (const lit of rule.body) {
      if (lit.kind === 'negation') {
        out.push({
          precondition: 'functional',
          message: `${name} negates \`${lit.atom.name}\`, so its result depends on other facts than its input`,
          rule: id,
          relation: lit.atom.name,
          span: lit.span,
          hint,
        });
      } else if (lit.kind === 'atom' && !isEdb(analysis, lit.name)) {
        if (idb.length > 0) {
          out.push({
            precondition: 'functional',
            message: `${name} joins \`${idb[0]!.name}\` with \`${lit.name}\`: a functional rule reads at most one relation that is not static`,
            rule: id,
            relation: lit.name,
            span: lit.span,
            hint,
          });
        }
        idb.push(lit);
      }
    }
  }
  return out;
}
