// The durable log of host/durable-log.ts: entries come back in order after a reopen; a crash at
// any byte of the last entry, or a corrupt byte in it, loses exactly that entry and the log
// keeps working; garbage and empty files are not fatal; recovered payloads decode into facts
// with the relation table of a real program. Every test works in its own temp directory.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { relationTable, type RelationEntry } from '../../compiler/ir/relation-table.js';
import { encodeRecord, RecordKind, type RecordSchema } from '../../engine/wasm/records.js';
import { DurableLog, ENTRY_HEADER, recoveredFacts } from '../../host/durable-log.js';
import { checked } from '../support/program.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dedc-durable-log-'));
  // A directory that does not exist yet: open must create it.
  file = path.join(dir, 'node-0', 'durable.log');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A payload of `n` bytes that differs from entry to entry. */
function payload(i: number, n = 5 + ((i * 7) % 40)): Uint8Array {
  return Uint8Array.from({ length: n }, (_, k) => (i * 31 + k * 13 + 1) & 0xff);
}

function appendAll(payloads: readonly Uint8Array[]): void {
  const { log } = DurableLog.open(file);
  for (const p of payloads) log.append(p);
  log.close();
}

function reopen(): { payloads: Uint8Array[]; truncatedBytes: number } {
  const { log, payloads, truncatedBytes } = DurableLog.open(file);
  log.close();
  return { payloads, truncatedBytes };
}

describe('DurableLog', () => {
  it('creates the file and its directory, and an empty log reads back as nothing', () => {
    const opened = DurableLog.open(file);
    expect(opened.payloads).toEqual([]);
    expect(opened.truncatedBytes).toBe(0);
    opened.log.close();
    expect(fs.statSync(file).size).toBe(0);
    expect(reopen()).toEqual({ payloads: [], truncatedBytes: 0 });
  });

  it('gives back every appended entry in order, across several opens', () => {
    const first = Array.from({ length: 50 }, (_, i) => payload(i));
    appendAll(first);
    expect(reopen().payloads).toEqual(first);
    const second = Array.from({ length: 20 }, (_, i) => payload(100 + i, 1 + i * 100));
    appendAll(second);
    const back = reopen();
    expect(back.truncatedBytes).toBe(0);
    expect(back.payloads).toEqual([...first, ...second]);
  });

  it('writes header and payload, reports the bytes, and skips empty payloads', () => {
    const { log } = DurableLog.open(file);
    expect(log.append(new Uint8Array(0))).toEqual({ bytes: 0, flushMicros: 0 });
    const done = log.append(Uint8Array.of(1, 2, 3));
    expect(done.bytes).toBe(ENTRY_HEADER + 3);
    expect(done.flushMicros).toBeGreaterThanOrEqual(0);
    expect(log.size).toBe(ENTRY_HEADER + 3);
    log.close();
    log.close(); // twice is harmless
    expect(() => log.append(Uint8Array.of(1))).toThrow(/closed/);
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(ENTRY_HEADER + 3);
    expect(bytes.readUInt32LE(0)).toBe(3);
    // CRC-32 (IEEE) of 01 02 03.
    expect(bytes.readUInt32LE(4)).toBe(0x55bc801d);
    expect([...bytes.subarray(ENTRY_HEADER)]).toEqual([1, 2, 3]);
  });

  it('group commit: one write and exactly one fsync per append, none for an empty payload', () => {
    const { log } = DurableLog.open(file);
    const fsync = vi.spyOn(fs, 'fsyncSync');
    const write = vi.spyOn(fs, 'writeSync');
    try {
      log.append(payload(1, 3000));
      log.append(payload(2));
      log.append(new Uint8Array(0));
      expect(fsync).toHaveBeenCalledTimes(2);
      expect(write).toHaveBeenCalledTimes(2);
    } finally {
      fsync.mockRestore();
      write.mockRestore();
      log.close();
    }
  });

  it('recovers exactly the entries before a torn last entry, at every byte where a crash can cut it', () => {
    const kept = [payload(1), payload(2, 17), payload(3, 1)];
    const last = payload(4, 21);
    appendAll([...kept, last]);
    const whole = fs.readFileSync(file);
    const start = whole.length - ENTRY_HEADER - last.length;
    for (let cut = start + 1; cut < whole.length; cut++) {
      fs.writeFileSync(file, whole.subarray(0, cut));
      const opened = DurableLog.open(file);
      expect(opened.payloads).toEqual(kept);
      expect(opened.truncatedBytes).toBe(cut - start);
      expect(fs.statSync(file).size).toBe(start);
      // Appending after the cut lands where the torn entry was, and survives another reopen.
      const next = payload(cut, 9);
      opened.log.append(next);
      opened.log.close();
      expect(reopen()).toEqual({ payloads: [...kept, next], truncatedBytes: 0 });
    }
  });

  it('drops a last entry with a corrupt byte (header or payload) and keeps the ones before', () => {
    const kept = [payload(1), payload(2)];
    const last = payload(3, 12);
    appendAll([...kept, last]);
    const whole = fs.readFileSync(file);
    const start = whole.length - ENTRY_HEADER - last.length;
    for (let at = start; at < whole.length; at++) {
      const bad = Buffer.from(whole);
      bad[at] = bad[at]! ^ 0x5a;
      fs.writeFileSync(file, bad);
      const opened = DurableLog.open(file);
      expect(opened.payloads).toEqual(kept);
      expect(opened.truncatedBytes).toBe(whole.length - start);
      opened.log.append(last);
      opened.log.close();
      expect(reopen().payloads).toEqual([...kept, last]);
    }
  });

  it('stops at a corrupt entry in the middle: the ones before it are kept, it and the rest cut', () => {
    const all = [payload(1), payload(2), payload(3), payload(4)];
    appendAll(all);
    const bad = fs.readFileSync(file);
    const second = ENTRY_HEADER + all[0]!.length;
    bad[second + ENTRY_HEADER] = bad[second + ENTRY_HEADER]! ^ 1;
    fs.writeFileSync(file, bad);
    const back = reopen();
    expect(back.payloads).toEqual([all[0]]);
    expect(back.truncatedBytes).toBe(bad.length - second);
  });

  it('treats a zero-filled tail (length 0, and CRC-32 of nothing is 0) as torn', () => {
    appendAll([payload(1)]);
    const size = fs.statSync(file).size;
    fs.appendFileSync(file, new Uint8Array(4096));
    expect(reopen()).toEqual({ payloads: [payload(1)], truncatedBytes: 4096 });
    expect(fs.statSync(file).size).toBe(size);
  });

  it('reads a file that is garbage from byte 0 as an empty log, truncated to 0, without throwing', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const garbage = Uint8Array.from({ length: 1000 }, (_, i) => (i * 97 + 13) & 0xff);
    fs.writeFileSync(file, garbage);
    expect(reopen()).toEqual({ payloads: [], truncatedBytes: 1000 });
    expect(fs.statSync(file).size).toBe(0);
    // A header that claims more bytes than the file has, and a wrong CRC with the right length.
    const huge = Buffer.alloc(12);
    huge.writeUInt32LE(0xffffffff, 0);
    fs.writeFileSync(file, huge);
    expect(reopen()).toEqual({ payloads: [], truncatedBytes: 12 });
    const wrong = Buffer.alloc(12);
    wrong.writeUInt32LE(4, 0);
    wrong.writeUInt32LE(1234, 4);
    fs.writeFileSync(file, wrong);
    expect(reopen()).toEqual({ payloads: [], truncatedBytes: 12 });
    appendAll([payload(5)]);
    expect(reopen().payloads).toEqual([payload(5)]);
  });
});

describe('recoveredFacts', () => {
  const analysis = checked(`
.input request(client: addr, id: int, payload: string)
.async store(primary: addr, client: addr, id: int, payload: string)
.async stored(client: addr, id: int)
.async reply(id: int, payload: string)
.static backups(b: addr)
.static self(a: addr)

role primary {
  forward: store@b(me, c, id, t) :~ request(c, id, t), backups(b), self(me).
  pending(c, id, t) :- request(c, id, t).
  pending(c, id, t) :+ pending(c, id, t), !stored(c, id).
  answer: reply@c(id, t) :~ pending(c, id, t), stored(c, id).
}

role backup {
  .durable log
  log(c, id, t) :+ store(_, c, id, t).
  ack: stored@p(c, id) :~ store(p, c, id, _).
}
`);
  const relations = relationTable(analysis);
  const schema = (name: string): RecordSchema => {
    const r: RelationEntry = relations.find((e) => e.name === name)!;
    return { id: r.id, types: r.columns.map((c) => c.type) };
  };
  const concat = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  it('decodes logged durable records into facts, in log order, through a real log file', () => {
    const log = schema('log');
    expect(relations.find((e) => e.name === 'log')!.persistence).toBe('durable');
    const tick1 = encodeRecord(RecordKind.durable, log, [
      [7n, 1n, 'put x'],
      [7n, 2n, 'héllo, wörld — a longer string past the ASCII fast path'],
    ]);
    const tick2 = concat(encodeRecord(RecordKind.durable, log, [[8n, 1n, '']]), encodeRecord(RecordKind.durable, log, [[9n, 3n, 'z']]));
    appendAll([tick1, tick2]);
    const { facts, unknownRecords, otherKindRecords, malformedRecords } = recoveredFacts(reopen().payloads, relations);
    expect(facts).toEqual([
      { relation: 'log', row: [7n, 1n, 'put x'] },
      { relation: 'log', row: [7n, 2n, 'héllo, wörld — a longer string past the ASCII fast path'] },
      { relation: 'log', row: [8n, 1n, ''] },
      { relation: 'log', row: [9n, 3n, 'z'] },
    ]);
    expect({ unknownRecords, otherKindRecords, malformedRecords }).toEqual({ unknownRecords: 0, otherKindRecords: 0, malformedRecords: 0 });
  });

  it('skips and counts records of unknown relations, other kinds, and records that overrun', () => {
    const log = schema('log');
    const good = encodeRecord(RecordKind.durable, log, [[1n, 1n, 'a']]);
    const unknown = encodeRecord(RecordKind.durable, { id: relations.length + 5, types: ['int'] }, [[1n]]);
    const message = encodeRecord(RecordKind.message, schema('stored'), [[1n, 2n]], 3n);
    const overrun = encodeRecord(RecordKind.durable, log, [[2n, 2n, 'b']]).subarray(0, 30);
    const result = recoveredFacts(
      [
        concat(good, message, encodeRecord(RecordKind.durable, log, [[4n, 4n, 'd']])),
        // The unknown record's size cannot be known, so the good record behind it is lost too.
        concat(unknown, good),
        concat(good, overrun),
        new Uint8Array(0),
      ],
      relations,
    );
    expect(result.facts).toEqual([
      { relation: 'log', row: [1n, 1n, 'a'] },
      { relation: 'log', row: [4n, 4n, 'd'] },
      { relation: 'log', row: [1n, 1n, 'a'] },
    ]);
    expect(result.unknownRecords).toBe(1);
    expect(result.otherKindRecords).toBe(1);
    expect(result.malformedRecords).toBe(1);
  });
});
