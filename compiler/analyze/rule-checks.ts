// Per-rule checks: the rule operator against `@dest` and the head's kind, a positive atom in
// every body, aggregates, `index()`, function calls, wildcards, `less_than`, and range
// restriction (every variable in the head, a predicate or a bound is bound by a positive atom).

import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { aggregateFns, exprVariables, type Expr, type Rule, type Variable } from '../parse/ast.js';
import { builtins } from '../values/builtins.js';
import type { CollectedProgram } from './collect.js';
import type { RelationTable } from './relations.js';
import { closestName } from './suggest.js';

export function checkRules(program: CollectedProgram, relations: RelationTable, sink: Diagnostic[]): void {
  for (const { rule } of program.rules) {
    checkOperator(rule, relations, sink);
    checkHeadArgs(rule, sink);
    checkBody(rule, sink);
    checkRangeRestriction(rule, sink);
  }
}

function checkOperator(rule: Rule, relations: RelationTable, sink: Diagnostic[]): void {
  const { head, op } = rule;
  if (op === ':~' && !head.dest) {
    sink.push(
      diagnostic('DED206', `\`:~\` sends \`${head.name}\` to another node, but says not where`, {
        span: head.nameSpan,
        label: 'no `@destination`',
        hint: `write \`${head.name}@dest(...)\`, where dest is an address bound in the body`,
      }),
    );
  }
  if (op !== ':~' && head.dest) {
    sink.push(
      diagnostic('DED207', `a \`${op}\` rule derives facts on its own node, so it takes no destination`, {
        span: head.dest.span,
        label: 'destination on a local rule',
        hint: 'use `:~` to send the facts to another node',
      }),
    );
  }
  const kind = relations.get(head.name)?.kind;
  const fail = (why: string, hint: string) =>
    sink.push(diagnostic('DED210', why, { span: head.nameSpan, label: `\`${op}\` head`, hint }));
  if (op === ':-' && (kind === 'input' || kind === 'static' || kind === 'timer')) {
    fail(`\`${head.name}\` is a .${kind} relation; rules cannot derive it`, `its facts come from outside; derive a new relation instead`);
  } else if (op === ':-' && kind === 'async') {
    fail(`\`${head.name}\` is a channel; it is sent with \`:~\`, not derived with \`:-\``, `write \`${head.name}@dest(...) :~ ...\``);
  } else if (op === ':+' && (kind === 'static' || kind === 'timer')) {
    fail(`\`${head.name}\` is a .${kind} relation; rules cannot derive it`, 'derive a new relation instead');
  } else if (op === ':~' && kind !== 'async') {
    fail(
      `\`${head.name}\` is sent with \`:~\` but is not a channel`,
      `declare it with \`.async ${head.name}(...)\`; only .async relations cross nodes`,
    );
  }
}

function checkHeadArgs(rule: Rule, sink: Diagnostic[]): void {
  const { head } = rule;
  const indexes = head.args.filter((a) => a.kind === 'index');
  const aggregates = head.args.filter((a) => a.kind === 'aggregate');
  for (const extra of indexes.slice(1)) {
    sink.push(diagnostic('DED214', 'a head may contain `index()` only once', { span: extra.span, label: 'second index()' }));
  }
  if (indexes.length && aggregates.length) {
    sink.push(
      diagnostic('DED214', '`index()` cannot be combined with aggregates in one head', {
        span: indexes[0]!.span,
        label: 'index() next to an aggregate',
        related: [{ span: aggregates[0]!.span, message: 'the aggregate' }],
        hint: 'aggregate in one rule, number the results in another',
      }),
    );
  }
  for (const arg of head.args) {
    if (arg.kind === 'aggregate') {
      if (arg.args === 'star' && arg.fn !== 'count') {
        sink.push(diagnostic('DED213', `\`${arg.fn}(*)\` is not an aggregate; only count takes \`*\``, { span: arg.span, label: 'needs a variable' }));
      } else if (arg.args !== 'star' && arg.args.length !== 1 && arg.fn !== 'count') {
        sink.push(
          diagnostic('DED213', `\`${arg.fn}\` takes one variable, not ${arg.args.length}`, {
            span: arg.span,
            label: 'one variable',
            hint: 'only count takes several variables: count(x, y) counts distinct pairs',
          }),
        );
      }
      if (arg.args !== 'star') for (const v of arg.args) checkNotWildcard(v, sink);
    } else if (arg.kind !== 'index') {
      checkExpr(arg, sink);
    }
  }
  if (head.dest) checkExpr(head.dest, sink);
}

function checkBody(rule: Rule, sink: Diagnostic[]): void {
  if (!rule.body.some((l) => l.kind === 'atom')) {
    sink.push(
      diagnostic('DED208', 'the body has no positive atom', {
        span: rule.head.span,
        label: 'this rule',
        hint: 'every rule needs at least one positive atom (such as a relation it reads) to bind its variables',
      }),
    );
  }
  for (const lit of rule.body) {
    if (lit.kind === 'predicate') {
      checkExpr(lit.left, sink);
      checkExpr(lit.right, sink);
    } else if (lit.kind === 'lessThan') {
      checkNotWildcard(lit.variable, sink);
      if (lit.bound.kind === 'var') checkNotWildcard(lit.bound, sink);
      const positive = rule.body.some((l) => l.kind === 'atom' && l.args.some((a) => a.kind === 'var' && a.name === lit.variable.name));
      const earlier = rule.body.slice(0, rule.body.indexOf(lit)).some((l) => l.kind === 'lessThan' && l.variable.name === lit.variable.name);
      if (earlier) {
        sink.push(
          diagnostic('DED221', `\`${lit.variable.name}\` is bound by an earlier \`less_than\``, {
            span: lit.variable.span,
            label: 'already bound',
            hint: `to narrow the range, use one less_than with the smaller bound, or a predicate such as (${lit.variable.name} < n)`,
          }),
        );
      } else if (positive) {
        sink.push(
          diagnostic('DED221', `\`less_than\` binds \`${lit.variable.name}\`, but an atom of the body binds it already`, {
            span: lit.variable.span,
            label: 'already bound',
            hint: `to test a bound variable, write a predicate such as (${lit.variable.name} < n)`,
          }),
        );
      }
    }
  }
}

function checkNotWildcard(v: Variable, sink: Diagnostic[]): void {
  if (v.name === '_') {
    sink.push(
      diagnostic('DED215', '`_` matches anything, so it has no value to use here', {
        span: v.span,
        label: 'wildcard',
        hint: '`_` may stand only for an argument of a body atom; name the variable instead',
      }),
    );
  }
}

function checkExpr(e: Expr, sink: Diagnostic[]): void {
  switch (e.kind) {
    case 'var':
      checkNotWildcard(e, sink);
      return;
    case 'int':
    case 'string':
      return;
    case 'binary':
      checkExpr(e.left, sink);
      checkExpr(e.right, sink);
      return;
    case 'unary':
      checkExpr(e.operand, sink);
      return;
    case 'call': {
      for (const a of e.args) checkExpr(a, sink);
      const fn = builtins.get(e.fn);
      if (fn) {
        if (fn.rest ? e.args.length < fn.params.length : fn.params.length !== e.args.length) {
          const n = fn.params.length;
          sink.push(
            diagnostic('DED212', `\`${e.fn}\` takes ${fn.rest ? 'at least ' : ''}${n} argument${n === 1 ? '' : 's'}, not ${e.args.length}`, {
              span: e.span,
              label: `${e.fn}(${fn.params.join(', ')}${fn.rest ? ', ...' : ''})`,
            }),
          );
        }
      } else if ((aggregateFns as readonly string[]).includes(e.fn)) {
        sink.push(
          diagnostic('DED213', `\`${e.fn}\` is an aggregate: it stands alone as a head argument and takes variables`, {
            span: e.span,
            label: 'not allowed here',
            hint: `write \`${e.fn}(x)\` as an argument of the head, with x bound in the body`,
          }),
        );
      } else if (e.fn === 'index') {
        sink.push(diagnostic('DED214', '`index()` takes no arguments and stands alone as a head argument', { span: e.span, label: 'not allowed here' }));
      } else {
        const near = closestName(e.fn, builtins.keys());
        sink.push(
          diagnostic('DED211', `unknown function \`${e.fn}\``, {
            span: e.fnSpan,
            label: 'not a built-in function',
            hint: near ? `did you mean \`${near}\`?` : `the built-in functions are ${[...builtins.keys()].join(', ')}`,
          }),
        );
      }
      return;
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Every variable used for its value must be bound by a positive atom (or by less_than). */
function checkRangeRestriction(rule: Rule, sink: Diagnostic[]): void {
  const bound = new Set<string>();
  for (const lit of rule.body) {
    if (lit.kind === 'atom') for (const a of lit.args) if (a.kind === 'var') bound.add(a.name);
  }
  // less_than binds its variable once its bound is bound; generators may chain.
  let grew = true;
  while (grew) {
    grew = false;
    for (const lit of rule.body) {
      if (lit.kind !== 'lessThan' || bound.has(lit.variable.name)) continue;
      if (lit.bound.kind === 'int' || bound.has(lit.bound.name)) {
        bound.add(lit.variable.name);
        grew = true;
      }
    }
  }
  // A generator whose bound is unbound is reported for its bound; its variable counts as bound.
  for (const lit of rule.body) if (lit.kind === 'lessThan') bound.add(lit.variable.name);
  const negatedOnly = new Set<string>();
  for (const lit of rule.body) {
    if (lit.kind === 'negation') for (const a of lit.atom.args) if (a.kind === 'var') negatedOnly.add(a.name);
  }
  const reported = new Set<string>();
  const need = (v: Variable, where: string) => {
    if (v.name === '_' || bound.has(v.name) || reported.has(v.name)) return;
    reported.add(v.name);
    sink.push(
      diagnostic('DED205', `variable \`${v.name}\` ${where} is not bound by a positive atom of the body`, {
        span: v.span,
        label: 'unbound',
        hint: negatedOnly.has(v.name)
          ? `a negated atom only tests; it does not bind \`${v.name}\`: add a positive atom that binds it`
          : `add an atom to the body that binds \`${v.name}\``,
      }),
    );
  };
  for (const arg of rule.head.args) {
    if (arg.kind === 'aggregate') {
      if (arg.args !== 'star') for (const v of arg.args) need(v, 'in the aggregate');
    } else if (arg.kind !== 'index') {
      for (const v of exprVariables(arg)) need(v, 'in the head');
    }
  }
  if (rule.head.dest) for (const v of exprVariables(rule.head.dest)) need(v, 'in the destination');
  for (const lit of rule.body) {
    if (lit.kind === 'predicate') {
      for (const v of [...exprVariables(lit.left), ...exprVariables(lit.right)]) need(v, 'in the predicate');
    } else if (lit.kind === 'lessThan' && lit.bound.kind === 'var') {
      need(lit.bound, 'bounding less_than');
    }
  }
}
