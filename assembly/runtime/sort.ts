// Sorting row ids of one set into the canonical row order (compareRows): for the order of
// sends and outputs on the wire, for index() numbering and for choose(). A merge sort over an
// i32 array of ids, with insertion sort for short runs; the scratch buffer is reused.

import { RowSet, compareRows } from './rows';

let scratch: usize = 0;
let scratchCap: i32 = 0;

/** Sorts n row ids at `ids` (an i32 array) by the rows' columns from `from` on. */
export function sortIds(set: RowSet, ids: usize, n: i32, from: i32): void {
  if (n < 2) return;
  if (n <= 16) {
    insertionSort(set, ids, 0, n, from);
    return;
  }
  if (scratchCap < n) {
    if (scratch) heap.free(scratch);
    scratchCap = n;
    scratch = heap.alloc(<usize>n << 2);
  }
  for (let lo = 0; lo < n; lo += 16) insertionSort(set, ids, lo, min(lo + 16, n), from);
  let src = ids;
  let dst = scratch;
  for (let width = 16; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const a = load<i32>(src + (<usize>i << 2));
        const b = load<i32>(src + (<usize>j << 2));
        if (compareRows(set, b, a, from) < 0) {
          store<i32>(dst + (<usize>(k++) << 2), b);
          j++;
        } else {
          store<i32>(dst + (<usize>(k++) << 2), a);
          i++;
        }
      }
      while (i < mid) store<i32>(dst + (<usize>(k++) << 2), load<i32>(src + (<usize>(i++) << 2)));
      while (j < hi) store<i32>(dst + (<usize>(k++) << 2), load<i32>(src + (<usize>(j++) << 2)));
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != ids) memory.copy(ids, src, <usize>n << 2);
}

function insertionSort(set: RowSet, ids: usize, lo: i32, hi: i32, from: i32): void {
  for (let i = lo + 1; i < hi; i++) {
    const x = load<i32>(ids + (<usize>i << 2));
    let j = i - 1;
    while (j >= lo) {
      const y = load<i32>(ids + (<usize>j << 2));
      if (compareRows(set, y, x, from) <= 0) break;
      store<i32>(ids + (<usize>(j + 1) << 2), y);
      j--;
    }
    store<i32>(ids + (<usize>(j + 1) << 2), x);
  }
}

/** A reusable i32 array of row ids, filled with a range of a set's ids and sorted in place. */
export class IdList {
  ptr: usize = 0;
  cap: i32 = 0;
  n: i32 = 0;

  fill(lo: i32, hi: i32): void {
    const n = max(hi - lo, 0);
    if (this.cap < n) {
      if (this.ptr) heap.free(this.ptr);
      this.cap = max(n, 64);
      this.ptr = heap.alloc(<usize>this.cap << 2);
    }
    for (let i = 0; i < n; i++) store<i32>(this.ptr + (<usize>i << 2), lo + i);
    this.n = n;
  }

  @inline at(i: i32): i32 {
    return load<i32>(this.ptr + (<usize>i << 2));
  }

  sort(set: RowSet, from: i32): void {
    sortIds(set, this.ptr, this.n, from);
  }

  /** Gives back memory after an unusually large tick. */
  shrink(): void {
    if (this.cap > 4096 && this.n * 8 < this.cap) {
      heap.free(this.ptr);
      this.ptr = 0;
      this.cap = 0;
    }
  }
}
