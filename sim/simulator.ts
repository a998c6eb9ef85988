// The deterministic simulator: a whole cluster in one process, on a seeded network that delays,
// reorders, drops and partitions messages and crashes and restarts nodes. Time is simulated
// (microseconds); events are processed in time order, ties in scheduling order, and every
// random choice comes from one seeded generator, so the same seed gives the same run.
// Nodes are driven only through NodeEngine, so any back end plugs in.

import type { Analysis } from '../compiler/analyze/analysis.js';
import type { Cluster, ClusterClient, ClusterNode } from '../compiler/deploy/resolve-deployment.js';
import type { SimSettings } from '../compiler/deploy/deployment.js';
import type { Row } from '../compiler/values/value.js';
import type { Address, Fact, Message, NodeEngine, NodeSpec } from '../engine/node-engine.js';
import { ReferenceNode } from '../engine/reference/reference-node.js';
import { EventQueue } from './event-queue.js';
import { Rng } from './rng.js';
import type { DropReason, TraceEvent } from './trace.js';

export type EngineFactory = (analysis: Analysis, spec: NodeSpec) => NodeEngine;

export const referenceEngine: EngineFactory = (analysis, spec) => new ReferenceNode(analysis, spec);

export interface SimOptions {
  readonly seed: number;
  readonly engine?: EngineFactory;
  /** Settings that replace the deployment's `sim` settings. */
  readonly overrides?: Partial<SimSettings>;
}

export type EndReason = 'quiescent' | 'time limit' | 'event limit';

export interface ClientStats {
  readonly address: bigint;
  readonly sent: number;
  readonly completed: number;
  /** Latency of each completed request, microseconds, in completion order. */
  readonly latencies: readonly number[];
  readonly duplicates: number;
  readonly unexpected: number;
}

export interface NodeStats {
  readonly address: bigint;
  readonly ticks: number;
  readonly received: number;
  readonly rejected: number;
  readonly crashed: boolean;
}

export interface SimResult {
  readonly seed: number;
  readonly settings: SimSettings;
  readonly events: readonly TraceEvent[];
  readonly end: { readonly reason: EndReason; readonly time: number; readonly processed: number };
  readonly clients: readonly ClientStats[];
  readonly nodes: readonly NodeStats[];
}

type SimEvent =
  | { time: number; kind: 'deliver'; messages: { from: Address; to: Address; relation: string; row: Row; id: number }[] }
  | { time: number; kind: 'tick'; node: Address; life: number }
  | { time: number; kind: 'timer'; node: Address; relation: string; period: number }
  | { time: number; kind: 'client-start'; client: Address }
  | { time: number; kind: 'client-retry'; client: Address; seq: number; attempt: number }
  | { time: number; kind: 'crash' | 'restart'; node: Address }
  | { time: number; kind: 'partition'; groups: readonly (readonly bigint[])[]; heal?: number; cut?: boolean }
  | { time: number; kind: 'heal'; groups: readonly (readonly bigint[])[] };

interface NodeState {
  readonly spec: ClusterNode;
  engine: NodeEngine | undefined;
  /** Bumped at each crash, so ticks scheduled for an earlier life are ignored. */
  life: number;
  tickScheduled: boolean;
  crashed: boolean;
  readonly durableLog: Fact[];
  ticks: number;
  received: number;
  rejected: number;
}

interface ClientState {
  readonly spec: ClusterClient;
  nextSeq: number;
  readonly outstanding: Map<number, number>;
  readonly done: Set<number>;
  sent: number;
  readonly latencies: number[];
  duplicates: number;
  unexpected: number;
}

export function simulate(analysis: Analysis, cluster: Cluster, options: SimOptions): SimResult {
  const settings: SimSettings = { ...cluster.sim, ...options.overrides };
  const engineOf = options.engine ?? referenceEngine;
  const rng = new Rng(options.seed);
  const queue = new EventQueue<SimEvent>();
  const events: TraceEvent[] = [];
  const nodes = new Map<Address, NodeState>();
  const clients = new Map<Address, ClientState>();
  const partitions: (readonly (readonly bigint[])[])[] = [];
  const workload = cluster.workload;
  let inFlight = 0;
  let messageId = 0;
  let now = 0;

  const start = (spec: ClusterNode, recovered: readonly Fact[]) =>
    engineOf(analysis, { role: spec.role, address: spec.address, statics: spec.statics, recovered });

  for (const spec of cluster.nodes) {
    nodes.set(spec.address, {
      spec,
      engine: start(spec, []),
      life: 0,
      tickScheduled: false,
      crashed: false,
      durableLog: [],
      ticks: 0,
      received: 0,
      rejected: 0,
    });
    for (const t of spec.timers) queue.push({ time: rng.int(1, t.periodMicros), kind: 'timer', node: spec.address, relation: t.relation, period: t.periodMicros });
    // A node with nothing to read still runs once, as if started: its first tick may send.
    scheduleTick(nodes.get(spec.address)!);
  }
  for (const spec of cluster.clients) {
    clients.set(spec.address, { spec, nextSeq: 1, outstanding: new Map(), done: new Set(), sent: 0, latencies: [], duplicates: 0, unexpected: 0 });
    queue.push({ time: rng.int(0, settings.clientDelay[1]), kind: 'client-start', client: spec.address });
  }
  for (const f of cluster.faults) {
    if (f.kind === 'crash') {
      queue.push({ time: f.at, kind: 'crash', node: f.node });
      if (f.restart !== undefined) queue.push({ time: Math.max(f.at, f.restart), kind: 'restart', node: f.node });
    } else queue.push({ time: f.at, kind: 'partition', groups: f.groups, ...(f.heal !== undefined ? { heal: f.heal } : {}), ...(f.cut ? { cut: true } : {}) });
  }

  function scheduleTick(node: NodeState): void {
    if (node.tickScheduled || node.crashed || !node.engine?.wantsTick()) return;
    node.tickScheduled = true;
    queue.push({ time: now + rng.int(settings.tickDelay[0], settings.tickDelay[1]), kind: 'tick', node: node.spec.address, life: node.life });
  }

  function separated(a: bigint, b: bigint): boolean {
    return partitions.some((groups) => {
      const ga = groups.findIndex((g) => g.includes(a));
      const gb = groups.findIndex((g) => g.includes(b));
      return ga >= 0 && gb >= 0 && ga !== gb;
    });
  }

  function drop(from: Address, to: Address, relation: string, row: Row, reason: DropReason): void {
    events.push({ time: now, kind: 'drop', from, to, relation, row, reason });
  }

  /** Sends a tick's messages (or a client's request) through the simulated network. */
  function transmit(from: Address, messages: readonly Message[]): void {
    const batches = new Map<Address, { from: Address; to: Address; relation: string; row: Row; id: number }[]>();
    for (const m of messages) {
      const id = messageId++;
      events.push({ time: now, kind: 'send', from, to: m.to, relation: m.relation, row: m.row, id });
      const toNode = nodes.has(m.to);
      const toClient = clients.has(m.to);
      if (!toNode && !toClient) {
        drop(from, m.to, m.relation, m.row, 'no such address');
        continue;
      }
      const betweenNodes = toNode && nodes.has(from);
      if (betweenNodes && separated(from, m.to)) {
        drop(from, m.to, m.relation, m.row, 'partition');
        continue;
      }
      if (betweenNodes && rng.chance(settings.drop)) {
        drop(from, m.to, m.relation, m.row, 'random loss');
        continue;
      }
      const message = { from, to: m.to, relation: m.relation, row: m.row, id };
      if (settings.batching === 'tick') {
        const list = batches.get(m.to) ?? [];
        list.push(message);
        batches.set(m.to, list);
      } else {
        inFlight++;
        queue.push({ time: now + delayTo(from, m.to), kind: 'deliver', messages: [message] });
      }
    }
    for (const [to, list] of batches) {
      inFlight += list.length;
      queue.push({ time: now + delayTo(from, to), kind: 'deliver', messages: list });
    }
  }

  function delayTo(from: Address, to: Address): number {
    const range = nodes.has(from) && nodes.has(to) ? settings.delay : settings.clientDelay;
    return rng.int(range[0], range[1]);
  }

  function clientSend(client: ClientState): void {
    if (!workload) return;
    while (client.outstanding.size < workload.window && client.nextSeq <= workload.requests) {
      const seq = client.nextSeq++;
      const row = workload.request(client.spec, seq);
      client.outstanding.set(seq, now);
      client.sent++;
      sendRequest(client, seq, row, 0);
    }
  }

  /** Sends a request (attempt 0) or sends it again (to the client's next target), and arms its retry. */
  function sendRequest(client: ClientState, seq: number, row: Row, attempt: number): void {
    if (!workload) return;
    const to = client.spec.targets[attempt % client.spec.targets.length] ?? client.spec.target;
    events.push({ time: now, kind: 'request', client: client.spec.address, to, seq, relation: workload.input, row, ...(attempt > 0 ? { attempt } : {}) });
    const id = messageId++;
    inFlight++;
    queue.push({ time: now + delayTo(client.spec.address, to), kind: 'deliver', messages: [{ from: client.spec.address, to, relation: workload.input, row, id }] });
    if (workload.retry !== undefined) queue.push({ time: now + workload.retry, kind: 'client-retry', client: client.spec.address, seq, attempt: attempt + 1 });
  }

  function clientReceive(client: ClientState, relation: string, row: Row): void {
    if (!workload || relation !== workload.reply) {
      client.unexpected++;
      events.push({ time: now, kind: 'reply', client: client.spec.address, relation, row, status: 'unexpected' });
      return;
    }
    const value = row[workload.replySeqColumn];
    const seq = typeof value === 'bigint' ? Number(value) : NaN;
    const sentAt = client.outstanding.get(seq);
    if (sentAt !== undefined) {
      client.outstanding.delete(seq);
      client.done.add(seq);
      client.latencies.push(now - sentAt);
      events.push({ time: now, kind: 'reply', client: client.spec.address, relation, row, seq, status: 'ok' });
      clientSend(client);
    } else if (client.done.has(seq)) {
      client.duplicates++;
      events.push({ time: now, kind: 'reply', client: client.spec.address, relation, row, seq, status: 'duplicate' });
    } else {
      client.unexpected++;
      events.push({ time: now, kind: 'reply', client: client.spec.address, relation, row, status: 'unexpected' });
    }
  }

  function runTick(node: NodeState): void {
    const engine = node.engine!;
    if (!engine.wantsTick()) return;
    const out = engine.tick();
    const address = node.spec.address;
    if (out.fault) {
      events.push({ time: now, kind: 'fault', node: address, message: `${out.fault.code}: ${out.fault.message}` });
      node.crashed = true;
      node.engine = undefined;
      node.life++;
      return;
    }
    node.ticks++;
    events.push({ time: now, kind: 'tick', node: address, tick: out.tick, inputs: out.inputs, sends: out.sends.length, outputs: out.outputs.length });
    // Durable facts are written (and, in a real host, flushed) before any message leaves.
    for (const f of out.durable) {
      node.durableLog.push(f);
      events.push({ time: now, kind: 'durable', node: address, relation: f.relation, row: f.row });
    }
    for (const f of out.outputs) events.push({ time: now, kind: 'output', node: address, relation: f.relation, row: f.row });
    transmit(address, out.sends);
    scheduleTick(node);
  }

  const hasTimers = cluster.nodes.some((n) => n.timers.length > 0);
  /** Nothing can happen any more: no message in flight, no tick due, and no client waiting on a
   * protocol that has timers (a timer could still make progress). */
  function quiescent(): boolean {
    if (inFlight > 0) return false;
    // Without clients, a program with timers runs until the time limit.
    if (hasTimers && clients.size === 0) return false;
    for (const n of nodes.values()) if (n.tickScheduled) return false;
    for (const c of clients.values()) {
      if (c.outstanding.size === 0 && workload && c.nextSeq <= workload.requests) return false;
      if (c.outstanding.size > 0 && (hasTimers || workload?.retry !== undefined)) return false;
    }
    return true;
  }

  let processed = 0;
  let reason: EndReason = 'quiescent';
  let pendingStarts = clients.size;
  let pendingFaults = cluster.faults.reduce((n, f) => n + 1 + (f.kind === 'crash' ? (f.restart !== undefined ? 1 : 0) : f.heal !== undefined ? 1 : 0), 0);
  for (;;) {
    if (pendingStarts === 0 && pendingFaults === 0 && quiescent()) break;
    const ev = queue.pop();
    if (!ev) break;
    if (ev.time > settings.until) {
      reason = 'time limit';
      now = settings.until;
      break;
    }
    if (processed >= settings.maxEvents) {
      reason = 'event limit';
      break;
    }
    processed++;
    now = ev.time;
    switch (ev.kind) {
      case 'deliver':
        for (const m of ev.messages) {
          inFlight--;
          const client = clients.get(m.to);
          if (client) {
            clientReceive(client, m.relation, m.row);
            continue;
          }
          const node = nodes.get(m.to)!;
          if (node.crashed || !node.engine) {
            drop(m.from, m.to, m.relation, m.row, 'crashed');
            continue;
          }
          // A partition that began while the message was in flight stops it too.
          if (nodes.has(m.from) && separated(m.from, m.to)) {
            drop(m.from, m.to, m.relation, m.row, 'partition');
            continue;
          }
          node.received++;
          node.rejected += node.engine.push({ relation: m.relation, rows: [m.row] });
          events.push({ time: now, kind: 'receive', at: m.to, relation: m.relation, row: m.row, id: m.id });
        }
        for (const to of new Set(ev.messages.map((m) => m.to))) {
          const node = nodes.get(to);
          if (node) scheduleTick(node);
        }
        break;
      case 'tick': {
        const node = nodes.get(ev.node)!;
        if (ev.life !== node.life || node.crashed || !node.engine) break;
        node.tickScheduled = false;
        runTick(node);
        break;
      }
      case 'timer': {
        const node = nodes.get(ev.node)!;
        queue.push({ ...ev, time: now + ev.period });
        if (node.crashed || !node.engine) break;
        events.push({ time: now, kind: 'timer', node: ev.node, relation: ev.relation });
        node.engine.push({ relation: ev.relation, rows: [[]] });
        scheduleTick(node);
        break;
      }
      case 'client-start':
        pendingStarts--;
        clientSend(clients.get(ev.client)!);
        break;
      case 'client-retry': {
        const client = clients.get(ev.client)!;
        if (workload && client.outstanding.has(ev.seq)) sendRequest(client, ev.seq, workload.request(client.spec, ev.seq), ev.attempt);
        break;
      }
      case 'crash': {
        pendingFaults--;
        const node = nodes.get(ev.node)!;
        if (node.crashed) break;
        node.crashed = true;
        node.engine = undefined;
        node.tickScheduled = false;
        node.life++;
        events.push({ time: now, kind: 'crash', node: ev.node });
        break;
      }
      case 'restart': {
        pendingFaults--;
        const node = nodes.get(ev.node)!;
        if (!node.crashed) break;
        node.crashed = false;
        node.engine = start(node.spec, node.durableLog);
        events.push({ time: now, kind: 'restart', node: ev.node });
        scheduleTick(node);
        break;
      }
      case 'partition':
        pendingFaults--;
        partitions.push(ev.cut ? ev.groups : withRest(ev.groups, [...nodes.keys()]));
        events.push({ time: now, kind: 'partition', groups: partitions[partitions.length - 1]! });
        if (ev.heal !== undefined) queue.push({ time: Math.max(now, ev.heal), kind: 'heal', groups: partitions[partitions.length - 1]! });
        break;
      case 'heal':
        pendingFaults--;
        partitions.splice(partitions.indexOf(ev.groups as (readonly bigint[])[]), 1);
        events.push({ time: now, kind: 'heal' });
        break;
      default: {
        const never: never = ev;
        return never;
      }
    }
  }

  return {
    seed: options.seed,
    settings,
    events,
    end: { reason, time: now, processed },
    clients: [...clients.values()].map((c) => ({
      address: c.spec.address,
      sent: c.sent,
      completed: c.latencies.length,
      latencies: c.latencies,
      duplicates: c.duplicates,
      unexpected: c.unexpected,
    })),
    nodes: [...nodes.values()].map((n) => ({ address: n.spec.address, ticks: n.ticks, received: n.received, rejected: n.rejected, crashed: n.crashed })),
  };
}

/** The groups of a partition, plus one group of every node it does not name. */
function withRest(groups: readonly (readonly bigint[])[], all: readonly bigint[]): readonly (readonly bigint[])[] {
  const named = new Set(groups.flat());
  const rest = all.filter((a) => !named.has(a));
  return rest.length ? [...groups, rest] : groups;
}
