// Key terms: an expression over the columns of one relation, built from column references and
// calls of built-in functions (`hash(#0)`, `upper(#1)`, `#2`). Functional dependencies say a
// column equals a key term of the others; distribution policies key each relation by a tuple of
// key terms. Arithmetic and constants are deliberately not key terms: a key must be a function
// the rewriter can route by, and the dependency analysis only trusts built-in functions.

import { compareStrings } from '../../compiler/values/value.js';

export type KeyTerm =
  | { readonly kind: 'column'; readonly index: number }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly KeyTerm[] };

export function columnTerm(index: number): KeyTerm {
  return { kind: 'column', index };
}

export function callTerm(fn: string, args: readonly KeyTerm[]): KeyTerm {
  return { kind: 'call', fn, args };
}

/** `#2`, or the column's name when given (`payload`); calls as `hash(payload)`. */
export function printKeyTerm(t: KeyTerm, columnNames?: readonly (string | undefined)[]): string {
  if (t.kind === 'column') return columnNames?.[t.index] ?? `#${t.index}`;
  return `${t.fn}(${t.args.map((a) => printKeyTerm(a, columnNames)).join(', ')})`;
}

/** `(a, b)` for a key tuple. */
export function printKey(key: readonly KeyTerm[], columnNames?: readonly (string | undefined)[]): string {
  return `(${key.map((t) => printKeyTerm(t, columnNames)).join(', ')})`;
}

export function keyTermEquals(a: KeyTerm, b: KeyTerm): boolean {
  if (a.kind === 'column') return b.kind === 'column' && a.index === b.index;
  if (b.kind !== 'call' || a.fn !== b.fn || a.args.length !== b.args.length) return false;
  return a.args.every((x, i) => keyTermEquals(x, b.args[i]!));
}

/** Nesting of calls: 0 for a column, 1 for `hash(#0)`. */
export function keyTermDepth(t: KeyTerm): number {
  return t.kind === 'column' ? 0 : 1 + Math.max(0, ...t.args.map(keyTermDepth));
}

/** The columns a term reads, ascending, without repeats. */
export function keyTermColumns(t: KeyTerm): number[] {
  const out = new Set<number>();
  const walk = (x: KeyTerm): void => {
    if (x.kind === 'column') out.add(x.index);
    else x.args.forEach(walk);
  };
  walk(t);
  return [...out].sort((a, b) => a - b);
}

/** A total order: columns first (by index), then shallower terms, then by printed text. */
export function compareKeyTerms(a: KeyTerm, b: KeyTerm): number {
  if (a.kind === 'column' && b.kind === 'column') return a.index - b.index;
  if (a.kind === 'column') return -1;
  if (b.kind === 'column') return 1;
  return keyTermDepth(a) - keyTermDepth(b) || compareStrings(printKeyTerm(a), printKeyTerm(b));
}
