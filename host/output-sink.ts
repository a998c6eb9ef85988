// Where a node's `.output` facts go when it runs as a service: appended as JSON lines to a file
// (`dedc node --outputs FILE`), one line per fact, written after the tick's durable facts are
// flushed. Integers that fit a double are JSON numbers, larger ones strings.
//
//   {"tick":12,"relation":"decision","row":[9,3,"commit"]}

import { closeSync, openSync, writeSync } from 'node:fs';
import type { RelationEntry } from '../compiler/ir/relation-table.js';
import { decodeRecords, RecordKind } from '../engine/wasm/records.js';
import type { Value } from '../compiler/values/value.js';

export class OutputSink {
  private readonly fd: number;

  constructor(path: string, private readonly relations: readonly RelationEntry[]) {
    this.fd = openSync(path, 'a');
  }

  /** Writes the output records among `bytes` (a tick's output, in the wire layout). */
  write(tick: number, bytes: Uint8Array): void {
    let text = '';
    for (const rec of decodeRecords(bytes, (id) => this.relations[id]?.columns.map((c) => c.type))) {
      if (rec.kind !== RecordKind.output) continue;
      const relation = this.relations[rec.relation]!.name;
      for (const row of rec.rows) text += `${JSON.stringify({ tick, relation, row: row.map(jsonValue) })}\n`;
    }
    if (text) writeSync(this.fd, text);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function jsonValue(v: Value): number | string {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return v;
}
