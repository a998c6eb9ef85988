// Walks the records of a batch in the wire layout (engine/wasm/records.ts) by their headers
// only, without decoding rows: kind, relation, destination, row count and byte range of each.
// Stops at the first header that does not fit the bytes or names no relation, so it is safe on
// input from the network (the module still validates every record it takes).

import type { RelationEntry } from '../compiler/ir/relation-table.js';
import { RECORD_HEADER } from '../engine/wasm/records.js';

export interface RecordSpan {
  readonly kind: number;
  readonly relation: RelationEntry;
  readonly dest: bigint;
  readonly rows: number;
  readonly from: number;
  readonly to: number;
}

/** Calls `visit` for each well-formed record in order; returns how many bytes it walked. */
export function walkRecords(bytes: Uint8Array, relations: readonly RelationEntry[], visit: (record: RecordSpan) => void): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + RECORD_HEADER <= bytes.length) {
    const relation = relations[view.getUint32(at + 4, true)];
    if (!relation) break;
    const rows = view.getUint32(at + 16, true);
    const size = RECORD_HEADER + rows * relation.columns.length * 8 + ((view.getUint32(at + 20, true) + 7) & ~7);
    if (at + size > bytes.length) break;
    visit({ kind: view.getUint32(at, true), relation, dest: view.getBigInt64(at + 8, true), rows, from: at, to: at + size });
    at += size;
  }
  return at;
}
