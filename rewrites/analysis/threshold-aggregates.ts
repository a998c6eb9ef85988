// Threshold aggregates (TR A.2.1): an aggregate is not monotone, since a later, larger count
// replaces an earlier one, but a test of it against a threshold over a monotone lattice is: once
// `count(p) >= quorum` holds, more votes keep it true. An aggregate of a component passes when
// * it is `count` or `max` (growing) or `min` (shrinking) — `sum` may shrink as negative values
//   arrive, and `choose` may change its choice, so they are rejected;
// * it aggregates relations that only grow in the component (`growing`: logically persisted
//   there, given that the monotonic rewrite persists the component's inputs);
// * the component reads it (otherwise its changing value is an output), and every reading
//   rule only tests the aggregate column: by a wildcard (the group exists), by a predicate
//   `(n >= t)` or `(n > t)` (`(n <= t)` or `(n < t)` for min) with `t` built from literals and
//   variables bound by static atoms, or — for count only — by joining it with a static column,
//   as in `numVotes(n, c, id), numParticipants(n)`.
// That join is an equality test, monotone only when the static value is the most the count can
// reach (there: every participant votes once). We accept it for count on that assumption, which
// is the protocol's; for max and min an equality can hold and then fail, so we reject it. A
// literal in the aggregate column is an equality test with nothing to vouch for it: rejected.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import { exprVariables, type Aggregate, type Atom, type CompareOp, type Expr, type Rule } from '../../compiler/parse/ast.js';
import { isEdb, type RuleSet } from './rule-set.js';
import { ruleName } from './rule-name.js';
import type { Violation } from './violation.js';

type Threshold = 'count' | 'max' | 'min';

export function thresholdAggregateViolations(analysis: Analysis, rules: RuleSet, growing: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  for (const id of rules) {
    const { rule } = analysis.rules[id]!;
    rule.head.args.forEach((arg, column) => {
      if (arg.kind !== 'aggregate') return;
      const at = (message: string, hint: string): Violation => ({
        precondition: 'monotonicity',
        message,
        rule: id,
        relation: rule.head.name,
        span: arg.span,
        hint,
      });
      const keep = 'keep the rule on the original role, or decouple with kind `state-machine`';
      if (arg.fn === 'sum' || arg.fn === 'choose') {
        const why = arg.fn === 'sum' ? 'a sum can shrink when a negative value arrives' : 'the chosen value can change when facts arrive';
        out.push(at(`${ruleName(analysis, id)} aggregates with \`${arg.fn}\`, which is not monotone: ${why}`, keep));
        return;
      }
      const fn: Threshold = arg.fn;
      for (const lit of rule.body) {
        if (lit.kind === 'atom' && !isEdb(analysis, lit.name) && !growing.has(lit.name)) {
          out.push(
            at(
              `${ruleName(analysis, id)} aggregates over \`${lit.name}\`, which can lose facts in this component, so \`${fn}\` can move back across a threshold`,
              `persist \`${lit.name}\`, or derive it only from persisted relations`,
            ),
          );
        }
      }
      const uses = rules.filter((u) => analysis.rules[u]!.rule.body.some((l) => l.kind === 'atom' && l.name === rule.head.name));
      if (uses.length === 0) {
        out.push(
          at(
            `the \`${fn}\` of ${ruleName(analysis, id)} leaves the component as \`${rule.head.name}\`, whose later values replace earlier ones`,
            `test \`${rule.head.name}\` against a threshold within the component, and move only the test's result`,
          ),
        );
      }
      for (const u of uses) {
        const problem = useProblem(analysis, analysis.rules[u]!.rule, rule.head.name, column, fn);
        if (problem !== undefined) {
          out.push(
            at(
              `${ruleName(analysis, u)} reads the ${fn} in \`${rule.head.name}\` and ${problem}; only a threshold test of it is monotone`,
              thresholdHint(fn),
            ),
          );
        }
      }
    });
  }
  return out;
}

function thresholdHint(fn: Threshold): string {
  if (fn === 'min') return 'compare the minimum only as `(n <= t)` or `(n < t)`, with `t` a literal or bound by a static relation';
  const join = fn === 'count' ? ', or join it with a static column' : '';
  return `compare the ${fn} only as \`(n >= t)\` or \`(n > t)\`, with \`t\` a literal or bound by a static relation${join}`;
}

/** Why one rule's reading of an aggregate column is not a threshold test, or undefined if it is. */
function useProblem(analysis: Analysis, rule: Rule, relation: string, column: number, fn: Threshold): string | undefined {
  const staticVars = new Set<string>();
  for (const lit of rule.body) {
    if (lit.kind === 'atom' && isEdb(analysis, lit.name)) for (const t of lit.args) if (t.kind === 'var') staticVars.add(t.name);
  }
  const readers = rule.body.filter((l): l is Atom => l.kind === 'atom' && l.name === relation);
  const tested = new Set<string>();
  for (const atom of readers) {
    const term = atom.args[column];
    if (term === undefined || term.kind === 'wildcard') continue;
    if (term.kind !== 'var') return 'compares it with a literal (an equality test)';
    tested.add(term.name);
  }
  for (const n of tested) {
    if (staticVars.has(n) && fn !== 'count') return 'joins it with a static relation (an equality test)';
    // Apart from the one reading atom, `n` may occur only in threshold predicates and (for count)
    // static atoms.
    let readings = 0;
    for (const lit of rule.body) {
      if (lit.kind === 'atom') {
        if (isEdb(analysis, lit.name)) continue;
        lit.args.forEach((t, i) => {
          if (t.kind === 'var' && t.name === n) readings += lit.name === relation && i === column ? 1 : 2;
        });
        if (readings > 1) return `joins it with \`${lit.name}\``;
      } else if (lit.kind === 'negation') {
        if (lit.atom.args.some((t) => t.kind === 'var' && t.name === n)) return 'tests it in a negation';
      } else if (lit.kind === 'lessThan') {
        if (lit.bound.kind === 'var' && lit.bound.name === n) return 'uses it as a `less_than` bound';
      } else if (lit.kind === 'predicate') {
        if (!mentions(lit.left, n) && !mentions(lit.right, n)) continue;
        if (!isThreshold(lit.op, lit.left, lit.right, n, fn, staticVars)) return 'compares it other than with a threshold';
      }
    }
    const head = rule.head;
    const inHead = head.args.some((a) => (a.kind === 'aggregate' ? aggregateMentions(a, n) : a.kind !== 'index' && mentions(a, n)));
    if (inHead || (head.dest !== undefined && mentions(head.dest, n))) return 'passes it on';
  }
  return undefined;
}

function isThreshold(op: CompareOp, left: Expr, right: Expr, n: string, fn: Threshold, staticVars: ReadonlySet<string>): boolean {
  const bound = (e: Expr) => [...exprVariables(e)].every((v) => v.name !== n && staticVars.has(v.name));
  const grows = fn !== 'min';
  if (left.kind === 'var' && left.name === n && bound(right)) return grows ? op === '>=' || op === '>' : op === '<=' || op === '<';
  if (right.kind === 'var' && right.name === n && bound(left)) return grows ? op === '<=' || op === '<' : op === '>=' || op === '>';
  return false;
}

function mentions(e: Expr, n: string): boolean {
  return [...exprVariables(e)].some((v) => v.name === n);
}

function aggregateMentions(a: Aggregate, n: string): boolean {
  return a.args !== 'star' && a.args.some((v) => v.name === n);
}
