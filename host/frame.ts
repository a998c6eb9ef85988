// The frame two nodes exchange over a WebSocket: a 48-byte header (magic, version, kind, sender,
// sequence, payload length, CRC-32, truncated HMAC-SHA256 under the cluster secret) and a
// payload, one frame per WebSocket message. Takes bytes from any Buffer or ArrayBuffer at any
// offset; gives a typed Frame or the reason it was refused, and never throws while decoding.
// Relies on crc-32 (SheetJS) and node:crypto.
//
//  offset  size  field
//  ------  ----  -----------------------------------------------------------------
//       0     4  magic "DDC1"
//       4     1  version u8 = 1
//       5     1  kind u8: 1 data, 2 hello, 3 ping, 4 ack
//       6     2  flags u16 = 0 (reserved; non-zero is refused as 'bad-version')
//       8     8  sender i64: the sending node's address in the deployment
//      16     8  sequence u64: per sender-receiver pair, increasing
//      24     4  payload length u32
//      28     4  CRC-32 of the payload
//      32    16  authenticator: first 16 bytes of
//                HMAC-SHA256(secret, bytes 0..31 || payload)
//      48     n  payload
//
// All integers little-endian. The header is a multiple of 8 bytes, so a payload of records
// (engine/wasm/records.ts) stays 8-aligned relative to the frame start.

import { createHmac, timingSafeEqual } from 'node:crypto';
import CRC32 from 'crc-32';

export const FRAME_MAGIC = Uint8Array.of(0x44, 0x44, 0x43, 0x31); // "DDC1"
export const FRAME_VERSION = 1;
export const FRAME_HEADER = 48;
const SIGNED_HEADER = 32; // the header bytes the authenticator covers (all but itself)
const AUTH_BYTES = 16;

/**
 * What a frame carries. The codec treats every payload as opaque bytes; the meaning is the
 * host's:
 * - data:  the records of one tick for the receiver, pushed into its module unchanged;
 * - hello: the first frame on a new connection, proving the sender holds the cluster secret
 *          (the payload may name the build, so mismatched builds refuse each other);
 * - ping:  a heartbeat on an idle connection;
 * - ack:   the receiver telling the sender how far it has taken data frames.
 */
export const FRAME_KINDS = { data: 1, hello: 2, ping: 3, ack: 4 } as const;
export type FrameKind = keyof typeof FRAME_KINDS;
const KIND_BY_CODE: readonly (FrameKind | undefined)[] = [undefined, 'data', 'hello', 'ping', 'ack'];

export interface Frame {
  readonly kind: FrameKind;
  /** The sender's address (i64). */
  readonly sender: bigint;
  /** Per sender-receiver pair, increasing (u64); covered by the authenticator, so a host can
   * refuse replays by remembering the last sequence it took. */
  readonly seq: bigint;
  /** After decoding, a view into the input bytes, not a copy: consume it (pushRecords copies)
   * or copy it before the input buffer is reused (uWS ArrayBuffers die with their callback). */
  readonly payload: Uint8Array;
}

export type FrameRejection =
  | 'truncated' // the header is incomplete
  | 'bad-magic'
  | 'bad-version' // an unknown version, or reserved flags set
  | 'bad-kind'
  | 'oversized' // the length field exceeds limits.maxPayload
  | 'length-mismatch' // the length field disagrees with the bytes received
  | 'bad-checksum' // the payload's CRC-32 differs: corruption
  | 'bad-auth'; // the authenticator differs: wrong secret or tampering

export const FRAME_REJECTIONS: readonly FrameRejection[] = [
  'truncated', 'bad-magic', 'bad-version', 'bad-kind', 'oversized', 'length-mismatch', 'bad-checksum', 'bad-auth',
];

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; reason: FrameRejection };

export interface FrameLimits {
  /** The largest payload accepted, in bytes; checked before any hashing, so a forged length
   * cannot make a node hash or wait for gigabytes. */
  readonly maxPayload: number;
}

/** Encodes a frame into one new buffer. Throws RangeError on values that do not fit the
 * header, and TypeError on an empty secret (programming errors, not input errors). */
export function encodeFrame(frame: Frame, secret: Uint8Array | string): Uint8Array {
  const code = FRAME_KINDS[frame.kind];
  if (code === undefined) throw new RangeError(`unknown frame kind ${String(frame.kind)}`);
  if (BigInt.asIntN(64, frame.sender) !== frame.sender) throw new RangeError(`sender ${frame.sender} does not fit an i64`);
  if (BigInt.asUintN(64, frame.seq) !== frame.seq) throw new RangeError(`sequence ${frame.seq} does not fit a u64`);
  const payload = frame.payload;
  if (payload.length > 0xffff_ffff) throw new RangeError(`payload of ${payload.length} bytes does not fit a u32 length`);
  if (secret.length === 0) throw new TypeError('the cluster secret is empty');

  const out = new Uint8Array(FRAME_HEADER + payload.length);
  const view = new DataView(out.buffer);
  out.set(FRAME_MAGIC, 0);
  view.setUint8(4, FRAME_VERSION);
  view.setUint8(5, code);
  view.setUint16(6, 0, true);
  view.setBigInt64(8, frame.sender, true);
  view.setBigUint64(16, frame.seq, true);
  view.setUint32(24, payload.length, true);
  view.setUint32(28, CRC32.buf(payload) >>> 0, true);
  out.set(payload, FRAME_HEADER);
  out.set(authenticator(secret, out.subarray(0, SIGNED_HEADER), payload), SIGNED_HEADER);
  return out;
}

/**
 * Decodes one frame, refusing it with a reason rather than throwing. Cheap checks come first
 * (each header field as soon as its bytes are there, then completeness and size), then the
 * CRC (corruption), then the HMAC (authenticity), so garbage costs no hashing and a corrupted
 * frame is not reported as an attack.
 */
export function decodeFrame(input: Uint8Array | ArrayBuffer, secret: Uint8Array | string, limits: FrameLimits): DecodeResult {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const n = bytes.length;
  // A DataView honours byteOffset at any alignment; wider typed arrays would throw.
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  for (let i = 0; i < 4 && i < n; i++) if (bytes[i] !== FRAME_MAGIC[i]) return no('bad-magic');
  if (n > 4 && view.getUint8(4) !== FRAME_VERSION) return no('bad-version');
  const kind = n > 5 ? KIND_BY_CODE[view.getUint8(5)] : undefined;
  if (n > 5 && kind === undefined) return no('bad-kind');
  if (n >= 8 && view.getUint16(6, true) !== 0) return no('bad-version');
  if (n < FRAME_HEADER || kind === undefined) return no('truncated');

  const length = view.getUint32(24, true);
  if (!(length <= limits.maxPayload)) return no('oversized'); // also refuses a NaN limit
  if (n !== FRAME_HEADER + length) return no('length-mismatch');
  const payload = bytes.subarray(FRAME_HEADER);
  if ((CRC32.buf(payload) >>> 0) !== view.getUint32(28, true)) return no('bad-checksum');
  if (secret.length === 0) return no('bad-auth'); // nothing is authentic under no secret
  const expected = authenticator(secret, bytes.subarray(0, SIGNED_HEADER), payload);
  if (!timingSafeEqual(expected, bytes.subarray(SIGNED_HEADER, FRAME_HEADER))) return no('bad-auth');

  return { ok: true, frame: { kind, sender: view.getBigInt64(8, true), seq: view.getBigUint64(16, true), payload } };
}

function authenticator(secret: Uint8Array | string, header: Uint8Array, payload: Uint8Array): Uint8Array {
  return createHmac('sha256', secret).update(header).update(payload).digest().subarray(0, AUTH_BYTES);
}

function no(reason: FrameRejection): DecodeResult {
  return { ok: false, reason };
}

/** Frames taken and refused, by reason; what the host exposes as metrics. */
export interface FrameCounters {
  accepted: number;
  readonly rejected: Record<FrameRejection, number>;
}

export function newFrameCounters(): FrameCounters {
  return { accepted: 0, rejected: Object.fromEntries(FRAME_REJECTIONS.map((r) => [r, 0])) as Record<FrameRejection, number> };
}

/** Counts one decode result; returns it, so a call site reads `countFrame(c, decodeFrame(...))`. */
export function countFrame<R extends DecodeResult>(counters: FrameCounters, result: R): R {
  if (result.ok) counters.accepted++;
  else counters.rejected[result.reason]++;
  return result;
}

/**
 * The payload of a hello and of an ack on a reliable link (host/reliable-link.ts): the sender's
 * incarnation, a random u64 drawn at every process start, 8 bytes little-endian. A hello may
 * carry more bytes after it (a build name); an ack carries exactly this.
 */
export const INCARNATION_BYTES = 8;

export function incarnationPayload(incarnation: bigint): Uint8Array {
  if (BigInt.asUintN(64, incarnation) !== incarnation) throw new RangeError(`incarnation ${incarnation} does not fit a u64`);
  const out = new Uint8Array(INCARNATION_BYTES);
  new DataView(out.buffer).setBigUint64(0, incarnation, true);
  return out;
}

/** The incarnation at the start of a hello or ack payload; undefined when it is shorter than 8
 * bytes (a hello from a sender without a reliable link). Never throws. */
export function readIncarnation(payload: Uint8Array): bigint | undefined {
  if (payload.length < INCARNATION_BYTES) return undefined;
  return new DataView(payload.buffer, payload.byteOffset, INCARNATION_BYTES).getBigUint64(0, true);
}

export function totalRejected(counters: FrameCounters): number {
  let total = 0;
  for (const r of FRAME_REJECTIONS) total += counters.rejected[r];
  return total;
}
