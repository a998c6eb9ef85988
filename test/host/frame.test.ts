// The frame codec (host/frame.ts): round trips for every kind and size at unaligned offsets,
// one targeted corruption per rejection reason, and a seeded fuzz of 10,000 hostile inputs
// that must each be refused with a known reason (or, unmodified, accepted), never a throw,
// with the counters adding up; and the incarnation carried by hellos and acks. Randomness comes from sim/rng.ts, so failures replay by seed.

import { describe, expect, it } from 'vitest';
import {
  FRAME_HEADER, FRAME_KINDS, FRAME_REJECTIONS, INCARNATION_BYTES, countFrame, decodeFrame, encodeFrame, incarnationPayload, newFrameCounters,
  readIncarnation, totalRejected,
  type DecodeResult, type Frame, type FrameKind, type FrameRejection,
} from '../../host/frame.js';
import { RecordKind, decodeRecords, encodeRecord } from '../../engine/wasm/records.js';
import { Rng } from '../../sim/rng.js';

const SECRET = 'cluster secret for tests';
const OTHER = new TextEncoder().encode('another cluster');
const LIMITS = { maxPayload: 1 << 20 };
const KINDS = Object.keys(FRAME_KINDS) as FrameKind[];

/** A copy of `bytes` at `offset` inside a larger buffer, as ws hands out pooled slices. */
function at(bytes: Uint8Array, offset: number): Buffer {
  const big = Buffer.alloc(bytes.length + offset + 5, 0xee);
  big.set(bytes, offset);
  return big.subarray(offset, offset + bytes.length);
}

function refused(result: DecodeResult): FrameRejection | 'ok' {
  return result.ok ? 'ok' : result.reason;
}

function frame(kind: FrameKind, payload: Uint8Array, sender = 7n, seq = 42n): Frame {
  return { kind, sender, seq, payload };
}

/** Rewrites a header field of an encoded frame (what an attacker or a bad link could do). */
function patch(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(0, 255);
  return out;
}

function randomFrame(rng: Rng): Frame {
  const big = (): bigint => (BigInt(rng.int(0, 0x7fffffff)) << 33n) ^ BigInt(rng.int(0, 0x7fffffff));
  return {
    kind: KINDS[rng.int(0, KINDS.length - 1)]!,
    sender: BigInt.asIntN(64, big()),
    seq: big(),
    payload: randomBytes(rng, rng.chance(0.05) ? rng.int(0, 5000) : rng.int(0, 64)),
  };
}

describe('frame round trips', () => {
  it('every kind, empty and non-empty payloads, at every alignment', () => {
    for (const kind of KINDS) {
      for (const payload of [new Uint8Array(0), Uint8Array.of(1, 2, 3), randomBytes(new Rng(1), 333)]) {
        const bytes = encodeFrame(frame(kind, payload, -5n, 2n ** 64n - 1n), SECRET);
        expect(bytes.length).toBe(FRAME_HEADER + payload.length);
        for (let offset = 0; offset < 8; offset++) {
          const result = decodeFrame(at(bytes, offset), SECRET, LIMITS);
          expect(result.ok).toBe(true);
          if (!result.ok) continue;
          expect(result.frame.kind).toBe(kind);
          expect(result.frame.sender).toBe(-5n);
          expect(result.frame.seq).toBe(2n ** 64n - 1n);
          expect(Array.from(result.frame.payload)).toEqual(Array.from(payload));
        }
      }
    }
  });

  it('the extreme sender and sequence values', () => {
    for (const [sender, seq] of [[-(2n ** 63n), 0n], [2n ** 63n - 1n, 1n]] as const) {
      const result = decodeFrame(encodeFrame(frame('ping', new Uint8Array(0), sender, seq), SECRET), SECRET, LIMITS);
      expect(result.ok && [result.frame.sender, result.frame.seq]).toEqual([sender, seq]);
    }
  });

  it('a payload of exactly maxPayload bytes, with a byte secret and from an ArrayBuffer', () => {
    const payload = randomBytes(new Rng(2), LIMITS.maxPayload);
    const bytes = encodeFrame(frame('data', payload), OTHER);
    const copy = bytes.slice().buffer; // uWS hands the message as an ArrayBuffer
    const result = decodeFrame(copy, OTHER, LIMITS);
    expect(result.ok).toBe(true);
    if (result.ok) expect(Buffer.compare(result.frame.payload, payload)).toBe(0);
  });

  it('carries records unchanged, 8-aligned relative to the frame', () => {
    const schema = { id: 3, types: ['int', 'string'] as const };
    const records = encodeRecord(RecordKind.message, schema, [[1n, 'a'], [2n, 'héllo']], 9n);
    const result = decodeFrame(at(encodeFrame(frame('data', records), SECRET), 3), SECRET, LIMITS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(FRAME_HEADER % 8).toBe(0);
    expect(decodeRecords(result.frame.payload.slice(), () => schema.types)).toEqual([
      { kind: RecordKind.message, relation: 3, dest: 9n, rows: [[1n, 'a'], [2n, 'héllo']] },
    ]);
  });

  it('the payload is a view into the input, not a copy', () => {
    const input = at(encodeFrame(frame('data', Uint8Array.of(5, 6)), SECRET), 1);
    const result = decodeFrame(input, SECRET, LIMITS);
    expect(result.ok && result.frame.payload.buffer).toBe(input.buffer);
  });

  it('refuses to encode values that do not fit the header, or an empty secret', () => {
    expect(() => encodeFrame(frame('data', new Uint8Array(0), 2n ** 63n), SECRET)).toThrow(RangeError);
    expect(() => encodeFrame(frame('data', new Uint8Array(0), 0n, -1n), SECRET)).toThrow(RangeError);
    expect(() => encodeFrame(frame('nope' as FrameKind, new Uint8Array(0)), SECRET)).toThrow(RangeError);
    expect(() => encodeFrame(frame('data', new Uint8Array(0)), '')).toThrow(TypeError);
  });
});

describe('incarnation payload', () => {
  it('round trips every u64 through a hello, at any offset, and refuses values that do not fit', () => {
    for (const inc of [0n, 1n, 0x0123456789abcdefn, 2n ** 64n - 1n]) {
      const p = incarnationPayload(inc);
      expect(p.length).toBe(INCARNATION_BYTES);
      expect(readIncarnation(at(p, 3))).toBe(inc);
      const d = decodeFrame(at(encodeFrame(frame('hello', p, 9n, 0n), SECRET), 5), SECRET, LIMITS);
      expect(d.ok && readIncarnation(d.frame.payload)).toBe(inc);
    }
    expect([...incarnationPayload(0x0102n)]).toEqual([2, 1, 0, 0, 0, 0, 0, 0]); // little-endian
    expect(() => incarnationPayload(-1n)).toThrow(RangeError);
    expect(() => incarnationPayload(2n ** 64n)).toThrow(RangeError);
  });

  it('a payload shorter than 8 bytes has none; longer ones carry it first', () => {
    expect(readIncarnation(new Uint8Array(0))).toBeUndefined();
    expect(readIncarnation(new Uint8Array(7))).toBeUndefined();
    const longer = new Uint8Array(12);
    longer.set(incarnationPayload(77n));
    expect(readIncarnation(longer)).toBe(77n);
  });
});

describe('frame rejections', () => {
  const good = encodeFrame(frame('data', Uint8Array.of(10, 20, 30, 40, 50)), SECRET);
  const decode = (bytes: Uint8Array | ArrayBuffer, secret: Uint8Array | string = SECRET, limits = LIMITS): string =>
    refused(decodeFrame(bytes, secret, limits));

  it('truncated at every header boundary (and every byte of the header)', () => {
    for (const cut of [0, 1, 4, 5, 6, 8, 16, 24, 28, 32, 47]) expect(decode(good.subarray(0, cut)), `cut ${cut}`).toBe('truncated');
    for (let cut = 0; cut < FRAME_HEADER; cut++) expect(decode(at(good.subarray(0, cut), cut % 8))).toBe('truncated');
  });

  it('truncated in the payload, or with trailing bytes: length-mismatch', () => {
    for (let cut = FRAME_HEADER; cut < good.length; cut++) expect(decode(good.subarray(0, cut))).toBe('length-mismatch');
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(decode(longer)).toBe('length-mismatch');
    expect(decode(patch(good, (v) => v.setUint32(24, 6, true)))).toBe('length-mismatch');
    expect(decode(patch(good, (v) => v.setUint32(24, 4, true)))).toBe('length-mismatch');
  });

  it('bad magic, even in a short prefix', () => {
    expect(decode(patch(good, (v) => v.setUint8(0, 0x45)))).toBe('bad-magic');
    expect(decode(patch(good, (v) => v.setUint8(3, 0x32)))).toBe('bad-magic');
    expect(decode(new TextEncoder().encode('GET / HTTP/1.1\r\n'))).toBe('bad-magic');
    expect(decode(Uint8Array.of(0x44, 0x00))).toBe('bad-magic');
  });

  it('bad version, and reserved flags set', () => {
    expect(decode(patch(good, (v) => v.setUint8(4, 2)))).toBe('bad-version');
    expect(decode(patch(good, (v) => v.setUint8(4, 0)))).toBe('bad-version');
    expect(decode(patch(good, (v) => v.setUint16(6, 1, true)))).toBe('bad-version');
  });

  it('bad kind', () => {
    for (const k of [0, 5, 255]) expect(decode(patch(good, (v) => v.setUint8(5, k)))).toBe('bad-kind');
  });

  it('oversized before anything is hashed, whatever the buffer holds', () => {
    expect(decode(good, SECRET, { maxPayload: 4 })).toBe('oversized');
    expect(decode(good, SECRET, { maxPayload: 5 })).toBe('ok');
    expect(decode(patch(good, (v) => v.setUint32(24, 0xffff_ffff, true)))).toBe('oversized');
    expect(decode(patch(good, (v) => v.setUint32(24, LIMITS.maxPayload + 1, true)))).toBe('oversized');
  });

  it('a flipped payload byte is bad-checksum; with the CRC recomputed, bad-auth', () => {
    const flipped = patch(good, (v) => v.setUint8(FRAME_HEADER + 2, v.getUint8(FRAME_HEADER + 2) ^ 0x01));
    expect(decode(flipped)).toBe('bad-checksum');
    expect(decode(patch(good, (v) => v.setUint32(28, v.getUint32(28, true) ^ 1, true)))).toBe('bad-checksum');
    // Recompute the CRC over the tampered payload with a valid frame from the same codec.
    const crc = new DataView(encodeFrame(frame('data', flipped.subarray(FRAME_HEADER)), 'x').buffer).getUint32(28, true);
    expect(decode(patch(flipped, (v) => v.setUint32(28, crc, true)))).toBe('bad-auth');
  });

  it('a changed sender, sequence, kind or authenticator, or another secret, is bad-auth', () => {
    expect(decode(patch(good, (v) => v.setBigInt64(8, 8n, true)))).toBe('bad-auth');
    expect(decode(patch(good, (v) => v.setBigUint64(16, 43n, true)))).toBe('bad-auth');
    expect(decode(patch(good, (v) => v.setUint8(5, FRAME_KINDS.ack)))).toBe('bad-auth');
    expect(decode(patch(good, (v) => v.setUint8(40, v.getUint8(40) ^ 0x80)))).toBe('bad-auth');
    expect(decode(good, OTHER)).toBe('bad-auth');
    expect(decode(good, '')).toBe('bad-auth');
    expect(decode(encodeFrame(frame('data', Uint8Array.of(10, 20, 30, 40, 50)), OTHER))).toBe('bad-auth');
  });

  it('counts rejections by reason', () => {
    const counters = newFrameCounters();
    countFrame(counters, decodeFrame(good, SECRET, LIMITS));
    countFrame(counters, decodeFrame(good.subarray(0, 3), SECRET, LIMITS));
    countFrame(counters, decodeFrame(good, OTHER, LIMITS));
    countFrame(counters, decodeFrame(good, OTHER, LIMITS));
    expect(counters.accepted).toBe(1);
    expect(counters.rejected).toMatchObject({ truncated: 1, 'bad-auth': 2, 'bad-magic': 0 });
    expect(totalRejected(counters)).toBe(3);
  });
});

describe('frame fuzz', () => {
  /** The reason a single flipped byte at `i` must give (kinds may flip into another kind). */
  function expectedForFlip(flipped: Uint8Array, i: number): FrameRejection {
    const view = new DataView(flipped.buffer, flipped.byteOffset, flipped.length);
    if (i < 4) return 'bad-magic';
    if (i === 4 || i === 6 || i === 7) return 'bad-version';
    if (i === 5) return flipped[5]! >= 1 && flipped[5]! <= 4 ? 'bad-auth' : 'bad-kind';
    if (i >= 24 && i < 28) return view.getUint32(24, true) > LIMITS.maxPayload ? 'oversized' : 'length-mismatch';
    if (i >= 28 && i < 32) return 'bad-checksum';
    if (i >= FRAME_HEADER) return 'bad-checksum'; // CRC-32 catches every error within 32 bits
    return 'bad-auth'; // sender, sequence, authenticator
  }

  it('10,000 seeded hostile inputs: refused with a known reason, never a throw, counted', () => {
    const rng = new Rng(20240605);
    const counters = newFrameCounters();
    const tally: Record<string, number> = {};
    let rejected = 0;
    const CASES = 10_000;
    for (let n = 0; n < CASES; n++) {
      const shape = n % 6;
      let input: Uint8Array;
      let expected: readonly (FrameRejection | 'ok')[] | undefined;
      let secret: Uint8Array | string = SECRET;
      const f = randomFrame(rng);
      const valid = encodeFrame(f, SECRET);
      if (shape === 0) {
        // Random bytes; half of them start like a frame, to reach the later checks.
        input = randomBytes(rng, rng.int(0, 300));
        if (rng.chance(0.5) && input.length >= 5) input.set([0x44, 0x44, 0x43, 0x31, 1]);
        expected = FRAME_REJECTIONS;
      } else if (shape === 1) {
        const cut = rng.int(0, valid.length - 1);
        input = valid.subarray(0, cut);
        expected = [cut < FRAME_HEADER ? 'truncated' : 'length-mismatch'];
      } else if (shape === 2) {
        input = valid.slice();
        const flips = rng.int(1, 3);
        const first = rng.int(0, input.length - 1);
        input[first]! ^= rng.int(1, 255);
        expected = [expectedForFlip(input, first)];
        for (let k = 1; k < flips; k++) {
          input[rng.int(0, input.length - 1)]! ^= rng.int(1, 255);
          expected = FRAME_REJECTIONS; // several flips: any refusal, but a refusal
        }
      } else if (shape === 3) {
        input = encodeFrame(f, OTHER);
        expected = ['bad-auth'];
      } else if (shape === 4) {
        const length = LIMITS.maxPayload + 1 + rng.int(0, 0x7fffffff);
        input = patch(valid, (v) => v.setUint32(24, length, true));
        expected = ['oversized'];
      } else {
        input = valid;
        expected = ['ok'];
        if (rng.chance(0.2)) {
          secret = OTHER;
          input = encodeFrame(f, OTHER);
        }
      }
      let result: DecodeResult;
      try {
        result = countFrame(counters, decodeFrame(at(input, rng.int(0, 7)), secret, LIMITS));
      } catch (e) {
        throw new Error(`case ${n} (shape ${shape}) threw: ${String(e)}`);
      }
      const got = refused(result);
      expect(expected, `case ${n} (shape ${shape})`).toContain(got);
      if (got === 'ok' && result.ok) {
        expect(result.frame).toMatchObject({ kind: f.kind, sender: f.sender, seq: f.seq });
        expect(Buffer.compare(result.frame.payload, f.payload)).toBe(0);
      } else rejected++;
      tally[got] = (tally[got] ?? 0) + 1;
    }
    expect(totalRejected(counters)).toBe(rejected);
    expect(counters.accepted + rejected).toBe(CASES);
    for (const r of FRAME_REJECTIONS) expect(counters.rejected[r], r).toBe(tally[r] ?? 0);
    // The fuzz reaches every reason, so none of the checks is dead.
    for (const r of FRAME_REJECTIONS) expect(counters.rejected[r], r).toBeGreaterThan(0);
  });
});
