// The string runtime (assembly/runtime/strings, stable-hash, string-builtins) against the
// TypeScript reference: interning, the byte order, the stable hash bit for bit, the string
// built-ins, and reclamation by mark and sweep with bounded memory.

import { beforeAll, describe, expect, it } from 'vitest';
import { builtins } from '../../compiler/values/builtins.js';
import { stableHashTuple } from '../../compiler/values/hash.js';
import { compareStrings, INT64_MAX, INT64_MIN, type Value } from '../../compiler/values/value.js';
import { instantiateRuntimeEntry, type RuntimeModule } from './runtime-harness.js';

const entry = `
import { internBytes, internLiteral, stringPtr, stringLen, compareStrings, stringsWantSweep,
  markString, sweepStrings, liveStrings, stringHeapBytes } from "./runtime/strings";
import { hashBegin, hashInt, hashString, hashEnd } from "./runtime/stable-hash";
import { upperString, concatStrings, stringByteLength } from "./runtime/string-builtins";
export { internBytes, internLiteral, stringPtr, stringLen, compareStrings, stringsWantSweep,
  markString, sweepStrings, liveStrings, stringHeapBytes, hashBegin, hashInt, hashString, hashEnd,
  upperString, concatStrings, stringByteLength };
export function scratch(n: i32): usize { return heap.alloc(<usize>n); }
`;

interface Exports {
  internBytes(ptr: number, len: number): bigint;
  internLiteral(ptr: number, len: number): bigint;
  stringPtr(id: bigint): number;
  stringLen(id: bigint): number;
  compareStrings(a: bigint, b: bigint): number;
  stringsWantSweep(): number;
  markString(id: bigint): void;
  sweepStrings(): number;
  liveStrings(): number;
  stringHeapBytes(): bigint;
  hashBegin(): bigint;
  hashInt(h: bigint, v: bigint): bigint;
  hashString(h: bigint, id: bigint, withLength: number): bigint;
  hashEnd(h: bigint): bigint;
  upperString(id: bigint): bigint;
  concatStrings(a: bigint, b: bigint): bigint;
  stringByteLength(id: bigint): bigint;
  scratch(n: number): number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A fresh instance per describe block, so reclamation counts start from nothing. */
async function load(): Promise<{ m: RuntimeModule<Exports>; intern(s: string): bigint; literal(s: string): bigint; text(id: bigint): string }> {
  const m = await instantiateRuntimeEntry<Exports>(entry, { name: 'strings test' });
  const size = 1 << 16;
  const buf = m.exports.scratch(size);
  const put = (s: string) => {
    const bytes = encoder.encode(s);
    if (bytes.length > size) throw new Error('test string too long');
    m.write(buf, bytes);
    return bytes.length;
  };
  return {
    m,
    intern: (s) => m.exports.internBytes(buf, put(s)),
    literal: (s) => m.exports.internLiteral(buf, put(s)),
    text: (id) => decoder.decode(m.read(m.exports.stringPtr(id) >>> 0, m.exports.stringLen(id))),
  };
}

/** mulberry32: seeded, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]) => xs[int(xs.length)]! };
}

type Rng = ReturnType<typeof rng>;

const pools: readonly (readonly string[])[] = [
  [...'abcxyzABCXYZ019'],
  [...' !~\u0000\u0001\u007f`{[@'],
  [...'éßÿ\u0080\u07ffĀ'],
  [...'\u0800中文\uffff\ue000\uff61\ufffd'],
  ['😀', '𐀀', '\u{10ffff}', '\u{1f600}', '𝄞'],
];

function randomString(r: Rng): string {
  const n = r.pick([0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 30]);
  const pool = r.int(3) === 0 ? pools.flat() : r.pick(pools);
  let s = '';
  for (let i = 0; i < n; i++) s += r.pick(pool);
  return s;
}

/** Random strings, with prefixes of one another and near-misses thrown in. */
function randomStrings(r: Rng, count: number): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const s = randomString(r);
    out.push(s);
    const cps = [...s];
    if (cps.length > 0) {
      out.push(cps.slice(0, r.int(cps.length)).join(''));
      const k = r.int(cps.length);
      out.push([...cps.slice(0, k), r.pick(pools.flat()), ...cps.slice(k + 1)].join(''));
      out.push(s + r.pick(pools.flat()));
    }
  }
  return out;
}

const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0);

describe('interning', () => {
  let t: Awaited<ReturnType<typeof load>>;
  beforeAll(async () => {
    t = await load();
  });

  it('gives equal bytes one id, different bytes different ids, and reads back the bytes', () => {
    const r = rng(1);
    const ids = new Map<string, bigint>();
    const strings = new Map<bigint, string>();
    for (const s of randomStrings(r, 20_000)) {
      const id = t.intern(s);
      expect(id >= 0n).toBe(true);
      const known = ids.get(s);
      if (known !== undefined) expect(id).toBe(known);
      else {
        expect(strings.has(id)).toBe(false);
        ids.set(s, id);
        strings.set(id, s);
      }
    }
    expect(ids.size).toBeGreaterThan(5000);
    expect(t.m.exports.liveStrings()).toBe(ids.size);
    for (const [s, id] of ids) {
      expect(t.text(id)).toBe(s);
      expect(t.m.exports.stringLen(id)).toBe(encoder.encode(s).length);
      expect(t.intern(s)).toBe(id);
    }
    // Ids stay dense: they index a table.
    expect(Math.max(...[...strings.keys()].map(Number))).toBe(ids.size - 1);
  });

  it('orders strings like compareStrings of the reference, by code point', () => {
    const r = rng(2);
    const strings = randomStrings(r, 4000);
    const ids = strings.map((s) => t.intern(s));
    let unequal = 0;
    for (let k = 0; k < 40_000; k++) {
      const i = r.int(strings.length);
      // Neighbours are often prefixes or near-misses of each other.
      const j = r.int(2) ? r.int(strings.length) : Math.min(strings.length - 1, i + r.int(4));
      const want = sign(compareStrings(strings[i]!, strings[j]!));
      if (want !== 0) unequal++;
      expect(sign(t.m.exports.compareStrings(ids[i]!, ids[j]!)), `${JSON.stringify(strings[i])} vs ${JSON.stringify(strings[j])}`).toBe(want);
    }
    expect(unequal).toBeGreaterThan(30_000);
    // Where code-point and UTF-16 order disagree, and the 8-byte fast path with a late difference.
    expect(t.m.exports.compareStrings(t.intern('\uff61'), t.intern('😀'))).toBeLessThan(0);
    expect(t.m.exports.compareStrings(t.intern('abcdefghij\u0080'), t.intern('abcdefghij\u007f'))).toBeGreaterThan(0);
    expect(t.m.exports.compareStrings(t.intern('abcdefghX'), t.intern('abcdefghY'))).toBeLessThan(0);
    expect(t.m.exports.compareStrings(t.intern('abcdefgh'), t.intern('abcdefgh\u0000'))).toBeLessThan(0);
    expect(t.m.exports.compareStrings(t.intern(''), t.intern('\u0000'))).toBeLessThan(0);
  });

  it('hashes tuples bit for bit like stableHashTuple', () => {
    const r = rng(3);
    const specials = [0n, -1n, 1n, INT64_MIN, INT64_MAX, 42n, 255n, 256n, -256n];
    const randomInt = () => {
      if (r.int(3) === 0) return r.pick(specials);
      const hi = BigInt(r.int(2 ** 32));
      const lo = BigInt(r.int(2 ** 32));
      return BigInt.asIntN(64, (hi << 32n) | lo) >> BigInt(r.int(64));
    };
    const x = t.m.exports;
    const wasmHash = (values: readonly Value[]) => {
      let h = x.hashBegin();
      for (const v of values) h = typeof v === 'bigint' ? x.hashInt(h, v) : x.hashString(h, t.intern(v), values.length > 1 ? 1 : 0);
      return x.hashEnd(h);
    };
    const seen = new Set<bigint>();
    for (let k = 0; k < 5000; k++) {
      const n = 1 + r.int(3);
      const values: Value[] = [];
      for (let i = 0; i < n; i++) values.push(r.int(2) ? randomInt() : randomString(r));
      const want = stableHashTuple(values);
      expect(wasmHash(values), JSON.stringify(values, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(want);
      seen.add(want);
    }
    expect(seen.size).toBeGreaterThan(4000);
    // The pinned reference values, and the length that separates ("ab", "c") from ("a", "bc").
    expect(wasmHash([0n])).toBe(3157854246557864315n);
    expect(wasmHash(['hello'])).toBe(488108139809111874n);
    expect(wasmHash(['ab', 'c'])).not.toBe(wasmHash(['a', 'bc']));
    expect(wasmHash(['ab', 'c'])).toBe(stableHashTuple(['ab', 'c']));
  });

  it('computes upper, concat and len like the reference built-ins', () => {
    const r = rng(4);
    const apply = (name: string, args: Value[]) => builtins.get(name)!.apply(args);
    const x = t.m.exports;
    let changed = 0;
    for (let k = 0; k < 5000; k++) {
      const a = randomString(r);
      const b = r.int(8) === 0 ? 'x'.repeat(r.int(5000)) : randomString(r);
      const ia = t.intern(a);
      const ib = t.intern(b);
      const up = x.upperString(ia);
      expect(t.text(up)).toBe(apply('upper', [a]));
      if (up !== ia) changed++;
      // Results are interned: the same id as interning the expected text directly.
      expect(up).toBe(t.intern(apply('upper', [a]) as string));
      const cat = x.concatStrings(ia, ib);
      expect(t.text(cat)).toBe(apply('concat', [a, b]));
      expect(cat).toBe(t.intern(apply('concat', [a, b]) as string));
      expect(x.stringByteLength(ia)).toBe(apply('len', [a]));
      expect(x.stringByteLength(cat)).toBe(apply('len', [a + b]));
    }
    expect(changed).toBeGreaterThan(500);
    const long = 'ab'.repeat(3000) + 'é';
    expect(t.text(x.upperString(t.intern(long)))).toBe(long.toUpperCase().replace('É', 'é'));
  });
});

describe('reclamation', () => {
  it('frees what is neither marked nor pinned, keeps the rest intact, and stays bounded', async () => {
    const t = await load();
    const x = t.m.exports;
    const r = rng(5);
    const literals = ['lit', '', 'ünïcödé literal 😀', 'another literal'].map((s) => [t.literal(s), s] as const);
    let kept = new Map<bigint, string>();
    const heapAfterSweep: number[] = [];
    const memoryAfterRound: number[] = [];
    let maxId = 0n;
    expect(x.stringsWantSweep()).toBe(0);
    for (let round = 0; round < 10; round++) {
      const fresh: [bigint, string][] = [];
      for (let i = 0; i < 200_000; i++) {
        const s = `r${round}/${i}${i % 7 === 0 ? '-é😀' : ''}${i % 3 === 0 ? '-a-longer-tail-beyond-16-bytes' : ''}`;
        const id = t.intern(s);
        if (id > maxId) maxId = id;
        fresh.push([id, s]);
      }
      expect(x.stringsWantSweep()).toBe(1);
      const before = x.liveStrings();
      expect(before).toBe(200_000 + kept.size + literals.length);
      // Keep about half of last round's survivors and a few hundred new ones; mark some twice.
      const next = new Map<bigint, string>();
      for (const [id, s] of kept) if (r.int(2)) next.set(id, s);
      for (let i = 0; i < 300; i++) {
        const [id, s] = fresh[r.int(fresh.length)]!;
        next.set(id, s);
      }
      for (const id of next.keys()) {
        x.markString(id);
        if (r.int(4) === 0) x.markString(id);
      }
      const freed = x.sweepStrings();
      expect(freed).toBe(before - next.size - literals.length);
      expect(x.liveStrings()).toBe(next.size + literals.length);
      expect(x.stringsWantSweep()).toBe(0);
      kept = next;
      for (const [id, s] of kept) expect(t.text(id)).toBe(s);
      for (const [id, s] of literals) expect(t.text(id)).toBe(s);
      // The table was rebuilt: survivors and literals are still found by their bytes.
      for (const [id, s] of [...kept, ...literals]) expect(t.intern(s)).toBe(id);
      expect(x.liveStrings()).toBe(next.size + literals.length);
      heapAfterSweep.push(Number(x.stringHeapBytes()));
      memoryAfterRound.push(t.m.memory.buffer.byteLength);
    }
    // Marks were cleared: a sweep with nothing marked leaves only the literals.
    expect(x.sweepStrings()).toBe(kept.size);
    expect(x.liveStrings()).toBe(literals.length);
    for (const [id, s] of literals) expect(t.text(id)).toBe(s);
    // Freed ids are reused: ids never exceed what was live at once.
    expect(Number(maxId)).toBeLessThan(200_000 + 1000 + literals.length);
    // Memory is bounded: no growth after the first rounds beyond a small factor.
    expect(Math.max(...memoryAfterRound.slice(2))).toBeLessThanOrEqual(memoryAfterRound[1]! * 1.25);
    expect(Math.max(...heapAfterSweep.slice(2))).toBeLessThanOrEqual(heapAfterSweep[1]! * 1.5);
    // After a sweep the hash table is small again; the id table is bounded by the highest live id.
    expect(heapAfterSweep[9]!).toBeLessThan(200_000 * 16 * 2 + 64 * 1024);
    // And a fresh string after all of it is still interned correctly.
    const id = t.intern('after all');
    expect(t.text(id)).toBe('after all');
    expect(t.intern('after all')).toBe(id);
  });

  it('shrinks both tables when the strings that held them are all gone', async () => {
    const t = await load();
    const x = t.m.exports;
    const small = Number(x.stringHeapBytes());
    for (let i = 0; i < 100_000; i++) t.intern(`s${i}`);
    const big = Number(x.stringHeapBytes());
    expect(big).toBeGreaterThan(100_000 * 16);
    expect(x.sweepStrings()).toBe(100_000);
    expect(x.liveStrings()).toBe(0);
    expect(Number(x.stringHeapBytes())).toBeLessThanOrEqual(small);
    // Ids start again from the bottom.
    expect(t.intern('again')).toBe(0n);
  });
});
