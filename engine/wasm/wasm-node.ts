// A node running its role's compiled Wasm module behind the NodeEngine interface, so the
// simulator (and the host) drive it exactly as they drive the reference interpreter. Rows
// cross the boundary as records in the wire layout (engine/wasm/records.ts): one copy into
// Wasm memory per push, one copy out per tick; only i32 values cross the calls.

import type { RelationEntry } from '../../compiler/ir/relation-table.js';
import type { Row } from '../../compiler/values/value.js';
import type { Batch, Fact, Message, NodeEngine, NodeSpec, RuntimeFault, TickOutput } from '../node-engine.js';
import { decodeRecordsAt, RecordKind, recordSize, writeRecordAt, type RecordSchema } from './records.js';

export interface WasmExports {
  readonly memory: WebAssembly.Memory;
  init(limit: number): void;
  loadFacts(ptr: number, len: number): number;
  inputBuffer(n: number): number;
  push(ptr: number, len: number): number;
  tick(): number;
  status(): number;
  dump(): void;
  memoryStats(which: number): number;
  profilePtr?(): number;
  PROFILE_RULES?: WebAssembly.Global;
}

export interface WasmNodeOptions {
  /** Work steps one tick may take before it is abandoned (DED501). */
  readonly stepLimit?: number;
}

const DEFAULT_STEP_LIMIT = 2_000_000;
const externalKinds = new Set(['input', 'async', 'timer']);

export class WasmNode implements NodeEngine {
  readonly role: string;
  readonly address: bigint;
  private readonly exports: WasmExports;
  private readonly byName: ReadonlyMap<string, RelationEntry>;
  private readonly schemas: readonly RecordSchema[];
  private readonly relations: readonly RelationEntry[];
  private pendingCount = 0;
  private unsettled = true;
  private tickNumber = 0;
  private readonly stepLimit: number;
  private dead: string | undefined;
  /** The module's status block (see assembly/runtime/records.ts) and its input buffer. */
  private readonly statusAt: number;
  private inputAt = 0;
  private inputCap = 0;

  constructor(module: WebAssembly.Module, relations: readonly RelationEntry[], spec: NodeSpec, options: WasmNodeOptions = {}) {
    this.role = spec.role;
    this.address = spec.address;
    this.relations = relations;
    this.byName = new Map(relations.map((r) => [r.name, r]));
    this.schemas = relations.map((r) => ({ id: r.id, types: r.columns.map((c) => c.type) }));
    this.stepLimit = options.stepLimit ?? DEFAULT_STEP_LIMIT;
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort: () => {
          throw new Error('the Wasm module aborted');
        },
        now: () => performance.now(),
      },
    });
    this.exports = instance.exports as unknown as WasmExports;
    // Only i32 values cross the calls: the limit is capped at 2^31 - 1 work steps.
    this.exports.init(Math.min(this.stepLimit, 0x7fffffff));
    this.statusAt = this.exports.status();
    const recovered = new Map<string, Row[]>();
    for (const f of spec.recovered ?? []) recovered.set(f.relation, [...(recovered.get(f.relation) ?? []), f.row]);
    for (const facts of [spec.statics, recovered]) {
      for (const [name, rows] of facts) {
        const rel = this.byName.get(name);
        if (rel && rows.length) this.withRecord(rel, rows, (ptr, len) => this.exports.loadFacts(ptr, len));
      }
    }
  }

  private bytes = new Uint8Array(0);
  private view = new DataView(this.bytes.buffer);

  /** Views on Wasm memory, re-made after memory grew: growth detaches the old buffer, and a
   * view on a detached buffer has length 0 (cheaper to test than reading memory.buffer). */
  private memoryViews(): { bytes: Uint8Array; view: DataView } {
    if (this.bytes.length === 0) {
      const buffer = this.exports.memory.buffer;
      this.bytes = new Uint8Array(buffer);
      this.view = new DataView(buffer);
    }
    return { bytes: this.bytes, view: this.view };
  }

  /** Writes rows as one record straight into the module's input buffer and calls `fn` on it. */
  private withRecord(rel: RelationEntry, rows: readonly Row[], fn: (ptr: number, len: number) => number): number {
    const schema = this.schemas[rel.id]!;
    const size = recordSize(schema, rows);
    const ptr = this.input(size);
    const { bytes, view } = this.memoryViews();
    writeRecordAt(bytes, view, ptr, RecordKind.message, schema, rows);
    return fn(ptr, size);
  }

  /** The module's input buffer, with room for n bytes; asks the module only when it must grow. */
  private input(n: number): number {
    if (n > this.inputCap) {
      this.inputAt = this.exports.inputBuffer(n);
      this.inputCap = this.memoryViews().view.getUint32(this.statusAt + 16, true);
    }
    return this.inputAt;
  }

  private statusWord(offset: number): number {
    return this.memoryViews().view.getUint32(this.statusAt + offset, true);
  }

  /** Copies bytes into the module's input buffer and calls `fn` on them. */
  private call(fn: (ptr: number, len: number) => number, bytes: Uint8Array): number {
    const ptr = this.input(bytes.length);
    this.memoryViews().bytes.set(bytes, ptr);
    return fn(ptr, bytes.length);
  }

  push(batch: Batch): number {
    const rel = this.byName.get(batch.relation);
    if (!rel || !externalKinds.has(rel.kind)) return batch.rows.length;
    let good = batch.rows;
    for (const row of batch.rows) {
      if (!fits(rel, row)) {
        good = batch.rows.filter((r) => fits(rel, r));
        break;
      }
    }
    let rejected = batch.rows.length - good.length;
    if (good.length && !this.dead) {
      rejected += this.withRecord(rel, good, (ptr, len) => this.exports.push(ptr, len));
      this.pendingCount += this.statusWord(8);
    }
    return rejected;
  }

  /** Pushes bytes already in the record layout (a frame's payload from a peer). */
  pushRecords(bytes: Uint8Array): { accepted: number; rejected: number } {
    const rejected = this.call((ptr, len) => this.exports.push(ptr, len), bytes);
    const accepted = this.statusWord(8);
    this.pendingCount += accepted;
    return { accepted, rejected };
  }

  wantsTick(): boolean {
    return !this.dead && (this.pendingCount > 0 || this.unsettled);
  }

  tick(): TickOutput {
    const ran = this.tickRecords();
    if (ran.fault) return { tick: ran.tick, inputs: ran.inputs, sends: [], outputs: [], durable: [], fault: ran.fault };
    const sends: Message[] = [];
    const outputs: Fact[] = [];
    const durable: Fact[] = [];
    if (this.statusWord(4) > 0) {
      for (const rec of this.records()) {
        const relation = this.relations[rec.relation]!.name;
        if (rec.kind === RecordKind.message) for (const row of rec.rows) sends.push({ to: rec.dest, relation, row });
        else if (rec.kind === RecordKind.output) for (const row of rec.rows) outputs.push({ relation, row });
        else if (rec.kind === RecordKind.durable) for (const row of rec.rows) durable.push({ relation, row });
      }
    }
    return { tick: ran.tick, inputs: ran.inputs, sends, outputs, durable };
  }

  /**
   * Runs one tick and leaves its output in the wire layout (`outputBytes()`): sends grouped by
   * destination, then outputs, then durable facts. The host's path: nothing is decoded.
   */
  tickRecords(): { tick: number; inputs: number; fault?: RuntimeFault } {
    const tick = this.tickNumber;
    const inputs = this.pendingCount;
    if (this.dead) return { tick, inputs, fault: { code: 'DED501', message: this.dead } };
    let status: number;
    try {
      status = this.exports.tick();
    } catch (e) {
      this.dead = `role ${this.role}: the Wasm module trapped in tick ${tick} (${(e as Error).message}); the node stops`;
      return { tick, inputs, fault: { code: 'DED501', message: this.dead } };
    }
    if (status !== 0) {
      const message = `role ${this.role}: tick ${tick} did not reach a fixpoint within ${this.stepLimit} work steps (does a rule derive ever new values, such as x + 1?)`;
      return { tick, inputs, fault: { code: 'DED501', message } };
    }
    this.unsettled = inputs > 0 || this.statusWord(12) !== 0;
    this.pendingCount = 0;
    this.tickNumber++;
    return { tick, inputs };
  }

  /** The last tick's output (or dump) in the wire layout, as a view into Wasm memory. */
  outputBytes(): Uint8Array {
    const ptr = this.statusWord(0);
    return this.memoryViews().bytes.subarray(ptr, ptr + this.statusWord(4));
  }

  private records() {
    const ptr = this.statusWord(0);
    const { bytes, view } = this.memoryViews();
    return decodeRecordsAt(view, bytes, ptr, ptr + this.statusWord(4), this.schemaTypes);
  }

  private readonly schemaTypes = (id: number) => this.schemas[id]?.types;


  /** The facts carried into the next tick, for tests and traces. */
  carriedFacts(): Fact[] {
    this.exports.dump();
    const facts: Fact[] = [];
    for (const rec of this.records()) for (const row of rec.rows) facts.push({ relation: this.relations[rec.relation]!.name, row });
    return facts;
  }

  /** Wasm memory size and what the relation sets and strings hold, in bytes. */
  memory(): { wasmBytes: number; relationBytes: number; stringBytes: number; liveStrings: number } {
    return {
      wasmBytes: this.exports.memory.buffer.byteLength,
      relationBytes: this.exports.memoryStats(0) >>> 0,
      stringBytes: this.exports.memoryStats(1) >>> 0,
      liveStrings: this.exports.memoryStats(2) >>> 0,
    };
  }

  /** Per-rule counters of a profiling build, by rule ordinal: tuples in, tuples out, ms. */
  profile(): { tuplesIn: number; tuplesOut: number; ms: number }[] | undefined {
    const ptr = this.exports.profilePtr?.();
    const count = this.exports.PROFILE_RULES?.value as number | undefined;
    if (ptr === undefined || count === undefined) return undefined;
    const view = new Float64Array(this.exports.memory.buffer, ptr, count * 3);
    return Array.from({ length: count }, (_, k) => ({ tuplesIn: view[k * 3]!, tuplesOut: view[k * 3 + 1]!, ms: view[k * 3 + 2]! }));
  }
}

function fits(rel: RelationEntry, row: Row): boolean {
  if (row.length !== rel.columns.length) return false;
  return row.every((v, i) => (rel.columns[i]!.type === 'string' ? typeof v === 'string' : typeof v === 'bigint'));
}
