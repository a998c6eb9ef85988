// The string built-ins of compiler/values/builtins.ts over interned ids: upper, concat, len.
// Takes ids, gives ids (results are interned like any other string). Relies on internBytes
// copying its input, so one scratch buffer can be reused for every result.

import { internBytes, stringPtr, stringLen } from "./strings";

// Results up to this size are built in a scratch block kept for the node's life; larger ones
// in a block freed straight after, so one huge string does not pin its size forever.
const SCRATCH: usize = 4096;
let scratch: usize = heap.alloc(SCRATCH);

/** ASCII a-z to A-Z, every other byte unchanged (multi-byte UTF-8 bytes are all >= 0x80). */
export function upperString(id: i64): i64 {
  const p = stringPtr(id);
  const n = <usize>stringLen(id);
  let i: usize = 0;
  while (i < n && <u32>load<u8>(p + i) - 97 >= 26) i++;
  if (i == n) return id;
  const out = n <= SCRATCH ? scratch : heap.alloc(n);
  memory.copy(out, p, i);
  for (; i < n; i++) {
    const b = <u32>load<u8>(p + i);
    store<u8>(out + i, <u8>(b - 97 < 26 ? b - 32 : b));
  }
  const r = internBytes(out, <i32>n);
  if (out != scratch) heap.free(out);
  return r;
}

export function concatStrings(a: i64, b: i64): i64 {
  const la = <usize>stringLen(a);
  const lb = <usize>stringLen(b);
  if (la == 0) return b;
  if (lb == 0) return a;
  const n = la + lb;
  const out = n <= SCRATCH ? scratch : heap.alloc(n);
  memory.copy(out, stringPtr(a), la);
  memory.copy(out + la, stringPtr(b), lb);
  const r = internBytes(out, <i32>n);
  if (out != scratch) heap.free(out);
  return r;
}

/** The length in UTF-8 bytes, which is what is stored. */
export function stringByteLength(id: i64): i64 {
  return <i64>stringLen(id);
}
