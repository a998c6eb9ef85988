// Independence (paper §3.1): C1 is independent of C2 when (a) they reference disjoint sets of
// relations and (b) C1 references no output of C2. Together: no rule of C1 reads a relation that
// C2 derives (whether or not C2 also reads it) or that C2 reads. Each offending (rule, relation)
// of C1 is reported once, at its first body literal over the relation; a relation C2 derives is
// reported as such, even when C2 reads it too and (a) fails as well.
//
// The implicit persistence rule of a `.persist`/`.durable` relation reads and derives only that
// relation; counted on the side that reads it, it adds no dependency, so it is left out.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Atom, Negation } from '../../compiler/parse/ast.js';
import { ruleName } from './rule-name.js';
import { ruleReferences, ruleSetIO, type RuleSet } from './rule-set.js';
import type { Precondition, Violation } from './violation.js';

/** Violations of "C1 is independent of C2", each naming a rule of C1. */
export function independenceViolations(analysis: Analysis, c1: RuleSet, c2: RuleSet): Violation[] {
  return check(analysis, c1, c2, 'independence', () => true);
}

/**
 * Violations of "C1 and C2 are mutually independent": both directions, with each relation that
 * both read reported once — as derived by one side when it is, else as shared, from C1's side.
 */
export function mutualIndependenceViolations(analysis: Analysis, c1: RuleSet, c2: RuleSet): Violation[] {
  const derivedByC1 = new Set(ruleSetIO(analysis, c1).heads);
  return [
    ...check(analysis, c1, c2, 'mutual-independence', (r) => !derivedByC1.has(r)),
    ...check(analysis, c2, c1, 'mutual-independence', () => false),
  ];
}

/** `reportShared(r)`: whether to report a relation both sides read that C2 does not derive. */
function check(analysis: Analysis, c1: RuleSet, c2: RuleSet, precondition: Precondition, reportShared: (relation: string) => boolean): Violation[] {
  const other = ruleSetIO(analysis, c2);
  const out: Violation[] = [];
  for (const id of c1) {
    for (const relation of ruleReferences(analysis, id)) {
      const derivedBy = c2.find((r) => analysis.rules[r]!.rule.head.name === relation);
      const readBy = c2.find((r) => ruleReferences(analysis, r).includes(relation));
      if (derivedBy === undefined && (readBy === undefined || !reportShared(relation))) continue;
      const name = ruleName(analysis, id);
      const base = { precondition, rule: id, relation, span: literalOf(analysis, id, relation).span };
      if (derivedBy !== undefined) {
        const also = other.references.includes(relation) ? ', and reads too' : '';
        out.push({
          ...base,
          message: `${name} reads \`${relation}\`, which the other rule set derives (${ruleName(analysis, derivedBy)})${also}`,
          hint: `keep \`${relation}\`'s rules and its readers together, or decouple the other way round`,
        });
      } else {
        out.push({
          ...base,
          message: `${name} reads \`${relation}\`, which the other rule set reads too (${ruleName(analysis, readBy!)}); independent rule sets reference disjoint relations`,
          hint: `keep every rule that reads \`${relation}\` on one side`,
        });
      }
    }
  }
  return out;
}

function literalOf(analysis: Analysis, ruleId: number, relation: string): Atom | Negation {
  for (const lit of analysis.rules[ruleId]!.rule.body) {
    if ((lit.kind === 'atom' && lit.name === relation) || (lit.kind === 'negation' && lit.atom.name === relation)) return lit;
  }
  throw new Error(`rule ${ruleId} does not read \`${relation}\``);
}
