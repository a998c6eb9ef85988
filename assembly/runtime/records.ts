// Batches in and out of a node, in the wire layout: the bytes a host sends to a peer are the
// bytes this module wrote, and the bytes it receives are pushed in unchanged (one copy each
// way). A batch is a sequence of records, each 8-byte aligned:
//
//   0      4      8              16     20     24
//   ┌──────┬──────┬──────────────┬──────┬──────┬─────────────────────────┬─────────────────┐
//   │ kind │ rel  │ dest (i64)   │ rows │ strs │ rows × arity × 8 bytes  │ string bytes    │
//   └──────┴──────┴──────────────┴──────┴──────┴─────────────────────────┴─────────────────┘
//   kind 0 message or input, 1 output fact, 2 durable fact, 3 carried fact (a dump); rel: the
//   relation's number in the manifest; an int column is its i64, a string column is
//   (u32 offset, u32 length) into the string bytes; the record is padded to 8 bytes.
// Malformed records and rows are rejected and counted; they never trap.

import { RowSet } from './rows';
import { IdList } from './sort';
import { internBytes, stringLen, stringPtr } from './strings';

export const HEADER: i32 = 24;

/**
 * Where the host reads the results of the last call without further calls:
 *   0 output pointer | 4 output length | 8 rows accepted by the last push | 12 carried facts
 *   changed in the last tick (0/1) | 16 input buffer capacity
 */
const STATUS: usize = memory.data(24, 8);

export function statusPtr(): usize {
  return STATUS;
}

/** Publishes the output buffer (and whether the tick changed carried facts) in the status block. */
export function publish(changed: bool): void {
  store<u32>(STATUS, <u32>out);
  store<u32>(STATUS, <u32>outLen, 4);
  store<u32>(STATUS, changed ? 1 : 0, 12);
}

let out: usize = 0;
let outLen: i32 = 0;
let outCap: i32 = 0;

export function outReset(): void {
  outLen = 0;
  if (outCap > (1 << 20)) {
    heap.free(out);
    out = 0;
    outCap = 0;
  }
}

function ensure(extra: i32): void {
  if (outLen + extra <= outCap) return;
  let cap = max(outCap, 4096);
  while (cap < outLen + extra) cap <<= 1;
  out = out ? heap.realloc(out, <usize>cap) : heap.alloc(<usize>cap);
  outCap = cap;
}

/** Appends one record holding rows `ids[lo, hi)` of `set`, columns from `from` on. */
export function writeRecord(kind: i32, rel: i32, dest: i64, set: RowSet, ids: IdList, lo: i32, hi: i32, from: i32): void {
  const n = hi - lo;
  if (n <= 0) return;
  const width = set.arity - from;
  const mask = set.strMask;
  let strs: i32 = 0;
  if (mask) {
    for (let k = lo; k < hi; k++) {
      const row = set.row(ids.at(k));
      for (let c = from; c < set.arity; c++) if ((mask >> <u64>c) & 1) strs += stringLen(load<i64>(row + (<usize>c << 3)));
    }
  }
  const rowBytes = n * width * 8;
  const total = HEADER + rowBytes + ((strs + 7) & ~7);
  ensure(total);
  const base = out + <usize>outLen;
  store<u32>(base, kind);
  store<u32>(base, rel, 4);
  store<i64>(base, dest, 8);
  store<u32>(base, n, 16);
  store<u32>(base, strs, 20);
  let w = base + HEADER;
  const strBase = base + HEADER + <usize>rowBytes;
  let so: u32 = 0;
  for (let k = lo; k < hi; k++) {
    const row = set.row(ids.at(k));
    for (let c = from; c < set.arity; c++) {
      const v = load<i64>(row + (<usize>c << 3));
      if ((mask >> <u64>c) & 1) {
        const len = stringLen(v);
        memory.copy(strBase + so, stringPtr(v), <usize>len);
        store<u32>(w, so);
        store<u32>(w, len, 4);
        so += len;
      } else store<i64>(w, v);
      w += 8;
    }
  }
  const padded = (strs + 7) & ~7;
  if (padded > strs) memory.fill(strBase + <usize>strs, 0, <usize>(padded - strs));
  outLen += total;
}

let rowBuf: usize = 0;
let rowCap: i32 = 0;
let accepted: i32 = 0;

/**
 * Inserts the rows of every record in [ptr, ptr + len) into the set `accept[rel]` (records
 * of kind `kind` only); returns how many rows were rejected: whole records whose header is
 * bad or whose relation is not accepted here, and rows whose strings point outside the record.
 */
export function pushRecords(ptr: usize, len: i32, kind: i32, accept: Array<RowSet | null>): i32 {
  let rejected = 0;
  accepted = 0;
  let at: i32 = 0;
  while (at + HEADER <= len) {
    const base = ptr + <usize>at;
    const k = load<u32>(base);
    const rel = load<u32>(base, 4);
    const n = load<u32>(base, 16);
    const strs = load<u32>(base, 20);
    if (rel >= <u32>accept.length) return finishPush(rejected + <i32>min(n, 1 << 30));
    const set = unchecked(accept[rel]);
    const width: u64 = set ? <u64>set.arity : 0;
    const total: u64 = <u64>HEADER + <u64>n * width * 8 + ((<u64>strs + 7) & ~7);
    if (total > <u64>(len - at)) return finishPush(rejected + <i32>min(n, 1 << 30));
    at += <i32>total;
    if (k != <u32>kind || !set) {
      rejected += <i32>n;
      continue;
    }
    const s = changetype<RowSet>(set);
    if (rowCap < s.stride) {
      if (rowBuf) heap.free(rowBuf);
      rowCap = max(s.stride, 512);
      rowBuf = heap.alloc(<usize>rowCap);
    }
    const rowsAt = base + HEADER;
    const strAt = rowsAt + <usize>(<u64>n * width * 8);
    const mask = s.strMask;
    for (let r: u32 = 0; r < n; r++) {
      const src = rowsAt + <usize>r * <usize>(width * 8);
      let ok = true;
      for (let c = 0; c < s.arity; c++) {
        const cell = src + (<usize>c << 3);
        if ((mask >> <u64>c) & 1) {
          const off = load<u32>(cell);
          const l = load<u32>(cell, 4);
          if (<u64>off + <u64>l > <u64>strs) {
            ok = false;
            break;
          }
          store<i64>(rowBuf + (<usize>c << 3), internBytes(strAt + <usize>off, <i32>l));
        } else store<i64>(rowBuf + (<usize>c << 3), load<i64>(cell));
      }
      if (!ok) {
        rejected++;
        continue;
      }
      if (s.insert(rowBuf) >= 0) accepted++;
    }
  }
  if (at != len) rejected++;
  store<u32>(STATUS, <u32>accepted, 8);
  return rejected;
}

function finishPush(rejected: i32): i32 {
  store<u32>(STATUS, <u32>accepted, 8);
  return rejected;
}

let inBuf: usize = 0;
let inCap: i32 = 0;

/** A buffer of at least n bytes the host writes a batch into before `push`. */
export function inputBuffer(n: i32): usize {
  if (inCap < n) {
    if (inBuf) heap.free(inBuf);
    inCap = max(n, 4096);
    inBuf = heap.alloc(<usize>inCap);
    store<u32>(STATUS, <u32>inCap, 16);
  }
  return inBuf;
}
