// The program-wide relation table the back end and the wire share: every relation of a checked
// program, numbered by name order, with its column types. Sender and receiver compile from the
// same program, so a relation's number is the same on every node; the manifest records it.

import type { Analysis, RelationKind, Persistence } from '../analyze/analysis.js';
import type { ValueType } from '../values/value.js';

export interface RelationEntry {
  readonly id: number;
  readonly name: string;
  readonly kind: RelationKind;
  readonly persistence: Persistence;
  readonly columns: readonly { readonly name?: string; readonly type: ValueType }[];
  /** Timers: the period in microseconds. */
  readonly periodMicros?: number;
}

export function relationTable(analysis: Analysis): RelationEntry[] {
  return [...analysis.relations.keys()].sort().map((name, id) => {
    const r = analysis.relations.get(name)!;
    return {
      id,
      name,
      kind: r.kind,
      persistence: r.persistence,
      columns: r.columns.map((c) => ({ ...(c.name ? { name: c.name } : {}), type: c.type })),
      ...(r.periodMicros !== undefined ? { periodMicros: r.periodMicros } : {}),
    };
  });
}
