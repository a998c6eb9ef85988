// Tuples in and out per relation at one node, for its metrics: rows received in data frames
// (counted from the record headers, before the module validates them) and rows the node's
// ticks sent, emitted as outputs, or logged as durable facts.

import type { RecordSpan } from './record-walk.js';
import { RecordKind } from '../engine/wasm/records.js';

export type TupleDirection = 'in' | 'sent' | 'output' | 'durable';

export class RelationCounters {
  private readonly counts = new Map<TupleDirection, Map<string, number>>();

  add(direction: TupleDirection, relation: string, rows: number): void {
    let m = this.counts.get(direction);
    if (!m) this.counts.set(direction, (m = new Map()));
    m.set(relation, (m.get(relation) ?? 0) + rows);
  }

  /** Counts an output record of a tick under the direction its kind says. */
  addOutput(record: RecordSpan): void {
    const direction = record.kind === RecordKind.message ? 'sent' : record.kind === RecordKind.output ? 'output' : record.kind === RecordKind.durable ? 'durable' : undefined;
    if (direction) this.add(direction, record.relation.name, record.rows);
  }

  /** [direction, relation, rows], sorted, for printing and metrics. */
  entries(): [TupleDirection, string, number][] {
    const out: [TupleDirection, string, number][] = [];
    for (const [d, m] of this.counts) for (const [r, n] of m) out.push([d, r, n]);
    return out.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  }

  total(direction: TupleDirection): number {
    let n = 0;
    for (const v of this.counts.get(direction)?.values() ?? []) n += v;
    return n;
  }
}
