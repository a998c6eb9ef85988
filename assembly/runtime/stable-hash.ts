// The `hash(...)` and `partition(...)` built-ins: bit-exact with compiler/values/hash.ts.
// Takes ints and interned string ids one value at a time; gives the 63-bit stable hash of the
// tuple. FNV-1a 64 over a tag byte and the value's bytes (a string's 4-byte length first when
// the tuple has several values), then the splitmix64 finaliser. Relies on u64 wrapping multiply.

import { stringPtr, stringLen } from "./strings";

const FNV_OFFSET: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

// @ts-ignore: decorator
@inline function mix(h: u64, byte: u64): u64 {
  return (h ^ byte) * FNV_PRIME;
}

export function hashBegin(): u64 {
  return FNV_OFFSET;
}

export function hashInt(h: u64, v: i64): u64 {
  h = mix(h, 1);
  const x = <u64>v;
  h = mix(h, x & 0xff);
  h = mix(h, (x >> 8) & 0xff);
  h = mix(h, (x >> 16) & 0xff);
  h = mix(h, (x >> 24) & 0xff);
  h = mix(h, (x >> 32) & 0xff);
  h = mix(h, (x >> 40) & 0xff);
  h = mix(h, (x >> 48) & 0xff);
  return mix(h, x >> 56);
}

/** withLength: the tuple has more than one value, so ("ab", "c") and ("a", "bc") differ. */
export function hashString(h: u64, id: i64, withLength: bool): u64 {
  h = mix(h, 2);
  const p = stringPtr(id);
  const n = stringLen(id);
  if (withLength) {
    const m = <u64><u32>n;
    h = mix(h, m & 0xff);
    h = mix(h, (m >> 8) & 0xff);
    h = mix(h, (m >> 16) & 0xff);
    h = mix(h, m >> 24);
  }
  const end = p + <usize>n;
  for (let q = p; q < end; q++) h = mix(h, <u64>load<u8>(q));
  return h;
}

export function hashEnd(h: u64): i64 {
  let z = h;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  z ^= z >> 31;
  return <i64>(z & 0x7fffffffffffffff);
}
