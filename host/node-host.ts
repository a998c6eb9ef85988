// One node of a cluster as a network service: its role's Wasm module behind a uWebSockets.js
// server, a reliable link per destination node, frames in and out. A tick runs when input is
// pending (scheduled with setImmediate, never spinning) or a timer fires; its new durable facts
// are appended and flushed before any of its messages leave, and its messages go out as one
// data frame per destination. Generic: the module, the relation table and the node's place in
// the deployment are all it needs; a destination is an address, looked up in `endpoints` (a
// node), or else the connection that address opened to this node (a client).

import type { RelationEntry } from '../compiler/ir/relation-table.js';
import type { NodeSpec } from '../engine/node-engine.js';
import { WasmNode } from '../engine/wasm/wasm-node.js';
import { decodeRecords, encodeRecord, RecordKind } from '../engine/wasm/records.js';
import { DurableLog, recoveredFacts } from './durable-log.js';
import { encodeFrame, type Frame, type FrameCounters } from './frame.js';
import { InboundSessions } from './inbound-sessions.js';
import { listen, type InboundServer } from './inbound-server.js';
import { endpointHost } from './protocol-client.js';
import { newIncarnation, ReliableLink } from './reliable-link.js';
import { OutputSink } from './output-sink.js';
import { walkRecords } from './record-walk.js';
import { RelationCounters } from './relation-counters.js';

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
  /** Where every node listens (clients listen nowhere: replies go over their connections). */
  readonly endpoints: ReadonlyMap<bigint, Endpoint>;
  readonly secret: string;
  /** The durable log's file; without it, durable facts are not kept across restarts. */
  readonly durablePath?: string;
  /** A file the node's `.output` facts are appended to, as JSON lines. */
  readonly outputsPath?: string;
  readonly maxPayload?: number;
  /**
   * `tick` (default): a tick's messages to one destination travel as one frame. `message`: one
   * frame per message, as a transport without batching would send them (for comparison).
   */
  readonly frames?: FramePolicy;
  readonly log?: (line: string) => void;
}

export type FramePolicy = 'tick' | 'message';

export interface NodeHostCounters {
  ticks: number;
  faults: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Rows the module refused (malformed records, relations it does not take). */
  rowsRejected: number;
  /** Messages to an address with no endpoint or connection, or refused by a full queue. */
  sendsDropped: number;
  /** Replies sent to clients over the connections they opened. */
  clientFrames: number;
  durableFlushes: number;
}

/** Ticks in a row before the host yields to I/O (input keeps arriving while it ticks). */
const TICKS_PER_TURN = 64;
const DEFAULT_MAX_PAYLOAD = 16 << 20;

export class NodeHost {
  readonly counters: NodeHostCounters = { ticks: 0, faults: 0, framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, rowsRejected: 0, sendsDropped: 0, clientFrames: 0, durableFlushes: 0 };
  readonly tuples = new RelationCounters();
  private readonly node: WasmNode;
  private readonly server: InboundServer;
  private readonly sessions: InboundSessions;
  private readonly links = new Map<bigint, ReliableLink>();
  private readonly incarnation = newIncarnation();
  private readonly durable: DurableLog | undefined;
  private readonly outputs: OutputSink | undefined;
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
    this.outputs = config.outputsPath ? new OutputSink(config.outputsPath, config.relations) : undefined;
    const maxPayload = config.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.sessions = new InboundSessions({
      secret: config.secret,
      maxPayload,
      address: config.spec.address,
      send: (conn, bytes) => this.server.send(conn, bytes),
      onData: (frame) => this.receive(frame),
      acceptUnsequenced: false,
      log: this.say,
    });
    this.server = listen(
      {
        host: config.listen.host,
        port: config.listen.port,
        maxPayloadLength: maxPayload + 64,
        log: this.say,
        http: new Map([['/metrics', () => this.metrics()]]),
      },
      (bytes, conn) => this.sessions.handle(bytes, conn),
      (conn) => this.sessions.closed(conn),
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

  /** Frames that get here are authenticated and new (the sessions drop duplicates). */
  private receive(frame: Frame): void {
    if (frame.kind !== 'data') return;
    this.counters.framesIn++;
    this.counters.bytesIn += frame.payload.length;
    walkRecords(frame.payload, this.config.relations, (r) => this.tuples.add('in', r.relation.name, r.rows));
    this.counters.rowsRejected += this.node.pushRecords(frame.payload).rejected;
    this.schedule();
  }

  /** Frames refused by the codec, by reason. */
  get frames(): FrameCounters {
    return this.sessions.frames;
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
    const durable: Uint8Array[] = [];
    const sends: { dest: bigint; from: number; to: number }[] = [];
    let outputs = false;
    walkRecords(out, this.config.relations, (r) => {
      this.tuples.addOutput(r);
      if (r.kind === RecordKind.durable) durable.push(out.subarray(r.from, r.to));
      else if (r.kind === RecordKind.output) outputs = true;
      else if (r.kind === RecordKind.message) {
        // Records come grouped by destination: extend the last group or start one.
        const last = sends[sends.length - 1];
        if (last && last.dest === r.dest) last.to = r.to;
        else sends.push({ dest: r.dest, from: r.from, to: r.to });
      }
    });
    if (durable.length && this.durable) {
      this.durable.append(concat(durable));
      this.counters.durableFlushes++;
    }
    if (outputs) this.outputs?.write(ran.tick, out);
    for (const s of sends) {
      const payload = out.subarray(s.from, s.to);
      if (this.config.frames === 'message') for (const one of this.oneFramePerMessage(payload)) this.send(s.dest, one);
      else this.send(s.dest, payload);
    }
  }

  /** The records of one destination split into one record per message (row). */
  private *oneFramePerMessage(payload: Uint8Array): Iterable<Uint8Array> {
    const relations = this.config.relations;
    for (const rec of decodeRecords(payload, (id) => relations[id]?.columns.map((c) => c.type))) {
      const schema = { id: rec.relation, types: relations[rec.relation]!.columns.map((c) => c.type) };
      for (const row of rec.rows) yield encodeRecord(RecordKind.message, schema, [row], rec.dest);
    }
  }

  private send(dest: bigint, payload: Uint8Array): void {
    const link = this.linkTo(dest);
    if (link) {
      if (link.send(payload)) this.counters.framesOut++;
      else this.counters.sendsDropped++;
      this.counters.bytesOut += payload.length;
      return;
    }
    // Not a node: a client, reached over the connection it opened (at most once).
    const frame = encodeFrame({ kind: 'data', sender: this.config.spec.address, seq: 0n, payload }, this.config.secret);
    if (this.sessions.sendTo(dest, frame)) {
      this.counters.framesOut++;
      this.counters.clientFrames++;
      this.counters.bytesOut += payload.length;
    } else this.counters.sendsDropped++;
  }

  private linkTo(dest: bigint): ReliableLink | undefined {
    let link = this.links.get(dest);
    if (link) return link;
    const at = this.config.endpoints.get(dest);
    if (!at) return undefined;
    link = new ReliableLink(`ws://${endpointHost(at.host)}:${at.port}/`, { sender: this.config.spec.address, secret: this.config.secret, incarnation: this.incarnation, log: this.say });
    this.links.set(dest, link);
    return link;
  }

  /** Rows rejected by the module, frames refused by the codec: what an operator watches. */
  stats(): { counters: NodeHostCounters; frames: FrameCounters; sessions: InboundSessions['counters']; memory: ReturnType<WasmNode['memory']> } {
    return { counters: { ...this.counters }, frames: this.frames, sessions: { ...this.sessions.counters }, memory: this.node.memory() };
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
    const inbound = this.server.counters;
    const sessions = this.sessions.counters;
    metric('frames_rejected_total', 'Messages rejected, by reason: frames the codec refused, text or oversized WebSocket messages, frames without a sequenced hello or from the wrong sender.', 'counter', [
      ...Object.entries(this.frames.rejected).map(([reason, n]): [string, number] => [`,reason="${reason}"`, n]),
      [',reason="text-message"', inbound.rejected - inbound.oversized],
      [',reason="oversized-message"', inbound.oversized],
      [',reason="no-hello"', sessions.refusedUnsequenced],
      [',reason="wrong-sender"', sessions.wrongSender],
    ]);
    metric('frames_duplicate_total', 'Data frames dropped as already delivered (retransmissions after a reconnect).', 'counter', [['', sessions.duplicates]]);
    metric('connections_open', 'Inbound connections open.', 'gauge', [['', inbound.connectionsOpen]]);
    metric('retransmitted_total', 'Frames sent again after a reconnect.', 'counter', [['', [...this.links.values()].reduce((n, l) => n + l.counters.retransmitted, 0)]]);
    metric('rows_rejected_total', 'Rows the module refused.', 'counter', [['', c.rowsRejected]]);
    metric('sends_dropped_total', 'Messages dropped: no endpoint, or a full queue.', 'counter', [['', c.sendsDropped]]);
    metric('durable_flushes_total', 'Durable log flushes (one per tick with new durable facts).', 'counter', [['', c.durableFlushes]]);
    const tuples = this.tuples.entries();
    metric('tuples_total', 'Tuples per relation: received in frames (in), sent, emitted as outputs, logged as durable.', 'counter', tuples.map(([d, r, n]) => [`,direction="${d}",relation="${r}"`, n]));
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
    // The log first: every durable fact is already flushed (each tick's, before its sends).
    this.durable?.close();
    this.outputs?.close();
    this.server.close();
    this.sessions.close();
    await Promise.all([...this.links.values()].map((l) => l.close()));
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
