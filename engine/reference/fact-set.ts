// A relation's facts in one tick of the reference interpreter: a set of rows under set
// semantics, kept by the rows' canonical keys.

import { compareRows, rowKey, type Row } from '../../compiler/values/value.js';

export class FactSet {
  private readonly rows = new Map<string, Row>();

  static of(rows: Iterable<Row>): FactSet {
    const set = new FactSet();
    for (const r of rows) set.add(r);
    return set;
  }

  /** Adds a row; returns whether it was new. */
  add(row: Row): boolean {
    const key = rowKey(row);
    if (this.rows.has(key)) return false;
    this.rows.set(key, row);
    return true;
  }

  has(row: Row): boolean {
    return this.rows.has(rowKey(row));
  }

  get size(): number {
    return this.rows.size;
  }

  [Symbol.iterator](): Iterator<Row> {
    return this.rows.values();
  }

  sorted(): Row[] {
    return [...this.rows.values()].sort(compareRows);
  }

  equals(other: FactSet): boolean {
    if (other.size !== this.size) return false;
    for (const key of this.rows.keys()) if (!other.rows.has(key)) return false;
    return true;
  }
}
