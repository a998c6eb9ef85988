// Values: the stable hash (pinned: every back end must compute these), the canonical order,
// row keys, and the built-in functions.

import { describe, expect, it } from 'vitest';
import { builtins } from '../../compiler/values/builtins.js';
import { stableHash } from '../../compiler/values/hash.js';
import { compareRows, compareStrings, compareValues, rowKey } from '../../compiler/values/value.js';

describe('hash', () => {
  it('gives the documented reference values', () => {
    // The same table is in docs/language.md, "Built-in functions".
    expect(stableHash(0n)).toBe(3157854246557864315n);
    expect(stableHash(1n)).toBe(6717884494356754681n);
    expect(stableHash(-1n)).toBe(4237332268280125952n);
    expect(stableHash(42n)).toBe(3619106368613159567n);
    expect(stableHash('')).toBe(2732870429936961976n);
    expect(stableHash('a')).toBe(5294907723357031685n);
    expect(stableHash('hello')).toBe(488108139809111874n);
  });

  it('is never negative and spreads small integers over residues', () => {
    const buckets = [0, 0, 0, 0];
    for (let i = 0n; i < 4000n; i++) {
      const h = stableHash(i);
      expect(h >= 0n).toBe(true);
      buckets[Number(h % 4n)]!++;
    }
    for (const b of buckets) expect(b).toBeGreaterThan(900);
  });
});

describe('canonical order', () => {
  it('orders integers numerically, before strings, and strings by code point', () => {
    expect(compareValues(-5n, 3n)).toBeLessThan(0);
    expect(compareValues(10n, 'a')).toBeLessThan(0);
    expect(compareStrings('B', 'a')).toBeLessThan(0);
    // U+FF61 is below U+1F600 by code point, above it by UTF-16 code unit.
    expect(compareStrings('\uFF61', '😀')).toBeLessThan(0);
    expect(compareStrings('ab', 'abc')).toBeLessThan(0);
    expect(compareRows([1n, 'x'], [1n, 'y'])).toBeLessThan(0);
  });

  it('gives equal rows equal keys and different rows different keys', () => {
    expect(rowKey([1n, 'a'])).toBe(rowKey([1n, 'a']));
    const rows = [[1n, 'a'], ['1', 'a'], [1n, 'a,1'], ['a,1'], [1n, '"a"'], [12n], [1n, 2n]];
    expect(new Set(rows.map(rowKey)).size).toBe(rows.length);
  });
});

describe('built-in functions', () => {
  const call = (name: string, ...args: (bigint | string)[]) => builtins.get(name)!.apply(args);
  it('compute as documented', () => {
    expect(call('len', 'héllo')).toBe(6n);
    expect(call('concat', 'ab', 'c')).toBe('abc');
    expect(call('abs', -3n)).toBe(3n);
    expect(call('abs', -(2n ** 63n))).toBe(-(2n ** 63n));
    expect(call('min2', 3n, -2n)).toBe(-2n);
    expect(call('max2', 3n, -2n)).toBe(3n);
    expect(call('hash', 'a')).toBe(stableHash('a'));
  });
});
