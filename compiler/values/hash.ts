// The stable 64-bit hash behind `hash(v)`: FNV-1a over a type tag and the value's bytes (an
// integer as 8 little-endian bytes, a string as UTF-8), then the splitmix64 finaliser so the
// low bits spread well for `% n`, masked to 63 bits so the result is never negative.
// Every back end must compute exactly this; test/values pins a few results.

import type { Value } from './value.js';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;
const MASK63 = (1n << 63n) - 1n;
const encoder = new TextEncoder();

export function stableHash(v: Value): bigint {
  return stableHashTuple([v]);
}

/**
 * The hash of a tuple of values: FNV-1a over each value's tag and bytes in turn, then the
 * finaliser. A tuple of one value hashes like the value, so `partition(b, n, k)` agrees with
 * `hash(k) % n`. A string carries its length so that ("ab", "c") and ("a", "bc") differ.
 */
export function stableHashTuple(values: readonly Value[]): bigint {
  let h = FNV_OFFSET;
  const mix = (byte: number) => {
    h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK64;
  };
  const several = values.length > 1;
  for (const v of values) {
    if (typeof v === 'bigint') {
      mix(1);
      let x = BigInt.asUintN(64, v);
      for (let i = 0; i < 8; i++) {
        mix(Number(x & 0xffn));
        x >>= 8n;
      }
    } else {
      mix(2);
      const bytes = encoder.encode(v);
      if (several) for (let i = 0, n = bytes.length; i < 4; i++, n >>>= 8) mix(n & 0xff);
      for (const byte of bytes) mix(byte);
    }
  }
  return splitmixFinalize(h) & MASK63;
}

function splitmixFinalize(x: bigint): bigint {
  let z = x & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}
