// Ohm semantics that turn a successful match into the syntax tree of ast.ts. Literal problems
// the grammar cannot express (bad escapes, periods of zero) become diagnostics in `sink`; the
// tree is still built so that later errors in the same file are found too.

import type * as ohm from 'ohm-js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../source.js';
import { INT64_MAX } from '../values/value.js';
import * as A from './ast.js';
import { dedalusGrammar } from './grammar.js';

type Sink = Diagnostic[];

/** The longest timer period: a million seconds (about 11.6 days), in microseconds. */
const MAX_PERIOD_MICROS = 1e12;

function spanOf(node: ohm.Node): Span {
  return { start: node.source.startIdx, end: node.source.endIdx };
}

/** Each action receives its children; `this.args.sink` collects diagnostics. */
const semantics = dedalusGrammar.createSemantics();

function build(node: ohm.Node, sink: Sink): any {
  return node['ast'](sink);
}
function buildAll(iter: ohm.Node, sink: Sink): any[] {
  return iter.children.map((c) => build(c, sink));
}
function optional(iter: ohm.Node, sink: Sink): any {
  return iter.children.length ? build(iter.children[0]!, sink) : undefined;
}
function listOf(list: ohm.Node, sink: Sink): any[] {
  return list.asIteration().children.map((c) => build(c, sink));
}

semantics.addOperation<unknown>('ast(sink)', {
  Program(items) {
    return { kind: 'program', items: buildAll(items, this.args.sink), span: spanOf(this) } satisfies A.Program;
  },
  RoleBlock(_kw, name, _open, items, _close) {
    return {
      kind: 'role',
      name: name.sourceString,
      nameSpan: spanOf(name),
      items: buildAll(items, this.args.sink),
      span: spanOf(this),
    } satisfies A.RoleBlock;
  },

  Declaration_input(_kw, name, shape) {
    return declaration('input', this, name, optional(shape, this.args.sink));
  },
  Declaration_output(_kw, name, shape) {
    return declaration('output', this, name, optional(shape, this.args.sink));
  },
  Declaration_static(_kw, name, shape) {
    return declaration('static', this, name, optional(shape, this.args.sink));
  },
  Declaration_async(_kw, name, shape) {
    return declaration('async', this, name, optional(shape, this.args.sink));
  },
  Declaration_persist(_kw, name) {
    return declaration('persist', this, name, undefined);
  },
  Declaration_durable(_kw, name) {
    return declaration('durable', this, name, undefined);
  },
  Declaration_timer(_kw, name, period) {
    const d = declaration('timer', this, name, undefined);
    return { ...d, period: build(period, this.args.sink) };
  },
  Shape(inner) {
    const v = build(inner, this.args.sink);
    return typeof v === 'string' ? { snippets: [v] } : { columns: v };
  },
  AsyncShape_columns(columns) {
    return { columns: build(columns, this.args.sink) };
  },
  AsyncShape_snippets(a, b) {
    return { snippets: [build(a, this.args.sink), build(b, this.args.sink)] };
  },
  Columns(_open, list, _close) {
    return listOf(list, this.args.sink);
  },
  Column(name, type) {
    const t = optional(type, this.args.sink) as A.TypeName | undefined;
    return { name: name.sourceString, ...(t ? { type: t } : {}), span: spanOf(this) } satisfies A.Column;
  },
  ColumnType(_colon, type) {
    return type.sourceString;
  },
  period(digits, unit) {
    const amount = Number(digits.sourceString);
    const span = spanOf(this);
    const micros = amount * A.microsPerUnit[unit.sourceString as A.TimeUnit];
    if (!(amount > 0)) {
      this.args.sink.push(
        diagnostic('DED107', 'a timer period must be longer than zero', {
          span,
          label: 'zero',
          hint: 'write a period such as 100ms, 250us or 2s',
        }),
      );
    } else if (!(micros <= MAX_PERIOD_MICROS)) {
      this.args.sink.push(
        diagnostic('DED107', 'this timer period is too long', {
          span,
          label: 'longer than a million seconds',
          hint: 'periods range from 1us to 1000000s',
        }),
      );
    }
    return { amount, unit: unit.sourceString as A.TimeUnit, span } satisfies A.Period;
  },
  snippet(_open, chars, _close) {
    return chars.sourceString;
  },

  Rule(label, head, op, body, _end) {
    const l = label.children[0];
    return {
      kind: 'rule',
      ...(l ? { label: l.children[0]!.sourceString, labelSpan: spanOf(l.children[0]!) } : {}),
      head: build(head, this.args.sink),
      op: op.sourceString as A.RuleOp,
      body: listOf(body, this.args.sink),
      span: spanOf(this),
    } satisfies A.Rule;
  },
  Head(name, dest, _open, args, _close) {
    const d = optional(dest, this.args.sink);
    return {
      kind: 'head',
      name: name.sourceString,
      nameSpan: spanOf(name),
      ...(d ? { dest: d } : {}),
      args: listOf(args, this.args.sink),
      span: spanOf(this),
    } satisfies A.Head;
  },
  Destination(_at, target) {
    return build(target, this.args.sink);
  },
  DestinationTarget_expr(_open, e, _close) {
    return build(e, this.args.sink);
  },
  DestinationTarget_int(i) {
    return build(i, this.args.sink);
  },
  DestinationTarget_var(v) {
    return variable(v);
  },
  Aggregate(name, _open, args, _close) {
    return {
      kind: 'aggregate',
      fn: name.sourceString as A.AggregateFn,
      fnSpan: spanOf(name),
      args: build(args, this.args.sink),
      span: spanOf(this),
    } satisfies A.Aggregate;
  },
  AggregateArgs_star(_star) {
    return 'star';
  },
  AggregateArgs_vars(list) {
    return list.asIteration().children.map(variable);
  },
  IndexArg(_kw, _open, _close) {
    return { kind: 'index', span: spanOf(this) } satisfies A.IndexArg;
  },

  Negation(_bang, atom) {
    return { kind: 'negation', atom: build(atom, this.args.sink), span: spanOf(this) } satisfies A.Negation;
  },
  LessThan(_kw, _open, v, _comma, bound, _close) {
    return {
      kind: 'lessThan',
      variable: variable(v),
      bound: build(bound, this.args.sink),
      span: spanOf(this),
    } satisfies A.LessThan;
  },
  LessThanBound(inner) {
    return inner.ctorName === 'ident' ? variable(inner) : build(inner, this.args.sink);
  },
  Predicate(_open, left, op, right, _close) {
    return {
      kind: 'predicate',
      op: op.sourceString as A.CompareOp,
      left: build(left, this.args.sink),
      right: build(right, this.args.sink),
      span: spanOf(this),
    } satisfies A.Predicate;
  },
  Atom(name, _open, args, _close) {
    return {
      kind: 'atom',
      name: name.sourceString,
      nameSpan: spanOf(name),
      args: listOf(args, this.args.sink),
      span: spanOf(this),
    } satisfies A.Atom;
  },
  Term(inner) {
    return inner.ctorName === 'ident' ? variable(inner) : build(inner, this.args.sink);
  },
  wildcard(_u) {
    return { kind: 'wildcard', span: spanOf(this) } satisfies A.Wildcard;
  },

  AddExpr_add(l, _op, r) {
    return binary('+', this, l, r);
  },
  AddExpr_sub(l, _op, r) {
    return binary('-', this, l, r);
  },
  MulExpr_mul(l, _op, r) {
    return binary('*', this, l, r);
  },
  MulExpr_div(l, _op, r) {
    return binary('/', this, l, r);
  },
  MulExpr_mod(l, _op, r) {
    return binary('%', this, l, r);
  },
  UnaryExpr_neg(_minus, operand) {
    const inner = build(operand, this.args.sink) as A.Expr;
    // `-5` is the literal -5, so printing and re-parsing give the same tree. Negating a literal
    // that is in range into one that is not (only -(-9223372036854775808)) stays an operation,
    // which wraps at run time like any arithmetic.
    if (inner.kind === 'int' && (-inner.value <= INT64_MAX || inner.value > INT64_MAX)) {
      return { kind: 'int', value: -inner.value, span: spanOf(this) } satisfies A.IntLiteral;
    }
    return { kind: 'unary', op: '-', operand: inner, span: spanOf(this) } satisfies A.UnaryExpr;
  },
  PrimaryExpr_paren(_open, e, _close) {
    return build(e, this.args.sink);
  },
  PrimaryExpr(inner) {
    return inner.ctorName === 'ident' ? variable(inner) : build(inner, this.args.sink);
  },
  Call(name, _open, args, _close) {
    return {
      kind: 'call',
      fn: name.sourceString,
      fnSpan: spanOf(name),
      args: listOf(args, this.args.sink),
      span: spanOf(this),
    } satisfies A.CallExpr;
  },

  int(_digits) {
    return { kind: 'int', value: BigInt(this.sourceString), span: spanOf(this) } satisfies A.IntLiteral;
  },
  signedInt(_minus, _digits) {
    return { kind: 'int', value: BigInt(this.sourceString), span: spanOf(this) } satisfies A.IntLiteral;
  },
  string(_open, chars, _close) {
    const span = spanOf(this);
    return { kind: 'string', value: decodeString(chars, this.args.sink), span } satisfies A.StringLiteral;
  },

  _iter(...children) {
    return children.map((c) => build(c, this.args.sink));
  },
});

function declaration(
  decl: A.DeclKind,
  node: ohm.Node,
  name: ohm.Node,
  shape: { columns?: A.Column[]; snippets?: string[] } | undefined,
): A.Declaration {
  return { kind: 'decl', decl, name: name.sourceString, nameSpan: spanOf(name), ...(shape ?? {}), span: spanOf(node) };
}

function variable(node: ohm.Node): A.Variable {
  return { kind: 'var', name: node.sourceString, span: spanOf(node) };
}

function binary(op: A.ArithOp, node: ohm.Node, l: ohm.Node, r: ohm.Node): A.BinaryExpr {
  const sink = (node as any).args.sink as Sink;
  return { kind: 'binary', op, left: build(l, sink), right: build(r, sink), span: spanOf(node) };
}

const simpleEscapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', '0': '\0' };

/** Decodes `\" \\ \n \t \r \0 \u{hex}`; anything else is DED104 and stands for itself. */
function decodeString(chars: ohm.Node, sink: Sink): string {
  let out = '';
  const text = chars.sourceString;
  const base = chars.source.startIdx;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[i + 1] ?? '';
    if (next in simpleEscapes) {
      out += simpleEscapes[next];
      i++;
      continue;
    }
    const unicode = /^u\{([0-9a-fA-F]+)\}/.exec(text.slice(i + 1));
    if (unicode) {
      const code = parseInt(unicode[1]!, 16);
      const span = { start: base + i, end: base + i + 1 + unicode[0].length };
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        sink.push(
          diagnostic('DED104', `\`\\${unicode[0]}\` is not a Unicode scalar value`, {
            span,
            label: code > 0x10ffff ? 'above U+10FFFF' : 'a surrogate, which UTF-8 cannot encode',
            hint: 'write a code point from 0 to D7FF or from E000 to 10FFFF',
          }),
        );
      } else out += String.fromCodePoint(code);
      i += unicode[0].length;
      continue;
    }
    sink.push(
      diagnostic('DED104', `invalid escape sequence \`\\${next}\` in a string literal`, {
        span: { start: base + i, end: base + i + 1 + next.length },
        label: 'unknown escape',
        hint: 'the escapes are \\" \\\\ \\n \\t \\r \\0 and \\u{...}',
      }),
    );
    out += next;
    i++;
  }
  return out;
}

/** Builds the tree of a successful match. */
export function buildProgram(match: ohm.MatchResult, sink: Sink): A.Program {
  return semantics(match)['ast'](sink) as A.Program;
}

semantics.addOperation<unknown>('fragment(sink)', {
  Fragment(items) {
    return buildAll(items, this.args.sink);
  },
});

/** Builds the items of a successful `Fragment` match. */
export function buildFragment(match: ohm.MatchResult, sink: Sink): A.RoleItem[] {
  return semantics(match)['fragment'](sink) as A.RoleItem[];
}
