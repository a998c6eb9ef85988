// Constructors for syntax-tree nodes the rewrites generate. Generated nodes have empty spans:
// the rewritten program is printed and parsed again before anything reads positions.

import type {
  Atom,
  BodyLiteral,
  Column,
  DeclKind,
  Declaration,
  Expr,
  Head,
  HeadArg,
  Negation,
  Predicate,
  Rule,
  RuleOp,
  Term,
  TypeName,
  Variable,
} from '../../compiler/parse/ast.js';

const NOWHERE = { start: 0, end: 0 } as const;

export function v(name: string): Variable {
  return { kind: 'var', name, span: NOWHERE };
}

export function atom(name: string, args: readonly Term[]): Atom {
  return { kind: 'atom', name, nameSpan: NOWHERE, args, span: NOWHERE };
}

export function not(a: Atom): Negation {
  return { kind: 'negation', atom: a, span: NOWHERE };
}

export function eq(left: Expr, right: Expr): Predicate {
  return { kind: 'predicate', op: '==', left, right, span: NOWHERE };
}

export function call(fn: string, args: readonly Expr[]): Expr {
  return { kind: 'call', fn, fnSpan: NOWHERE, args, span: NOWHERE };
}

export function head(name: string, args: readonly HeadArg[], dest?: Expr): Head {
  return { kind: 'head', name, nameSpan: NOWHERE, ...(dest ? { dest } : {}), args, span: NOWHERE };
}

export function rule(h: Head, op: RuleOp, body: readonly BodyLiteral[], label?: string): Rule {
  return { kind: 'rule', ...(label ? { label, labelSpan: NOWHERE } : {}), head: h, op, body, span: NOWHERE };
}

export function decl(kind: DeclKind, name: string, columns?: readonly { name: string; type?: TypeName }[]): Declaration {
  const cols: Column[] | undefined = columns?.map((c) => ({ name: c.name, ...(c.type ? { type: c.type } : {}), span: NOWHERE }));
  return { kind: 'decl', decl: kind, name, nameSpan: NOWHERE, ...(cols ? { columns: cols } : {}), span: NOWHERE };
}

/** Variables `x0, x1, ...` for copying a relation's columns through a rule. */
export function vars(n: number, prefix = 'x'): Variable[] {
  return Array.from({ length: n }, (_, i) => v(`${prefix}${i}`));
}
