// One node of a cluster as a network service: its role's Wasm module behind a uWebSockets.js
// server, a ws link per destination, frames in and out. A tick runs when input is pending
// (scheduled with setImmediate, never spinning) or a timer fires; its new durable facts are
// appended and flushed before any of its messages leave, and its messages go out as one data
// frame per destination. Generic: the module, the relation table and the node's place in the
// deployment are all it needs; destinations are addresses, looked up in `endpoints`.

import type { RelationEntry } from '../compiler/ir/relation-table.js';
import type { NodeSpec } from '../engine/node-engine.js';
import { WasmNode } from '../engine/wasm/wasm-node.js';
import { RECORD_HEADER, RecordKind } from '../engine/wasm/records.js';
import { DurableLog, recoveredFacts } from './durable-log.js';
import { countFrame, decodeFrame, encodeFrame, newFrameCounters, type FrameCounters } from './frame.js';
import { listen, type InboundServer } from './inbound-server.js';
import { PeerLink } from './peer-link.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface NodeHostConfig {
  readonly module: WebAssembly.Module;
  readonly relations: readonly RelationEntry[];
  /** Role, address and static facts of this node. */
  readonly spec: NodeSpec;
  readonly timers?: readonly { readonly relation: string; readonly periodMicros: number }[];
  readonly listen: Endpoint;
  /** Where every address (node or client) listens. */
  readonly endpoints: ReadonlyMap<bigint, Endpoint>;
  readonly secret: string;
  /** The durable log's file; without it, durable facts are not kept across restarts. */
  readonly durablePath?: string;
  readonly maxPayload?: number;
  readonly log?: (line: string) => void;
}

export interface NodeHostCounters {
  ticks: number;
  faults: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Rows the module refused (malformed records, relations it does not take). */
  rowsRejected: number;
  /** Messages to an address with no endpoint, or refused by a full queue. */
  sendsDropped: number;
  durableFlushes: number;
}

/** Ticks in a row before the host yields to I/O (input keeps arriving while it ticks). */
const TICKS_PER_TURN = 64;
const DEFAULT_MAX_PAYLOAD = 16 << 20;

export class NodeHost {
  readonly counters: NodeHostCounters = { ticks: 0, faults: 0, framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, rowsRejected: 0, sendsDropped: 0, durableFlushes: 0 };
  readonly frames: FrameCounters = newFrameCounters();
  private readonly node: WasmNode;
  private readonly server: InboundServer;
  private readonly links = new Map<bigint, PeerLink>();
  private readonly sequences = new Map<bigint, bigint>();
  private readonly durable: DurableLog | undefined;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private scheduled = false;
  private stopped = false;
  private readonly say: (line: string) => void;

  constructor(private readonly config: NodeHostConfig) {
    this.say = config.log ?? (() => {});
    let spec = config.spec;
    if (config.durablePath) {
      const opened = DurableLog.open(config.durablePath);
      this.durable = opened.log;
      if (opened.truncatedBytes) this.say(`durable log: cut a torn tail of ${opened.truncatedBytes} bytes`);
      const recovered = recoveredFacts(opened.payloads, config.relations);
      spec = { ...spec, recovered: [...(spec.recovered ?? []), ...recovered.facts] };
    }
    this.node = new WasmNode(config.module, config.relations, spec);
    this.server = listen(
      {
        host: config.listen.host,
        port: config.listen.port,
        maxPayloadLength: config.maxPayload ?? DEFAULT_MAX_PAYLOAD,
        log: this.say,
        http: new Map([['/metrics', () => this.metrics()]]),
      },
      (bytes) => this.receive(bytes),
    );
    for (const t of config.timers ?? []) {
      this.timers.push(
        setInterval(() => {
          this.node.push({ relation: t.relation, rows: [[]] });
          this.schedule();
        }, Math.max(1, t.periodMicros / 1000)),
      );
    }
    this.schedule(); // tick 0: the statics (and recovered facts) are new
  }

  get port(): number {
    return this.server.port;
  }

  private receive(bytes: Uint8Array): void {
    const decoded = countFrame(this.frames, decodeFrame(bytes, this.config.secret, { maxPayload: this.config.maxPayload ?? DEFAULT_MAX_PAYLOAD }));
    if (!decoded.ok) {
      this.say(`rejected a frame: ${decoded.reason}`);
      return;
    }
    this.counters.framesIn++;
    this.counters.bytesIn += bytes.length;
    if (decoded.frame.kind !== 'data') return;
    this.counters.rowsRejected += this.node.pushRecords(decoded.frame.payload).rejected;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped || !this.node.wantsTick()) return;
    this.scheduled = true;
    setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    for (let i = 0; i < TICKS_PER_TURN && !this.stopped && this.node.wantsTick(); i++) this.tickOnce();
    this.schedule();
  }

  private tickOnce(): void {
    const ran = this.node.tickRecords();
    if (ran.fault) {
      this.counters.faults++;
      this.say(ran.fault.message);
      return;
    }
    this.counters.ticks++;
    // A copy: the view into Wasm memory is only valid until the module runs again.
    const out = this.node.outputBytes().slice();
    const view = new DataView(out.buffer);
    const durable: Uint8Array[] = [];
    const sends: { dest: bigint; from: number; to: number }[] = [];
    for (let at = 0; at + RECORD_HEADER <= out.length; ) {
      const kind = view.getUint32(at, true);
      const rel = this.config.relations[view.getUint32(at + 4, true)]!;
      const dest = view.getBigInt64(at + 8, true);
      const size = RECORD_HEADER + view.getUint32(at + 16, true) * rel.columns.length * 8 + ((view.getUint32(at + 20, true) + 7) & ~7);
      if (kind === RecordKind.durable) durable.push(out.subarray(at, at + size));
      else if (kind === RecordKind.message) {
        // Records come grouped by destination: extend the last group or start one.
        const last = sends[sends.length - 1];
        if (last && last.dest === dest) last.to = at + size;
        else sends.push({ dest, from: at, to: at + size });
      }
      at += size;
    }
    if (durable.length && this.durable) {
      this.durable.append(concat(durable));
      this.counters.durableFlushes++;
    }
    for (const s of sends) this.send(s.dest, out.subarray(s.from, s.to));
  }

  private send(dest: bigint, payload: Uint8Array): void {
    const link = this.linkTo(dest);
    if (!link) {
      this.counters.sendsDropped++;
      return;
    }
    const seq = (this.sequences.get(dest) ?? 0n) + 1n;
    this.sequences.set(dest, seq);
    const frame = encodeFrame({ kind: 'data', sender: this.config.spec.address, seq, payload }, this.config.secret);
    if (link.send(frame)) {
      this.counters.framesOut++;
      this.counters.bytesOut += frame.length;
    } else this.counters.sendsDropped++;
  }

  private linkTo(dest: bigint): PeerLink | undefined {
    let link = this.links.get(dest);
    if (link) return link;
    const at = this.config.endpoints.get(dest);
    if (!at) return undefined;
    const hello = () => encodeFrame({ kind: 'hello', sender: this.config.spec.address, seq: 0n, payload: new Uint8Array(0) }, this.config.secret);
    link = new PeerLink(`ws://${at.host}:${at.port}/`, { hello, log: this.say });
    this.links.set(dest, link);
    return link;
  }

  /** Rows rejected by the module, frames refused by the codec: what an operator watches. */
  stats(): { counters: NodeHostCounters; frames: FrameCounters; memory: ReturnType<WasmNode['memory']> } {
    return { counters: { ...this.counters }, frames: this.frames, memory: this.node.memory() };
  }

  /** The counters in Prometheus text format, served at GET /metrics on the node's port. */
  metrics(): string {
    const node = `role="${this.config.spec.role}",address="${this.config.spec.address}"`;
    const lines: string[] = [];
    const metric = (name: string, help: string, type: 'counter' | 'gauge', samples: [string, number][]) => {
      lines.push(`# HELP dedc_${name} ${help}`, `# TYPE dedc_${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`dedc_${name}{${node}${labels}} ${value}`);
    };
    const c = this.counters;
    metric('ticks_total', 'Ticks run.', 'counter', [['', c.ticks]]);
    metric('tick_faults_total', 'Ticks abandoned (DED501).', 'counter', [['', c.faults]]);
    metric('frames_in_total', 'Frames accepted.', 'counter', [['', c.framesIn]]);
    metric('frames_out_total', 'Frames sent.', 'counter', [['', c.framesOut]]);
    metric('bytes_in_total', 'Bytes of frames accepted.', 'counter', [['', c.bytesIn]]);
    metric('bytes_out_total', 'Bytes of frames sent.', 'counter', [['', c.bytesOut]]);
    metric('frames_rejected_total', 'Frames rejected, by reason.', 'counter', Object.entries(this.frames.rejected).map(([reason, n]) => [`,reason="${reason}"`, n]));
    metric('rows_rejected_total', 'Rows the module refused.', 'counter', [['', c.rowsRejected]]);
    metric('sends_dropped_total', 'Messages dropped: no endpoint, or a full queue.', 'counter', [['', c.sendsDropped]]);
    metric('durable_flushes_total', 'Durable log flushes (one per tick with new durable facts).', 'counter', [['', c.durableFlushes]]);
    metric('queue_depth', 'Messages waiting in peer queues.', 'gauge', [['', [...this.links.values()].reduce((n, l) => n + l.pendingMessages, 0)]]);
    const cpu = process.cpuUsage();
    metric('cpu_seconds_total', 'CPU time of the process (user + system).', 'counter', [['', (cpu.user + cpu.system) / 1e6]]);
    const mem = this.node.memory();
    metric('wasm_memory_bytes', 'Size of the Wasm memory.', 'gauge', [['', mem.wasmBytes]]);
    return `${lines.join('\n')}\n`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.server.close();
    await Promise.all([...this.links.values()].map((l) => l.close()));
    this.durable?.close();
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
