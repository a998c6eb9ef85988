// A relation's facts on one node: a set of fixed-width rows of 64-bit columns (a string column
// holds an interned id), append-only between clears, so a range of row ids [lo, hi) is a
// version of the relation: semi-naive evaluation reads "old", "delta" and "new" rows as ranges.
// Hash indexes on column subsets are kept up to date on every insert.
//
//   rows   ┌──────────────┬──────────────┬─────┐   stride = arity * 8 bytes (at least 8)
//          │ row 0: c0 c1 │ row 1: c0 c1 │ ... │   row id i lives at rows + i * stride
//          └──────────────┴──────────────┴─────┘
//   table  8-byte slots, power-of-two size, linear probing: u32 hash | i32 row id + 1 (0: empty)
//   Index  heads: slots of the same shape (the newest row with that key; the id's top bit says
//          older rows share the key), next: i32 per row, the next older row id with the same
//          key, or -1: a chain, newest first. A key with one row never touches `next`.

import { compareStrings, markString } from './strings';

let epochCounter: i32 = 0;

/** A fresh number for a set whose rows were replaced, so watermarks on it reset. */
export function nextEpoch(): i32 {
  return ++epochCounter;
}

// @ts-ignore: decorator
@inline function mix(h: u64, v: u64): u64 {
  h = (h ^ v) * 0x9e3779b97f4a7c15;
  return h ^ (h >> 29);
}

// @ts-ignore: decorator
@inline function finish(h: u64): u32 {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93;
  return <u32>(h ^ (h >> 32));
}

function allocZeroed(bytes: usize): usize {
  const p = heap.alloc(bytes);
  memory.fill(p, 0, bytes);
  return p;
}

// A slot of a hash table: the row's (or key's) 32-bit hash and its row id + 1 (0 when empty).
// Keeping the hash in the slot means a probe reads a row only when the hashes agree: at a
// million rows, each row read is a cache miss.
// @ts-ignore: decorator
@inline function slotAt(table: usize, slot: u32): usize {
  return table + (<usize>slot << 3);
}

export class Index {
  set: RowSet;
  cols: StaticArray<i32>;
  ncols: i32;
  heads: usize = 0;
  hmask: i32 = 0;
  keys: i32 = 0;
  next: usize = 0;

  constructor(set: RowSet, cols: StaticArray<i32>) {
    this.set = set;
    this.cols = cols;
    this.ncols = cols.length;
    this.heads = allocZeroed(16 << 3);
    this.hmask = 15;
    this.next = heap.alloc(<usize>max(set.cap, 8) << 2);
  }

  /** The hash of the key columns of a stored row. */
  @inline rowKeyHash(row: usize): u32 {
    let h: u64 = 0x243f6a8885a308d3;
    for (let i = 0; i < this.ncols; i++) h = mix(h, load<u64>(row + (<usize>unchecked(this.cols[i]) << 3)));
    return finish(h);
  }

  /** The hash of a key laid out as ncols consecutive i64 values. */
  @inline keyHash(key: usize): u32 {
    let h: u64 = 0x243f6a8885a308d3;
    for (let i = 0; i < this.ncols; i++) h = mix(h, load<u64>(key + (<usize>i << 3)));
    return finish(h);
  }

  @inline rowMatchesKey(row: usize, key: usize): bool {
    for (let i = 0; i < this.ncols; i++) {
      if (load<u64>(row + (<usize>unchecked(this.cols[i]) << 3)) != load<u64>(key + (<usize>i << 3))) return false;
    }
    return true;
  }

  @inline rowsShareKey(a: usize, b: usize): bool {
    for (let i = 0; i < this.ncols; i++) {
      const off = <usize>unchecked(this.cols[i]) << 3;
      if (load<u64>(a + off) != load<u64>(b + off)) return false;
    }
    return true;
  }

  /** Set by `first`: whether older rows share the key (else the chain need not be read). */
  more: bool = false;

  /** The newest row id whose key columns equal the key, or -1. */
  first(key: usize): i32 {
    const h = this.keyHash(key);
    let slot = h & <u32>this.hmask;
    const set = this.set;
    for (;;) {
      const p = slotAt(this.heads, slot);
      const e = load<i32>(p, 4);
      if (e == 0) return -1;
      const id = (e & 0x7fffffff) - 1;
      if (load<u32>(p) == h && this.rowMatchesKey(set.row(id), key)) {
        this.more = e < 0;
        return id;
      }
      slot = (slot + 1) & <u32>this.hmask;
    }
    return -1; // unreachable: the table always has an empty slot
  }

  /** The next older row id with the same key, or -1. */
  @inline nextOf(id: i32): i32 {
    return load<i32>(this.next + (<usize>id << 2));
  }

  add(id: i32): void {
    const set = this.set;
    const row = set.row(id);
    if ((this.keys + 1) * 2 > this.hmask + 1) this.growHeads();
    const h = this.rowKeyHash(row);
    let slot = h & <u32>this.hmask;
    for (;;) {
      const p = slotAt(this.heads, slot);
      const e = load<i32>(p, 4);
      if (e == 0) {
        store<u32>(p, h);
        store<i32>(p, id + 1, 4);
        store<i32>(this.next + (<usize>id << 2), -1);
        this.keys++;
        return;
      }
      const head = (e & 0x7fffffff) - 1;
      if (load<u32>(p) == h && this.rowsShareKey(set.row(head), row)) {
        // The new row heads the chain; the top bit says older rows follow.
        store<i32>(p, (id + 1) | 0x80000000, 4);
        store<i32>(this.next + (<usize>id << 2), head);
        return;
      }
      slot = (slot + 1) & <u32>this.hmask;
    }
  }

  growHeads(): void {
    const old = this.heads;
    const oldSize = this.hmask + 1;
    const size = oldSize << 1;
    this.heads = allocZeroed(<usize>size << 3);
    this.hmask = size - 1;
    for (let s: u32 = 0; s < <u32>oldSize; s++) {
      const q = slotAt(old, s);
      if (load<i32>(q, 4) == 0) continue;
      const h = load<u32>(q);
      let slot = h & <u32>this.hmask;
      while (load<i32>(slotAt(this.heads, slot), 4) != 0) slot = (slot + 1) & <u32>this.hmask;
      store<u64>(slotAt(this.heads, slot), load<u64>(q));
    }
    heap.free(old);
  }

  /** Room for `cap` rows in the chain array. */
  reserve(cap: i32): void {
    this.next = heap.realloc(this.next, <usize>cap << 2);
  }

  /** Empties the heads; the table shrinks when it is far larger than `expect` keys need. */
  reset(expect: i32): void {
    const size = this.hmask + 1;
    let want = 16;
    while (want < expect * 4) want <<= 1;
    if (size > 1024 && size > want * 4) {
      heap.free(this.heads);
      this.heads = allocZeroed(<usize>want << 3);
      this.hmask = want - 1;
    } else memory.fill(this.heads, 0, <usize>size << 3);
    this.keys = 0;
  }

  swapWith(o: Index): void {
    const h = this.heads, m = this.hmask, k = this.keys, n = this.next;
    this.heads = o.heads; this.hmask = o.hmask; this.keys = o.keys; this.next = o.next;
    o.heads = h; o.hmask = m; o.keys = k; o.next = n;
  }
}

export class RowSet {
  arity: i32;
  stride: i32;
  /** Bit i set when column i holds string ids (for ordering and string reclamation). */
  strMask: u64;
  rows: usize = 0;
  count: i32 = 0;
  cap: i32 = 8;
  table: usize = 0;
  tmask: i32 = 15;
  epoch: i32 = 0;
  indexes: Array<Index> = new Array<Index>();

  constructor(arity: i32, strMask: u64) {
    this.arity = arity;
    this.stride = max(arity, 1) << 3;
    this.strMask = strMask;
    this.rows = heap.alloc(<usize>this.cap * this.stride);
    this.table = allocZeroed(16 << 3);
    this.epoch = nextEpoch();
  }

  @inline row(id: i32): usize {
    return this.rows + <usize>id * <usize>this.stride;
  }

  @inline get(id: i32, col: i32): i64 {
    return load<i64>(this.rows + <usize>id * <usize>this.stride + (<usize>col << 3));
  }

  /** An index on the given columns; add indexes before the first insert. */
  addIndex(cols: StaticArray<i32>): Index {
    const ix = new Index(this, cols);
    ix.reserve(this.cap);
    for (let i = 0; i < this.count; i++) ix.add(i);
    this.indexes.push(ix);
    return ix;
  }

  @inline rowHash(src: usize): u32 {
    let h: u64 = 0x13198a2e03707344;
    for (let i = 0; i < this.arity; i++) h = mix(h, load<u64>(src + (<usize>i << 3)));
    return finish(h);
  }

  @inline sameRow(a: usize, b: usize): bool {
    for (let i = 0; i < this.arity; i++) if (load<u64>(a + (<usize>i << 3)) != load<u64>(b + (<usize>i << 3))) return false;
    return true;
  }

  /** The id of the row equal to src, or -1. */
  find(src: usize): i32 {
    const h = this.rowHash(src);
    let slot = h & <u32>this.tmask;
    for (;;) {
      const p = slotAt(this.table, slot);
      const e = load<i32>(p, 4);
      if (e == 0) return -1;
      if (load<u32>(p) == h && this.sameRow(this.row(e - 1), src)) return e - 1;
      slot = (slot + 1) & <u32>this.tmask;
    }
    return -1; // unreachable: the table always has an empty slot
  }

  /** Adds a copy of the row at src; returns its new id, or -1 when the row was already there. */
  insert(src: usize): i32 {
    if ((this.count + 1) * 2 > this.tmask + 1) this.growTable();
    const h = this.rowHash(src);
    let slot = h & <u32>this.tmask;
    for (;;) {
      const p = slotAt(this.table, slot);
      const e = load<i32>(p, 4);
      if (e == 0) {
        if (this.count == this.cap) this.growRows();
        const id = this.count++;
        memory.copy(this.row(id), src, <usize>this.stride);
        store<u32>(p, h);
        store<i32>(p, id + 1, 4);
        const ixs = this.indexes;
        for (let i = 0, n = ixs.length; i < n; i++) unchecked(ixs[i]).add(id);
        return id;
      }
      if (load<u32>(p) == h && this.sameRow(this.row(e - 1), src)) return -1;
      slot = (slot + 1) & <u32>this.tmask;
    }
    return -1; // unreachable
  }

  growRows(): void {
    this.cap <<= 1;
    this.rows = heap.realloc(this.rows, <usize>this.cap * this.stride);
    const ixs = this.indexes;
    for (let i = 0, n = ixs.length; i < n; i++) unchecked(ixs[i]).reserve(this.cap);
  }

  growTable(): void {
    const old = this.table;
    const oldSize = this.tmask + 1;
    const size = oldSize << 1;
    this.table = allocZeroed(<usize>size << 3);
    this.tmask = size - 1;
    for (let s: u32 = 0; s < <u32>oldSize; s++) {
      const q = slotAt(old, s);
      if (load<i32>(q, 4) == 0) continue;
      let slot = load<u32>(q) & <u32>this.tmask;
      while (load<i32>(slotAt(this.table, slot), 4) != 0) slot = (slot + 1) & <u32>this.tmask;
      store<u64>(slotAt(this.table, slot), load<u64>(q));
    }
    heap.free(old);
  }

  @inline place(id: i32): void {
    const h = this.rowHash(this.row(id));
    let slot = h & <u32>this.tmask;
    while (load<i32>(slotAt(this.table, slot), 4) != 0) slot = (slot + 1) & <u32>this.tmask;
    store<u32>(slotAt(this.table, slot), h);
    store<i32>(slotAt(this.table, slot), id + 1, 4);
  }

  /** Drops every row; buffers shrink when they are far larger than the last contents needed. */
  clear(): void {
    const had = this.count;
    this.count = 0;
    this.epoch = nextEpoch();
    if (had == 0) return;
    let want = 16;
    while (want < had * 4) want <<= 1;
    const size = this.tmask + 1;
    if (size > 1024 && size > want * 4) {
      heap.free(this.table);
      this.table = allocZeroed(<usize>want << 3);
      this.tmask = want - 1;
    } else memory.fill(this.table, 0, <usize>size << 3);
    if (this.cap > 1024 && this.cap > had * 8) {
      this.cap = max(8, had * 2);
      this.rows = heap.realloc(this.rows, <usize>this.cap * this.stride);
      const ixs = this.indexes;
      for (let i = 0, n = ixs.length; i < n; i++) unchecked(ixs[i]).reserve(this.cap);
    }
    const ixs = this.indexes;
    for (let i = 0, n = ixs.length; i < n; i++) unchecked(ixs[i]).reset(had);
  }

  /** Keeps rows [0, n) only and rebuilds the tables: the rollback of an abandoned tick. */
  truncate(n: i32): void {
    if (n >= this.count) {
      this.epoch = nextEpoch();
      return;
    }
    this.count = n;
    this.epoch = nextEpoch();
    memory.fill(this.table, 0, <usize>(this.tmask + 1) << 3);
    const ixs = this.indexes;
    for (let i = 0, k = ixs.length; i < k; i++) unchecked(ixs[i]).reset(n);
    for (let id = 0; id < n; id++) {
      this.place(id);
      for (let i = 0, k = ixs.length; i < k; i++) unchecked(ixs[i]).add(id);
    }
  }

  /** Exchanges contents (rows, tables, index contents) with a set of the same shape and indexes:
   * how a carried relation takes the facts its `:+` rules staged, in O(1). */
  swapWith(o: RowSet): void {
    const r = this.rows, c = this.count, cp = this.cap, t = this.table, m = this.tmask;
    this.rows = o.rows; this.count = o.count; this.cap = o.cap; this.table = o.table; this.tmask = o.tmask;
    o.rows = r; o.count = c; o.cap = cp; o.table = t; o.tmask = m;
    for (let i = 0, n = this.indexes.length; i < n; i++) unchecked(this.indexes[i]).swapWith(unchecked(o.indexes[i]));
    this.epoch = nextEpoch();
    o.epoch = nextEpoch();
  }

  /** Whether rows [0, n) of this set are exactly the rows of `o`. */
  sameAsPrefix(n: i32, o: RowSet): bool {
    if (o.count != n) return false;
    for (let id = 0; id < o.count; id++) {
      const at = this.find(o.row(id));
      if (at < 0 || at >= n) return false;
    }
    return true;
  }

  /** Bytes held by this set's buffers (for memory statistics). */
  bytes(): i64 {
    let b: i64 = <i64>this.cap * this.stride + (<i64>(this.tmask + 1) << 3);
    for (let i = 0, n = this.indexes.length; i < n; i++) {
      const ix = unchecked(this.indexes[i]);
      b += (<i64>(ix.hmask + 1) << 3) + (<i64>this.cap << 2);
    }
    return b;
  }
}

/** The canonical order of two rows of one set from column `from` on: integers numerically,
 * strings by their bytes. */
export function compareRows(set: RowSet, a: i32, b: i32, from: i32): i32 {
  const pa = set.row(a);
  const pb = set.row(b);
  const mask = set.strMask;
  for (let i = from; i < set.arity; i++) {
    const x = load<i64>(pa + (<usize>i << 3));
    const y = load<i64>(pb + (<usize>i << 3));
    if (x == y) continue;
    if ((mask >> <u64>i) & 1) return compareStrings(x, y);
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Marks every string a set's rows refer to, for the string sweep. */
export function markStrings(set: RowSet): void {
  const mask = set.strMask;
  if (!mask) return;
  for (let id = 0; id < set.count; id++) {
    const row = set.row(id);
    for (let c = 0; c < set.arity; c++) if ((mask >> <u64>c) & 1) markString(load<i64>(row + (<usize>c << 3)));
  }
}
