// The record layout of assembly/runtime/records.ts, on the JavaScript side: rows of values
// encoded into a batch that a Wasm node pushes unchanged, and batches a node wrote decoded back
// into rows. A record is: u32 kind, u32 relation, i64 destination, u32 rows, u32 string bytes,
// the rows (8 bytes per column; a string is u32 offset, u32 length) and the string bytes,
// padded to 8. The host forwards these bytes as they are; only tests and tools decode them.

import type { ValueType } from '../../compiler/values/value.js';
import type { Row, Value } from '../../compiler/values/value.js';

export const RECORD_HEADER = 24;

export const RecordKind = { message: 0, output: 1, durable: 2, carried: 3 } as const;

export interface RecordSchema {
  readonly id: number;
  readonly types: readonly ValueType[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The size in bytes of one record holding `rows`. */
export function recordSize(schema: RecordSchema, rows: readonly Row[]): number {
  const width = schema.types.length;
  let strBytes = 0;
  for (let c = 0; c < width; c++) {
    if (schema.types[c] !== 'string') continue;
    for (const row of rows) strBytes += utf8Length(row[c] as string);
  }
  return RECORD_HEADER + rows.length * width * 8 + ((strBytes + 7) & ~7);
}

/** Writes one record at `at` of `bytes` (which has room for recordSize bytes); returns its size. */
export function writeRecordAt(bytes: Uint8Array, view: DataView, at: number, kind: number, schema: RecordSchema, rows: readonly Row[], dest = 0n): number {
  const width = schema.types.length;
  const types = schema.types;
  const rowBytes = rows.length * width * 8;
  const strBase = at + RECORD_HEADER + rowBytes;
  let cell = at + RECORD_HEADER;
  let so = 0;
  for (const row of rows) {
    for (let c = 0; c < width; c++) {
      if (types[c] === 'string') {
        const written = writeString(row[c] as string, bytes, strBase + so);
        view.setUint32(cell, so, true);
        view.setUint32(cell + 4, written, true);
        so += written;
      } else view.setBigInt64(cell, row[c] as bigint, true);
      cell += 8;
    }
  }
  const padded = (so + 7) & ~7;
  bytes.fill(0, strBase + so, strBase + padded);
  view.setUint32(at, kind, true);
  view.setUint32(at + 4, schema.id, true);
  view.setBigInt64(at + 8, dest, true);
  view.setUint32(at + 16, rows.length, true);
  view.setUint32(at + 20, so, true);
  return RECORD_HEADER + rowBytes + padded;
}

/** The bytes of one record holding `rows` (each already known to fit the schema). */
export function encodeRecord(kind: number, schema: RecordSchema, rows: readonly Row[], dest = 0n): Uint8Array {
  const bytes = new Uint8Array(recordSize(schema, rows));
  writeRecordAt(bytes, new DataView(bytes.buffer), 0, kind, schema, rows, dest);
  return bytes;
}

/** Writes a string's UTF-8 bytes at `at`; short ASCII strings by hand, which beats encodeInto. */
function writeString(s: string, bytes: Uint8Array, at: number): number {
  if (s.length <= 32) {
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[at + i] = c;
    }
    if (i === s.length) return i;
  }
  return encoder.encodeInto(s, bytes.subarray(at)).written;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
      } else n += 2; // a lone surrogate becomes U+FFFD: 3 bytes
    } else n += 2;
  }
  return n;
}

/** Short ASCII strings decode faster by hand than through TextDecoder. */
function decodeString(bytes: Uint8Array, from: number, to: number): string {
  if (to - from <= 32) {
    let ascii = true;
    for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) ascii = false;
    if (ascii) {
      let s = '';
      for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
      return s;
    }
  }
  return decoder.decode(bytes.subarray(from, to));
}

export interface DecodedRecord {
  readonly kind: number;
  readonly relation: number;
  readonly dest: bigint;
  readonly rows: Row[];
}

/** Decodes every record in `bytes`; `schemaOf` gives a relation's column types by number. */
export function decodeRecords(bytes: Uint8Array, schemaOf: (relation: number) => readonly ValueType[] | undefined): DecodedRecord[] {
  return decodeRecordsAt(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.subarray(0), 0, bytes.length, schemaOf);
}

/** Decodes the records in [from, to) of a buffer, given views on it (a node reuses its views). */
export function decodeRecordsAt(
  view: DataView,
  bytes: Uint8Array,
  from: number,
  to: number,
  schemaOf: (relation: number) => readonly ValueType[] | undefined,
): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  let at = from;
  while (at + RECORD_HEADER <= to) {
    const kind = view.getUint32(at, true);
    const relation = view.getUint32(at + 4, true);
    const dest = view.getBigInt64(at + 8, true);
    const n = view.getUint32(at + 16, true);
    const strBytes = view.getUint32(at + 20, true);
    const types = schemaOf(relation);
    if (!types) throw new Error(`internal: record of unknown relation #${relation}`);
    const width = types.length;
    const rowsAt = at + RECORD_HEADER;
    const strAt = rowsAt + n * width * 8;
    const rows: Row[] = [];
    let cell = rowsAt;
    for (let r = 0; r < n; r++) {
      const row: Value[] = new Array(width);
      for (let c = 0; c < width; c++, cell += 8) {
        if (types[c] === 'string') {
          const off = view.getUint32(cell, true);
          const len = view.getUint32(cell + 4, true);
          row[c] = decodeString(bytes, strAt + off, strAt + off + len);
        } else row[c] = view.getBigInt64(cell, true);
      }
      rows.push(row);
    }
    out.push({ kind, relation, dest, rows });
    at = strAt + ((strBytes + 7) & ~7);
  }
  return out;
}
