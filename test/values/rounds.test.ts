// The `rounds(v, n)` built-in in the reference: the documented values (pinned: every back end
// must compute these), agreement of the fast 32-bit-halves implementation with the definition
// written with bigints over random seeds and counts, and the bounds on n (no value outside).

import { describe, expect, it } from 'vitest';
import { builtins } from '../../compiler/values/builtins.js';
import { stableHash } from '../../compiler/values/hash.js';
import { mixRounds, ROUNDS_MAX } from '../../compiler/values/rounds.js';
import type { Value } from '../../compiler/values/value.js';
import { Rng } from '../../sim/rng.js';

const M64 = (1n << 64n) - 1n;

/** The definition in docs/language.md, word for word. */
function definition(v: Value, n: number): bigint {
  let x = stableHash(v);
  for (let i = 0; i < n; i++) {
    let z = (x + 0x9e3779b97f4a7c15n) & M64;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    x = z ^ (z >> 31n);
  }
  return x & ((1n << 63n) - 1n);
}

const rounds = (v: Value, n: bigint) => builtins.get('rounds')!.apply([v, n]);

describe('rounds', () => {
  it('gives the documented reference values', () => {
    // The same table is in docs/language.md, "Built-in functions".
    expect(rounds(0n, 1n)).toBe(7174584711215285235n);
    expect(rounds('a', 1n)).toBe(2967783888845286298n);
    expect(rounds(42n, 1000n)).toBe(1930644884942107748n);
    expect(rounds('hello', 1_000_000n)).toBe(5185651505470312155n);
  });

  it('is hash(v) after 0 rounds, and has no value for n < 0 or n > 1,000,000', () => {
    for (const v of [0n, -1n, 'x', '']) expect(rounds(v, 0n)).toBe(stableHash(v));
    expect(rounds(1n, -1n)).toBeUndefined();
    expect(rounds(1n, -(2n ** 63n))).toBeUndefined();
    expect(rounds(1n, ROUNDS_MAX + 1n)).toBeUndefined();
    expect(rounds(1n, 2n ** 63n - 1n)).toBeUndefined();
    expect(rounds(1n, ROUNDS_MAX)).toBe(mixRounds(stableHash(1n), ROUNDS_MAX));
  });

  it('agrees with the definition over 3,000 random seeds and counts', () => {
    const rng = new Rng(11);
    const word = () => BigInt(rng.int(0, 0xffff));
    for (let t = 0; t < 3000; t++) {
      // Seeds over all of [0, 2^64): the state is 64 bits wide after the first round.
      const seed = (word() << 48n) | (word() << 32n) | (word() << 16n) | word();
      const n = rng.int(0, t % 10 === 0 ? 300 : 12);
      let x = seed;
      for (let i = 0; i < n; i++) {
        let z = (x + 0x9e3779b97f4a7c15n) & M64;
        z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
        z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
        x = z ^ (z >> 31n);
      }
      expect(mixRounds(seed, BigInt(n)), `seed ${seed}, ${n} rounds`).toBe(x & ((1n << 63n) - 1n));
    }
    for (const v of [7n, -(2n ** 63n), 2n ** 63n - 1n, 'héllo', '😀']) expect(rounds(v, 77n)).toBe(definition(v, 77));
  });
});
