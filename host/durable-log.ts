// The durable log of one node: takes, once per tick, the bytes of the tick's new `.durable`
// facts (kind-2 records in the wire layout of engine/wasm/records.ts, stored unchanged) and
// makes them survive a crash before the tick's messages leave; gives them back, in order, when
// the node restarts. Relies on fsync for durability and on a CRC-32 per entry to find a torn
// tail; `recoveredFacts` turns the payloads into the `NodeSpec.recovered` facts of a restart.
//
// File format: a sequence of entries, one per tick that had new durable facts, nothing else
// (no file header, so an empty file is an empty log). Integers are little-endian.
//
//   offset 0        4          8                     8 + length
//          +--------+----------+---------------------+
//          | length | crc32    | payload             |  next entry ...
//          | u32    | u32      | `length` bytes      |
//          +--------+----------+---------------------+
//
//   length  the payload's size in bytes; never 0 (empty payloads are not written)
//   crc32   CRC-32 (IEEE, as the `crc-32` package computes it) of the payload, as unsigned
//   payload records of u32 kind, u32 relation, i64 dest, u32 rows, u32 string bytes, the rows
//           (8 bytes per column) and the string bytes padded to 8 (engine/wasm/records.ts)
//
// Reading stops at the first entry that is incomplete, has length 0 or a checksum that does not
// match; that entry and everything after it are a torn tail and are cut off.

import fs from 'node:fs';
import path from 'node:path';
import CRC32 from 'crc-32';
import type { RelationEntry } from '../compiler/ir/relation-table.js';
import type { Fact } from '../engine/node-engine.js';
import { decodeRecords, RECORD_HEADER, RecordKind } from '../engine/wasm/records.js';

export const ENTRY_HEADER = 8;

export interface OpenedLog {
  readonly log: DurableLog;
  /** Every complete entry's payload, in the order appended. */
  readonly payloads: Uint8Array[];
  /** Bytes cut off the end of the file (a torn or corrupt tail); 0 for a clean log. */
  readonly truncatedBytes: number;
}

export interface Appended {
  /** Bytes added to the file (header and payload); 0 for an empty payload. */
  readonly bytes: number;
  /** How long the fsync took, in microseconds (what group commit costs the tick). */
  readonly flushMicros: number;
}

export class DurableLog {
  private fd: number | undefined;
  /** Where the file ends after the last successful append: a failed write is cut back to it. */
  private end: number;
  /** Set when an fsync failed: the kernel may have dropped the dirty pages, so nothing after
   * that point can be promised durable and the log refuses further appends. */
  private failed: Error | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    end: number,
  ) {
    this.fd = fd;
    this.end = end;
  }

  /**
   * Opens the log at `file` (creating it and its directory if missing), reads every complete
   * entry back and cuts off a torn tail. Never throws on the file's contents, only on I/O errors.
   */
  static open(file: string): OpenedLog {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true });
    const existed = fs.existsSync(file);
    // 'a+': created if missing, readable, and every write lands at the end of the file.
    const fd = fs.openSync(file, 'a+');
    try {
      // A new file's directory entry must be durable too, or a crash could lose the whole log.
      if (!existed) fsyncDir(dir);
      const bytes = readAll(fd);
      const { payloads, end } = scan(bytes);
      const truncatedBytes = bytes.length - end;
      if (truncatedBytes > 0) {
        fs.ftruncateSync(fd, end);
        // Durable before new entries follow it, so a later crash cannot bring the tail back.
        fs.fsyncSync(fd);
      }
      return { log: new DurableLog(file, fd, end), payloads, truncatedBytes };
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /**
   * Appends one entry holding `payload` and flushes it to disk: one write and exactly one fsync
   * per call (group commit: the host calls this once per tick, before sending the tick's
   * messages). An empty payload writes nothing and does not flush.
   */
  append(payload: Uint8Array): Appended {
    const fd = this.openFd();
    if (this.failed) throw new Error(`durable log ${this.path}: an earlier flush failed (${this.failed.message})`);
    if (payload.length === 0) return { bytes: 0, flushMicros: 0 };
    if (payload.length > 0xffffffff) throw new Error(`durable log ${this.path}: entry of ${payload.length} bytes is too large`);
    const entry = new Uint8Array(ENTRY_HEADER + payload.length);
    const view = new DataView(entry.buffer);
    view.setUint32(0, payload.length, true);
    view.setUint32(4, CRC32.buf(payload) >>> 0, true);
    entry.set(payload, ENTRY_HEADER);
    try {
      let done = 0;
      while (done < entry.length) done += fs.writeSync(fd, entry, done, entry.length - done);
    } catch (e) {
      // Cut a partial entry back off, so the next append does not follow garbage that recovery
      // would stop at (losing the good entries behind it). Best effort: recovery copes anyway.
      try {
        fs.ftruncateSync(fd, this.end);
      } catch {
        /* the write's error is the one to report */
      }
      throw e;
    }
    const started = process.hrtime.bigint();
    try {
      fs.fsyncSync(fd);
    } catch (e) {
      this.failed = e as Error;
      throw e;
    }
    const flushMicros = Number(process.hrtime.bigint() - started) / 1000;
    this.end += entry.length;
    return { bytes: entry.length, flushMicros };
  }

  /** The file's size as far as this log knows: the end of the last complete entry. */
  get size(): number {
    return this.end;
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`durable log ${this.path} is closed`);
    return this.fd;
  }
}

/** The complete, intact entries at the start of `bytes`, and where they end. */
function scan(bytes: Uint8Array): { payloads: Uint8Array[]; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payloads: Uint8Array[] = [];
  let at = 0;
  while (at + ENTRY_HEADER <= bytes.length) {
    const length = view.getUint32(at, true);
    const crc = view.getUint32(at + 4, true);
    // Length 0 is never written; zeros are what a filesystem may leave after a crash in space
    // it had allocated, and the CRC-32 of nothing is 0, so without this they would pass.
    if (length === 0 || length > bytes.length - at - ENTRY_HEADER) break;
    const payload = bytes.subarray(at + ENTRY_HEADER, at + ENTRY_HEADER + length);
    if (CRC32.buf(payload) >>> 0 !== crc) break;
    payloads.push(payload.slice());
    at += ENTRY_HEADER + length;
  }
  return { payloads, end: at };
}

function readAll(fd: number): Uint8Array {
  const size = fs.fstatSync(fd).size;
  const bytes = new Uint8Array(size);
  let done = 0;
  while (done < size) {
    const n = fs.readSync(fd, bytes, done, size - done, done);
    if (n === 0) break; // shrank under us; what was read is all there is
    done += n;
  }
  return done === size ? bytes : bytes.subarray(0, done);
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface RecoveredFacts {
  readonly facts: Fact[];
  /** Records naming a relation the table does not have. A record's size depends on its
   * relation's width, so the rest of that payload cannot be read either: each such payload
   * counts one here and its remaining records are skipped. */
  readonly unknownRecords: number;
  /** Records of another kind than durable (the host logs only kind 2; counted, not used). */
  readonly otherKindRecords: number;
  /** Records whose rows and strings would run past the end of their payload; the rest of that
   * payload is skipped. */
  readonly malformedRecords: number;
}

/**
 * The facts held by recovered payloads, in log order, given the relation table of the program
 * that wrote them (relation numbers are positions in that table, so it must be the same build).
 */
export function recoveredFacts(payloads: readonly Uint8Array[], relations: readonly RelationEntry[]): RecoveredFacts {
  const byId = new Map<number, RelationEntry>();
  for (const r of relations) byId.set(r.id, r);
  const typesOf = (id: number) => byId.get(id)?.columns.map((c) => c.type);
  const facts: Fact[] = [];
  let unknownRecords = 0;
  let otherKindRecords = 0;
  let malformedRecords = 0;
  for (const payload of payloads) {
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    let at = 0;
    while (at + RECORD_HEADER <= payload.length) {
      const kind = view.getUint32(at, true);
      const entry = byId.get(view.getUint32(at + 4, true));
      if (!entry) {
        unknownRecords++;
        break;
      }
      const rows = view.getUint32(at + 16, true);
      const strBytes = view.getUint32(at + 20, true);
      // Plain arithmetic, not `& ~7`: a u32 near 2^32 would turn negative and stall the walk.
      const size = RECORD_HEADER + rows * entry.columns.length * 8 + Math.ceil(strBytes / 8) * 8;
      // The CRC vouches for the bytes, not for the writer: a record running past its payload
      // is not decoded.
      if (at + size > payload.length) {
        malformedRecords++;
        break;
      }
      if (kind !== RecordKind.durable) otherKindRecords++;
      else for (const rec of decodeRecords(payload.subarray(at, at + size), typesOf)) for (const row of rec.rows) facts.push({ relation: entry.name, row });
      at += size;
    }
  }
  return { facts, unknownRecords, otherKindRecords, malformedRecords };
}
