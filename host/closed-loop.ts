// Closed-loop load against a running cluster: N clients, each keeping `window` requests
// outstanding and sending the next as soon as one is answered (or times out). A warm-up comes
// first; then, over the measured window, every reply's latency goes into an HDR histogram
// (hdr-histogram-js) and each node's CPU time is read from its /metrics endpoint before and
// after, so the report gives throughput, latency percentiles and CPU time per command per node.

import * as hdr from 'hdr-histogram-js';
import type { ClusterClient, Cluster } from '../compiler/deploy/resolve-deployment.js';
import type { BuildManifest } from '../assembly/build/manifest.js';
import type { Row } from '../compiler/values/value.js';
import type { Endpoint } from './node-host.js';
import { ProtocolClient } from './protocol-client.js';
import { scrapeNodes, type NodeSample } from './scrape-metrics.js';

export interface LoadOptions {
  readonly clients: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Requests each client keeps outstanding (default: the deployment's window). */
  readonly window?: number;
  /**
   * Requests each client sends in all; the run ends once every one is answered (or timed out),
   * or at the end of the duration. Default: no limit, the run lasts the duration.
   */
  readonly requestsPerClient?: number;
  /**
   * The first request number of every client (default: the start time in ms x 1000, so runs
   * against a long-lived cluster do not reuse request ids: 2PC, for one, answers a transaction
   * id once).
   */
  readonly firstSeq?: number;
  /** A request unanswered this long is counted as timed out and replaced by a new one. */
  readonly timeoutMs: number;
  /** How long clients may take to connect to every node they use (default 15 s). */
  readonly connectTimeoutMs?: number;
  /** Every reply to a request this run sent, first or not (tests check what replies say). */
  readonly onReply?: (client: ClusterClient, seq: number, row: Row) => void;
  /** Called about once a second. */
  readonly onProgress?: (progress: LoadProgress) => void;
  readonly log?: (line: string) => void;
  /** Ends the run early (Ctrl-C, a node that died); the report covers what was measured. */
  readonly signal?: AbortSignal;
}

export interface LoadProgress {
  readonly phase: 'warm-up' | 'measure';
  readonly elapsedMs: number;
  readonly totalMs: number;
  /** Replies in the last second. */
  readonly perSecond: number;
  readonly completed: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export interface NodeCost {
  readonly name: string;
  readonly role: string;
  readonly address: string;
  /** CPU time over the measured window (user + system), ms. */
  readonly cpuMs: number;
  /** CPU time per command answered in the window, µs. */
  readonly cpuMicrosPerCommand: number;
  readonly ticks: number;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly framesRejected: number;
}

export interface LoadReport {
  readonly clients: number;
  readonly window: number;
  readonly warmupMs: number;
  /** The measured window as it ran, ms. */
  readonly measuredMs: number;
  /** Replies in the measured window. */
  readonly completed: number;
  readonly throughput: number;
  /** Latency of the replies in the measured window, µs. */
  readonly latencyMicros: Percentiles;
  readonly timeouts: number;
  /** Replies for a request already answered. */
  readonly duplicates: number;
  /** Replies for a request after it had timed out. */
  readonly late: number;
  /** Replies for a request this run never sent. */
  readonly unexpected: number;
  /** Requests a full link refused. */
  readonly refused: number;
  /** Requests still outstanding at the end. */
  readonly outstanding: number;
  /** Per node, sorted by CPU cost per command, highest (the bottleneck) first; empty if not scraped. */
  readonly nodes: readonly NodeCost[];
  /** The run was ended early through `signal`. */
  readonly aborted: boolean;
}

interface Outstanding {
  readonly sentAt: number;
}

/** The deployment's clients, extended with more (addresses after every other) when asked for more. */
export function loadClients(cluster: Cluster, n: number): ClusterClient[] {
  const base = cluster.clients;
  if (!base.length) return [];
  const top = [...cluster.names.keys()].reduce((a, b) => (b > a ? b : a), 0n);
  return Array.from({ length: n }, (_, i) =>
    i < base.length ? base[i]! : { name: `client[${i}]`, index: i, address: top + BigInt(i - base.length + 1), target: base[i % base.length]!.target, targets: base[i % base.length]!.targets },
  );
}

export async function runLoad(cluster: Cluster, manifest: BuildManifest, endpoints: ReadonlyMap<bigint, Endpoint>, secret: string, options: LoadOptions): Promise<LoadReport> {
  const workload = cluster.workload;
  if (!workload) throw new Error('the deployment has no "clients" section, so there is no workload to run');
  const window = options.window ?? workload.window;
  const replyRoles = new Set(manifest.roles.filter((r) => r.sends.includes(workload.reply)).map((r) => r.name));
  const replyNodes = cluster.nodes.filter((n) => replyRoles.has(n.role)).map((n) => n.address);
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  let measuring = false;
  let stopping = false;
  let completed = 0;
  let recent = 0;
  let timeouts = 0;
  let duplicates = 0;
  let late = 0;
  let unexpected = 0;
  const finished = new AbortController();
  const firstSeq = options.firstSeq ?? Date.now() * 1000;
  const limit = firstSeq + (options.requestsPerClient ?? Infinity);
  let open = 0; // clients with requests still to send or to be answered

  const clients = loadClients(cluster, options.clients).map((c) => {
    const outstanding = new Map<number, Outstanding>();
    const timedOut = new Set<number>();
    let nextSeq = firstSeq;
    const nodes = new Map<bigint, Endpoint>();
    for (const a of [c.target, ...replyNodes]) nodes.set(a, endpoints.get(a)!);
    const sendNext = () => {
      if (stopping) return;
      if (nextSeq >= limit) {
        if (outstanding.size === 0 && --open === 0) finished.abort();
        return;
      }
      const seq = nextSeq++;
      outstanding.set(seq, { sentAt: performance.now() });
      client.send(c.target, workload.input, [workload.request(c, seq)]);
    };
    const client: ProtocolClient = new ProtocolClient({
      address: c.address,
      secret,
      relations: manifest.relations,
      nodes,
      ...(options.log ? { log: options.log } : {}),
      onRows: (relation, rows) => {
        if (relation.name !== workload.reply) return;
        for (const row of rows) {
          const seq = Number(row[workload.replySeqColumn] as bigint);
          options.onReply?.(c, seq, row);
          const o = outstanding.get(seq);
          if (!o) {
            if (timedOut.delete(seq)) late++;
            else if (seq < nextSeq && seq >= firstSeq) duplicates++;
            else unexpected++;
            continue;
          }
          outstanding.delete(seq);
          recent++;
          if (measuring) {
            completed++;
            histogram.recordValue(Math.max(1, Math.round((performance.now() - o.sentAt) * 1000)));
          }
          sendNext();
        }
      },
    });
    const expire = () => {
      const now = performance.now();
      for (const [seq, o] of outstanding) {
        if (now - o.sentAt < options.timeoutMs) continue;
        outstanding.delete(seq);
        timedOut.add(seq);
        timeouts++;
        sendNext();
      }
    };
    return { client, outstanding, start: () => Array.from({ length: window }, sendNext), expire };
  });

  try {
    await bounded(Promise.all(clients.map((c) => c.client.ready())), options.connectTimeoutMs ?? 15_000, 'the clients could not reach every node they use');
    open = clients.length;
    const total = options.warmupMs + options.durationMs;
    // The CPU counters are read when the measured window opens: before any load when there is
    // no warm-up, else (with the load running) just after it opens, which misses a few ms.
    let before: NodeSample[] = options.warmupMs > 0 ? [] : await scrapeNodes(cluster, endpoints);
    const started = performance.now();
    if (options.warmupMs > 0) {
      for (const c of clients) c.start();
      await tickFor(options.warmupMs, started, total, 'warm-up');
      if (options.signal?.aborted) throw new Error('the load was stopped during its warm-up');
    }
    measuring = true;
    const measureStart = performance.now();
    if (options.warmupMs > 0) before = await scrapeNodes(cluster, endpoints);
    else for (const c of clients) c.start();
    await tickFor(options.durationMs, started, total, 'measure');
    measuring = false;
    const measuredMs = performance.now() - measureStart;
    const after = await scrapeNodes(cluster, endpoints);
    stopping = true;
    return {
      clients: clients.length,
      window,
      warmupMs: options.warmupMs,
      measuredMs,
      completed,
      throughput: completed / (measuredMs / 1000),
      latencyMicros: percentiles(histogram),
      timeouts,
      duplicates,
      late,
      unexpected,
      refused: clients.reduce((n, c) => n + c.client.refused, 0),
      outstanding: clients.reduce((n, c) => n + c.outstanding.size, 0),
      nodes: nodeCosts(cluster, before, after, completed),
      aborted: options.signal?.aborted ?? false,
    };
  } finally {
    stopping = true;
    await Promise.all(clients.map((c) => c.client.close()));
    histogram.destroy();
  }

  async function tickFor(ms: number, started: number, total: number, phase: LoadProgress['phase']): Promise<void> {
    const end = performance.now() + ms;
    const signals = [finished.signal, ...(options.signal ? [options.signal] : [])];
    while (performance.now() < end && !signals.some((s) => s.aborted)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(1000, Math.max(1, end - performance.now())));
        for (const s of signals) s.addEventListener('abort', done, { once: true });
        function done() {
          clearTimeout(timer);
          for (const s of signals) s.removeEventListener('abort', done);
          resolve();
        }
      });
      for (const c of clients) c.expire();
      options.onProgress?.({ phase, elapsedMs: performance.now() - started, totalMs: total, perSecond: recent, completed });
      recent = 0;
    }
  }
}

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000}s`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function percentiles(h: hdr.Histogram): Percentiles {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    mean: h.mean,
  };
}

function nodeCosts(cluster: Cluster, before: readonly NodeSample[], after: readonly NodeSample[], completed: number): NodeCost[] {
  const start = new Map(before.map((s) => [s.address, s]));
  const out: NodeCost[] = [];
  for (const a of after) {
    const b = start.get(a.address);
    const node = cluster.nodes.find((n) => n.address === a.address);
    if (!b || !node) continue;
    const cpuMs = (a.cpuSeconds - b.cpuSeconds) * 1000;
    out.push({
      name: node.name,
      role: node.role,
      address: String(node.address),
      cpuMs,
      cpuMicrosPerCommand: completed ? (cpuMs * 1000) / completed : 0,
      ticks: a.ticks - b.ticks,
      framesIn: a.framesIn - b.framesIn,
      framesOut: a.framesOut - b.framesOut,
      framesRejected: a.framesRejected - b.framesRejected,
    });
  }
  return out.sort((x, y) => y.cpuMicrosPerCommand - x.cpuMicrosPerCommand);
}
