// Runtime values of the dialect and their one canonical order. `int` and `addr` are signed
// 64-bit integers (an address is a node's number in the deployment); `string` is text. The
// order (integers numerically, then strings by code point) decides `choose`, `index()`,
// `min`/`max` over strings, and the order of printed facts, on every back end.

export type ValueType = 'int' | 'string' | 'addr';
export type Value = bigint | string;
export type Row = readonly Value[];

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Wraps to signed 64 bits (two's complement), as arithmetic does on every back end. */
export function wrap64(x: bigint): bigint {
  return BigInt.asIntN(64, x);
}

export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'bigint') {
    if (typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    return -1;
  }
  if (typeof b === 'bigint') return 1;
  return compareStrings(a, b);
}

/** Code-point order (the order of the UTF-8 bytes), not UTF-16 code-unit order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

export function compareRows(a: Row, b: Row): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** A string that identifies a row: equal rows, equal keys. */
export function rowKey(row: Row): string {
  let key = '';
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    if (i) key += ',';
    key += typeof v === 'bigint' ? `${v}` : JSON.stringify(v);
  }
  return key;
}
