// The syntax tree of a Dedalus file, as the parser builds it and the printer prints it. Every
// node carries the span of its text; `stripSpans` removes them so trees can be compared.
// Location and time stay implicit, as in the source: the rule operator says when, `@` says where.

import type { Span } from '../source.js';

export interface Program {
  readonly kind: 'program';
  readonly items: readonly Item[];
  readonly span: Span;
}

export type Item = RoleBlock | Declaration | Rule;
export type RoleItem = Declaration | Rule;

/** `role leader { ... }`: the rules (and, for reading convenience, declarations) of one role. */
export interface RoleBlock {
  readonly kind: 'role';
  readonly name: string;
  readonly nameSpan: Span;
  readonly items: readonly RoleItem[];
  readonly span: Span;
}

export type DeclKind = 'input' | 'output' | 'async' | 'static' | 'persist' | 'durable' | 'timer';

export type TypeName = 'int' | 'string' | 'addr';

export interface Column {
  readonly name: string;
  readonly type?: TypeName;
  readonly span: Span;
}

export interface Period {
  readonly amount: number;
  readonly unit: TimeUnit;
  readonly span: Span;
}

export type TimeUnit = 'us' | 'ms' | 's';

/** Microseconds in one of each unit, for timer periods here and durations in deployments. */
export const microsPerUnit: Readonly<Record<TimeUnit, number>> = { us: 1, ms: 1000, s: 1_000_000 };

export function periodMicros(p: Period): number {
  return p.amount * microsPerUnit[p.unit];
}

/**
 * `.input r(a: int)`, `.async r \`..\` \`..\``, `.persist r`, `.timer t 100ms`, ...
 * Exactly one of `columns` (native form) and `snippets` (Hydro form, opaque text) is set for
 * input/output/async/static declarations that give a shape; both are absent for a bare name.
 */
export interface Declaration {
  readonly kind: 'decl';
  readonly decl: DeclKind;
  readonly name: string;
  readonly nameSpan: Span;
  readonly columns?: readonly Column[];
  readonly snippets?: readonly string[];
  readonly period?: Period;
  readonly span: Span;
}

export type RuleOp = ':-' | ':+' | ':~';

export interface Rule {
  readonly kind: 'rule';
  readonly label?: string;
  readonly labelSpan?: Span;
  readonly head: Head;
  readonly op: RuleOp;
  readonly body: readonly BodyLiteral[];
  readonly span: Span;
}

export interface Head {
  readonly kind: 'head';
  readonly name: string;
  readonly nameSpan: Span;
  readonly dest?: Expr;
  readonly args: readonly HeadArg[];
  readonly span: Span;
}

export type HeadArg = Expr | Aggregate | IndexArg;

export type AggregateFn = 'count' | 'sum' | 'min' | 'max' | 'choose';
export const aggregateFns: readonly AggregateFn[] = ['count', 'sum', 'min', 'max', 'choose'];

/** `count(x)`, `count(x, y)`, `count(*)`, `sum(x)`, `min(x)`, `max(x)`, `choose(x)`. */
export interface Aggregate {
  readonly kind: 'aggregate';
  readonly fn: AggregateFn;
  readonly fnSpan: Span;
  /** `star` for `count(*)`. */
  readonly args: readonly Variable[] | 'star';
  readonly span: Span;
}

/** `index()`: numbers the facts a rule derives in one tick. */
export interface IndexArg {
  readonly kind: 'index';
  readonly span: Span;
}

export type BodyLiteral = Atom | Negation | Predicate | LessThan;

export interface Atom {
  readonly kind: 'atom';
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Term[];
  readonly span: Span;
}

export interface Negation {
  readonly kind: 'negation';
  readonly atom: Atom;
  readonly span: Span;
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Predicate {
  readonly kind: 'predicate';
  readonly op: CompareOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** `less_than(x, n)`: binds x to each integer in [0, n). */
export interface LessThan {
  readonly kind: 'lessThan';
  readonly variable: Variable;
  readonly bound: Variable | IntLiteral;
  readonly span: Span;
}

export type Term = Variable | Wildcard | IntLiteral | StringLiteral;

export type Expr = Variable | IntLiteral | StringLiteral | BinaryExpr | UnaryExpr | CallExpr;

export interface Variable {
  readonly kind: 'var';
  readonly name: string;
  readonly span: Span;
}

export interface Wildcard {
  readonly kind: 'wildcard';
  readonly span: Span;
}

export interface IntLiteral {
  readonly kind: 'int';
  readonly value: bigint;
  readonly span: Span;
}

export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
  readonly span: Span;
}

export type ArithOp = '+' | '-' | '*' | '/' | '%';

export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: ArithOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** Negation of a non-literal; `-5` is folded into the literal by the parser. */
export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: '-';
  readonly operand: Expr;
  readonly span: Span;
}

export interface CallExpr {
  readonly kind: 'call';
  readonly fn: string;
  readonly fnSpan: Span;
  readonly args: readonly Expr[];
  readonly span: Span;
}

// --- helpers over the tree -------------------------------------------------------------------

/** A deep copy without spans, for comparing trees. */
export function stripSpans<T>(node: T): T {
  if (Array.isArray(node)) return node.map((n) => stripSpans(n)) as T;
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'span' || key.endsWith('Span')) continue;
      out[key] = stripSpans(value);
    }
    return out as T;
  }
  return node;
}

/** Rules of a program in source order, with the role block each stands in (if any). */
export function* rulesOf(program: Program): Generator<{ rule: Rule; role?: RoleBlock }> {
  for (const item of program.items) {
    if (item.kind === 'rule') yield { rule: item };
    else if (item.kind === 'role') {
      for (const inner of item.items) if (inner.kind === 'rule') yield { rule: inner, role: item };
    }
  }
}

export function* declarationsOf(program: Program): Generator<Declaration> {
  for (const item of program.items) {
    if (item.kind === 'decl') yield item;
    else if (item.kind === 'role') {
      for (const inner of item.items) if (inner.kind === 'decl') yield inner;
    }
  }
}

/** Variables of an expression, left to right, with repeats. */
export function* exprVariables(e: Expr): Generator<Variable> {
  switch (e.kind) {
    case 'var':
      yield e;
      return;
    case 'int':
    case 'string':
      return;
    case 'binary':
      yield* exprVariables(e.left);
      yield* exprVariables(e.right);
      return;
    case 'unary':
      yield* exprVariables(e.operand);
      return;
    case 'call':
      for (const a of e.args) yield* exprVariables(a);
      return;
    default:
      return assertNever(e);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected node: ${JSON.stringify(x)}`);
}
