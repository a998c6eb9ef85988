// Per-node string interning. Takes UTF-8 byte strings; gives each a small non-negative id (an
// i64, as rows store it), the same id for the same bytes, so string equality is id equality.
// Relies on the owner calling markString on every id a fact still holds, then sweepStrings:
// a string neither marked nor pinned is freed there and its id handed out again later.
//
// Raw heap blocks, each resized with heap.realloc or replaced whole:
//
//   entries, by id (16 bytes each, entryCap of them; ids [0, idTop) are live or free):
//   +----------+----------+----------+----------+
//   |  ptr u32 |  len u32 | hash u32 | flags u32|   ptr: the bytes, their own heap block (0 if len 0)
//   +----------+----------+----------+----------+   a FREE entry holds the next free id in ptr (-1 ends)
//
//   slots, bytes -> id (8 bytes each, slotCap a power of two, linear probing, load <= 1/2):
//   +-----------+-----------+
//   | id+1  u32 | hash  u32 |   id+1 == 0: empty. No tombstones: a sweep rebuilds the slots.
//   +-----------+-----------+

const ENTRY_SHIFT: usize = 4;
const MARK: u32 = 1;
const PINNED: u32 = 2;
const FREE: u32 = 4;
const MIN_ENTRIES: i32 = 256;
const MIN_SLOTS: i32 = 1024;

let entries: usize = 0;
let entryCap: i32 = 0;
let idTop: i32 = 0;
// The free list is kept lowest id first, so ids stay dense and the entry table can shrink.
let freeHead: i32 = -1;
let slots: usize = 0;
let slotCap: i32 = 0;
let slotMask: u32 = 0;
let live: i32 = 0;
let liveAfterSweep: i32 = 0;
let contentBytes: i64 = 0;

entryCap = MIN_ENTRIES;
entries = heap.alloc(<usize>entryCap << ENTRY_SHIFT);
slotCap = MIN_SLOTS;
slotMask = <u32>(slotCap - 1);
slots = heap.alloc(<usize>slotCap << 3);
memory.fill(slots, 0, <usize>slotCap << 3);

// @ts-ignore: decorator
@inline function entryAt(id: i32): usize {
  return entries + (<usize>id << ENTRY_SHIFT);
}

// @ts-ignore: decorator
@inline function mixWord(h: u64, w: u64): u64 {
  return rotl<u64>(h ^ (w * 0x9e3779b97f4a7c15), 29) * 0xbf58476d1ce4e5b9;
}

// Eight bytes per step; only the table uses this hash, so it need not be stable across builds.
function hashBytes(ptr: usize, len: i32): u32 {
  let h: u64 = 0x243f6a8885a308d3 ^ (<u64>len * 0x94d049bb133111eb);
  let p = ptr;
  const end = ptr + <usize>len;
  while (p + 8 <= end) {
    h = mixWord(h, load<u64>(p));
    p += 8;
  }
  const r = end - p;
  if (r) {
    // The tail is read in exact-size pieces: reading past it could run off the end of memory.
    let w: u64 = 0;
    let s: u64 = 0;
    if (r & 4) {
      w = <u64>load<u32>(p);
      p += 4;
      s = 32;
    }
    if (r & 2) {
      w |= <u64>load<u16>(p) << s;
      p += 2;
      s += 16;
    }
    if (r & 1) w |= <u64>load<u8>(p) << s;
    h = mixWord(h, w);
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93;
  h ^= h >> 32;
  return <u32>h;
}

function equalBytes(a: usize, b: usize, n: usize): bool {
  let i: usize = 0;
  while (i + 8 <= n) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  while (i < n) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
    i++;
  }
  return true;
}

function nextPow2(n: i32): i32 {
  return n <= 1 ? 1 : 1 << (32 - clz<i32>(n - 1));
}

// Puts every live id into a zeroed slot table of `cap` slots (the stored hashes spare rehashing bytes).
function rebuildSlots(cap: i32): void {
  if (cap != slotCap) {
    heap.free(slots);
    slots = heap.alloc(<usize>cap << 3);
    slotCap = cap;
    slotMask = <u32>(cap - 1);
  }
  memory.fill(slots, 0, <usize>cap << 3);
  for (let id = 0; id < idTop; id++) {
    const e = entryAt(id);
    if (load<u32>(e, 12) & FREE) continue;
    const h = load<u32>(e, 8);
    let i = h & slotMask;
    while (load<u32>(slots + (<usize>i << 3)) != 0) i = (i + 1) & slotMask;
    store<u64>(slots + (<usize>i << 3), (<u64>h << 32) | <u64>(id + 1));
  }
}

function newId(): i32 {
  if (freeHead >= 0) {
    const id = freeHead;
    freeHead = load<i32>(entryAt(id));
    return id;
  }
  if (idTop == entryCap) {
    entryCap <<= 1;
    entries = heap.realloc(entries, <usize>entryCap << ENTRY_SHIFT);
  }
  return idTop++;
}

// Kept out of internBytes so the lookup path stays small enough to inline.
function addString(ptr: usize, len: i32, h: u32, slot: u32): i32 {
  if ((live + 1) << 1 > slotCap) {
    rebuildSlots(slotCap << 1);
    slot = h & slotMask;
    while (load<u32>(slots + (<usize>slot << 3)) != 0) slot = (slot + 1) & slotMask;
  }
  let copy: usize = 0;
  if (len > 0) {
    copy = heap.alloc(<usize>len);
    memory.copy(copy, ptr, <usize>len);
  }
  const id = newId();
  const e = entryAt(id);
  store<usize>(e, copy);
  store<i32>(e, len, 4);
  store<u32>(e, h, 8);
  store<u32>(e, 0, 12);
  store<u64>(slots + (<usize>slot << 3), (<u64>h << 32) | <u64>(id + 1));
  live++;
  contentBytes += len;
  return id;
}

/** The id for these UTF-8 bytes; copies them if they are new. */
export function internBytes(ptr: usize, len: i32): i64 {
  const h = hashBytes(ptr, len);
  let i = h & slotMask;
  while (true) {
    const s = load<u64>(slots + (<usize>i << 3));
    const idp = <u32>s;
    if (idp == 0) break;
    if (<u32>(s >> 32) == h) {
      const e = entryAt(<i32>idp - 1);
      if (load<i32>(e, 4) == len && equalBytes(load<usize>(e), ptr, <usize>len)) return <i64>(idp - 1);
    }
    i = (i + 1) & slotMask;
  }
  return <i64>addString(ptr, len, h, i);
}

/** The same as internBytes, and the string is never swept (rule literals). */
export function internLiteral(ptr: usize, len: i32): i64 {
  const id = internBytes(ptr, len);
  const e = entryAt(<i32>id);
  store<u32>(e, load<u32>(e, 12) | PINNED, 12);
  return id;
}

/** Where the string's bytes are; valid until a sweep frees it. */
export function stringPtr(id: i64): usize {
  return load<usize>(entryAt(<i32>id));
}

export function stringLen(id: i64): i32 {
  return load<i32>(entryAt(<i32>id), 4);
}

/** Unsigned byte order, a proper prefix first: code-point order for valid UTF-8. */
export function compareStrings(a: i64, b: i64): i32 {
  if (a == b) return 0;
  const ea = entryAt(<i32>a);
  const eb = entryAt(<i32>b);
  const pa = load<usize>(ea);
  const pb = load<usize>(eb);
  const la = load<i32>(ea, 4);
  const lb = load<i32>(eb, 4);
  const n = <usize>(la < lb ? la : lb);
  let i: usize = 0;
  while (i + 8 <= n) {
    const x = load<u64>(pa + i);
    const y = load<u64>(pb + i);
    // Little-endian words: swapping bytes makes the first differing byte the most significant.
    if (x != y) return bswap<u64>(x) < bswap<u64>(y) ? -1 : 1;
    i += 8;
  }
  while (i < n) {
    const x = load<u8>(pa + i);
    const y = load<u8>(pb + i);
    if (x != y) return x < y ? -1 : 1;
    i++;
  }
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** True when the strings interned since the last sweep make a sweep worth its cost. */
export function stringsWantSweep(): bool {
  return live > (liveAfterSweep << 1) + 1024;
}

/** Keeps the string through the next sweep. Ids out of range are ignored. */
export function markString(id: i64): void {
  if (<u64>id >= <u64>idTop) return;
  const e = entryAt(<i32>id);
  store<u32>(e, load<u32>(e, 12) | MARK, 12);
}

/** Frees every string neither marked nor pinned, clears the marks; returns how many were freed. */
export function sweepStrings(): i32 {
  let freed = 0;
  let top = -1;
  let head = -1;
  // From the top down, so the free list comes out lowest id first and ids above the highest
  // live one can be dropped from the table altogether.
  for (let id = idTop - 1; id >= 0; id--) {
    const e = entryAt(id);
    const f = load<u32>(e, 12);
    if (!(f & FREE)) {
      if (f & (MARK | PINNED)) {
        store<u32>(e, f & ~MARK, 12);
        if (top < 0) top = id;
        continue;
      }
      const p = load<usize>(e);
      if (p) heap.free(p);
      contentBytes -= <i64>load<i32>(e, 4);
      store<u32>(e, FREE, 12);
      freed++;
    }
    if (top >= 0) {
      store<i32>(e, head);
      head = id;
    }
  }
  live -= freed;
  idTop = top + 1;
  freeHead = head;
  liveAfterSweep = live;

  // Shrink what a burst of strings left too large; keep headroom so the next burst does not
  // have to grow it straight back step by step.
  if (entryCap > MIN_ENTRIES && idTop << 2 <= entryCap) {
    let cap = nextPow2(idTop) << 1;
    if (cap < MIN_ENTRIES) cap = MIN_ENTRIES;
    entries = heap.realloc(entries, <usize>cap << ENTRY_SHIFT);
    entryCap = cap;
  }
  let want = nextPow2(live << 2);
  if (want < MIN_SLOTS) want = MIN_SLOTS;
  rebuildSlots(slotCap >= want << 2 ? want : slotCap);
  return freed;
}

export function liveStrings(): i32 {
  return live;
}

/** String contents plus both tables, in bytes (allocator overhead per string not included). */
export function stringHeapBytes(): i64 {
  return contentBytes + (<i64>entryCap << ENTRY_SHIFT) + (<i64>slotCap << 3);
}
