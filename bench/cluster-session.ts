// A running cluster of the cluster benchmark and the measured windows on it. A session starts
// every node of a build as its own `dedc node` process (LocalCluster, 127.0.0.1, a fresh block of
// ports, a durable log per node in a fresh temporary directory), warms it up once, then runs
// measured windows: each a closed-loop load (host/closed-loop.ts runLoad) from clients at fresh
// addresses, so that no late reply of an earlier load reaches them, with each node's CPU from
// its /metrics and the bench's own /proc readings at the window's two ends. One session per
// configuration keeps cluster starts (up to 46 processes on 2 cores) out of the time budget.
// Every node runs through profiled-node.ts, its profiler off: `profileWindow` turns it on for one
// node (SIGUSR2) and runs a window; the profile is read when the cluster stops.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster, ClusterNode } from '../compiler/deploy/resolve-deployment.js';
import type { Row } from '../compiler/values/value.js';
import { runLoad, type LoadProgress, type LoadReport } from '../host/closed-loop.js';
import { nodeEndpoints } from '../host/load-cluster.js';
import { LocalCluster, nodeFileName } from '../host/local-cluster.js';
import type { Endpoint } from '../host/node-host.js';
import { metricSum, scrapeNodes, type NodeSample } from '../host/scrape-metrics.js';
import type { Built } from './cluster-build.js';
import type { ClusterConfig, Frames } from './cluster-configs.js';
import type { HostCounters, NodeRun, RunKind, RunRecord, Warmup } from './cluster-results.js';
import { summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { round } from './harness.js';
import { coreUse, readings, type CoreUse, type Readings } from './proc-readings.js';

export interface Session {
  readonly id: number;
  /** Where profiled nodes write their .cpuprofile when they exit. */
  readonly profileDir: string;
  /** Nodes whose profiler was turned on, and the window to keep of their profile. */
  readonly profiled: { readonly node: ClusterNode; window?: readonly [number, number] }[];
  readonly built: Built;
  readonly frames: Frames;
  readonly basePort: number;
  readonly endpoints: ReadonlyMap<bigint, Endpoint>;
  readonly secret: string;
  readonly dataDir: string;
  readonly local: LocalCluster;
  readonly startSeconds: number;
  warmup: Warmup;
  readonly abort: AbortController;
  readonly nodeExits: string[];
  /** Warning lines of the nodes since the last window began. */
  log: { lines: string[]; count: number };
  /** Loads run so far (warm-up included): the next one's clients are shifted by (loads + 1) x CLIENT_OFFSET. */
  loads: number;
  windows: number;
}

/** Client addresses of the k-th load on a cluster are the deployment's + k x this. */
const CLIENT_OFFSET = 1_000_000n;

/** The cluster as a load's clients see it: the same nodes, clients at other addresses. */
function clientsAt(cluster: Cluster, k: number, label: string): Cluster {
  const shift = CLIENT_OFFSET * BigInt(k);
  const clients = cluster.clients.map((c) => ({ ...c, name: `${label} ${c.name}`, address: c.address + shift }));
  const names = new Map(cluster.names);
  for (const c of clients) names.set(c.address, c.name);
  return { ...cluster, clients, names };
}

export const noWarmup: Warmup = { commands: 0, seconds: 0, timeouts: 0, duplicates: 0, late: 0, unexpected: 0 };

/** Starts every node of the build with this frames policy, each until it listens. */
export async function startSession(built: Built, frames: Frames, basePort: number, id: number): Promise<{ session?: Session; error?: string; startSeconds: number }> {
  const { cluster } = built;
  const secret = randomBytes(18).toString('base64url');
  const dataDir = mkdtempSync(join(tmpdir(), 'dedc-cluster-bench-'));
  const profileDir = mkdtempSync(join(tmpdir(), 'dedc-cluster-profile-'));
  const abort = new AbortController();
  const nodeExits: string[] = [];
  const log = { lines: [] as string[], count: 0 };
  const started = performance.now();
  let session: Session | undefined;
  try {
    const local = await LocalCluster.start({
      dir: built.dir,
      nodes: cluster.nodes,
      secret,
      nodeArgs: ['--deploy', built.deployFile, '--host', '127.0.0.1', '--base-port', String(basePort), '--frames', frames, '--profile-dir', profileDir],
      dataDir,
      startTimeoutMs: 150_000,
      cli: fileURLToPath(new URL('profiled-node.js', import.meta.url)),
      onLine: (node, line) => {
        if (line.includes('listening on') || line.includes('stopped:')) return;
        const s = session?.log ?? log;
        s.count++;
        if (s.lines.length < 10) s.lines.push(`${node.name}: ${line}`);
      },
      onExit: (node, code, signal) => {
        nodeExits.push(`${node.name} exited (${signal ?? `code ${code}`})`);
        abort.abort();
      },
    });
    session = {
      id,
      profileDir,
      profiled: [],
      built,
      frames,
      basePort,
      endpoints: nodeEndpoints(cluster, { host: '127.0.0.1', basePort }),
      secret,
      dataDir,
      local,
      startSeconds: round((performance.now() - started) / 1000, 2),
      warmup: noWarmup,
      abort,
      nodeExits,
      log,
      loads: 0,
      windows: 0,
    };
    return { session, startSeconds: session.startSeconds };
  } catch (e) {
    for (const d of [dataDir, profileDir]) rmSync(d, { recursive: true, force: true });
    return { error: (e instanceof Error ? e.message : String(e)).split('\n')[0]!, startSeconds: round((performance.now() - started) / 1000, 2) };
  }
}

/**
 * Waits until the cluster answers one command: a protocol may drop requests until it is ready
 * (Paxos, until a leader is elected), and a closed-loop client waits out its timeout for each
 * one lost. One client, one request at a time, each given up after a second, until one is
 * answered or `limitMs` passes. Returns the seconds it took, or undefined if none was answered.
 */
async function untilAnswering(s: Session, limitMs: number): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < limitMs && !s.abort.signal.aborted) {
    try {
      const probe = await runLoad(clientsAt(s.built.cluster, ++s.loads, 'probe'), s.built.manifest, s.endpoints, s.secret, { clients: 1, window: 1, warmupMs: 0, durationMs: 1000, requestsPerClient: 1, timeoutMs: 900, signal: s.abort.signal });
      if (probe.completed > 0) return round((performance.now() - started) / 1000, 2);
    } catch {
      // the client could not connect yet: try again
    }
  }
  return undefined;
}

/**
 * Warms the nodes up: first until the cluster answers at all (untilAnswering), then, since V8
 * compiles a node's hot code only after some thousands of frames and a scalable plan's nodes
 * each see a fraction of a lower throughput, the main load from its own client addresses until
 * `commands` are answered or `limitMs` passes.
 */
export async function warmUp(s: Session, load: { readonly clients: number; readonly window: number; readonly timeoutMs: number }, commands: number, limitMs: number): Promise<Warmup> {
  const started = performance.now();
  const ready = await untilAnswering(s, 30_000);
  try {
    const warm = await runLoad(clientsAt(s.built.cluster, ++s.loads, 'warm-up'), s.built.manifest, s.endpoints, s.secret, {
      clients: load.clients,
      window: load.window,
      warmupMs: 0,
      durationMs: limitMs,
      requestsPerClient: Math.ceil(commands / load.clients),
      timeoutMs: load.timeoutMs,
      signal: s.abort.signal,
    });
    s.warmup = { commands: warm.completed, seconds: round((performance.now() - started) / 1000, 2), timeouts: warm.timeouts, duplicates: warm.duplicates, late: warm.late, unexpected: warm.unexpected, ...(ready !== undefined ? { readySeconds: ready } : {}) };
  } catch {
    s.warmup = { ...noWarmup, seconds: round((performance.now() - started) / 1000, 2) };
  }
  return s.warmup;
}

export interface WindowSpec {
  readonly config: ClusterConfig;
  readonly kind: RunKind;
  readonly repetition: number;
  readonly clients: number;
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  /** Every reply (steady-state counts per second). */
  readonly onReply?: (seq: number, row: Row) => void;
  /** Right when the measured window opens (after its unmeasured start). */
  readonly onMeasure?: () => void;
  /** About once a second while the load runs. */
  readonly onProgress?: (p: LoadProgress) => void;
}

const emptyLatency = { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };

export const pidsOf = (s: Session) => s.local.running.map((r) => ({ name: r.node.name, pid: r.child.pid }));

/** One measured window on a running cluster. `window`: its two ends in CLOCK_MONOTONIC µs, for a profile. */
export async function measureWindow(s: Session, w: WindowSpec): Promise<{ record: RunRecord; window?: readonly [number, number] }> {
  const { cluster } = s.built;
  s.log = { lines: [], count: 0 };
  s.windows++;
  let report: LoadReport | undefined;
  let cores: CoreUse | undefined;
  let error: string | undefined;
  let first: Readings | undefined;
  let last: Readings | undefined;
  let startScrape: Promise<NodeSample[]> | undefined;
  let before: NodeSample[] = [];
  let after: NodeSample[] = [];
  const exitsBefore = s.nodeExits.length;
  try {
    if (s.abort.signal.aborted) throw new Error(s.nodeExits.join('; ') || 'the cluster was stopped');
    report = await runLoad(clientsAt(cluster, ++s.loads, 'window'), s.built.manifest, s.endpoints, s.secret, {
      clients: w.clients,
      window: w.window,
      warmupMs: w.warmupMs,
      durationMs: w.durationMs,
      timeoutMs: w.timeoutMs,
      signal: s.abort.signal,
      ...(w.onReply ? { onReply: (_c, seq, row) => w.onReply!(seq, row) } : {}),
      // The last warm-up progress call comes right before runLoad reads the nodes' /metrics and
      // starts measuring, the last measure call right before it reads them again and closes the
      // clients: the bench's own readings (and its read of the nodes' counters) go there too.
      onProgress: (p) => {
        if (!first && (p.phase === 'measure' || p.elapsedMs >= w.warmupMs - 5)) {
          first = readings(pidsOf(s));
          // runLoad reads every node's /metrics right now: the bench's own read (for the host's
          // counters) waits a moment, so as not to double the requests to each node at once.
          startScrape = new Promise((resolve) => setTimeout(resolve, 300)).then(() => scrapeNodes(cluster, s.endpoints));
          w.onMeasure?.();
        }
        if (first && !last && p.phase === 'measure' && p.elapsedMs >= p.totalMs - 5) last = readings(pidsOf(s));
        w.onProgress?.(p);
      },
      log: (line) => {
        s.log.count++;
        if (s.log.lines.length < 10) s.log.lines.push(`load: ${line}`);
      },
    });
    last ??= readings(pidsOf(s));
    after = await scrapeNodes(cluster, s.endpoints); // after runLoad's own read, when the clients have closed
    before = (await startScrape) ?? [];
    if (first) cores = coreUse(first, last);
    if (report.aborted) error = s.nodeExits.length ? s.nodeExits.join('; ') : 'the load was stopped';
    else if (after.length < cluster.nodes.length) error = `only ${after.length} of ${cluster.nodes.length} nodes answered /metrics after the load`;
    else if (report.nodes.length < cluster.nodes.length) error = `only ${report.nodes.length} of ${cluster.nodes.length} nodes had CPU readings for the measured window`;
  } catch (e) {
    error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }

  const completed = report?.completed ?? 0;
  const per = (x: number) => (completed ? x / completed : NaN);
  const nodeCosts: NodeRun[] = (report?.nodes ?? []).map((nd) => {
    const a = first?.procs.get(nd.name);
    const b = last?.procs.get(nd.name);
    const cpu = a && b ? b.user - a.user + (b.system - a.system) : 0;
    return {
      name: nd.name,
      role: nd.role,
      cpuMs: round(nd.cpuMs, 1),
      cpuMicrosPerCommand: round(nd.cpuMicrosPerCommand, 2),
      ticksPerCommand: round(per(nd.ticks), 4),
      framesInPerCommand: round(per(nd.framesIn), 4),
      framesOutPerCommand: round(per(nd.framesOut), 4),
      framesRejected: nd.framesRejected,
      ...(a && b
        ? { systemShare: cpu > 0 ? round((b.system - a.system) / cpu, 3) : NaN, voluntarySwitchesPerCommand: round(per(b.voluntary - a.voluntary), 3), involuntarySwitchesPerCommand: round(per(b.involuntary - a.involuntary), 3) }
        : {}),
    };
  });
  const top = nodeCosts[0];
  const total = hostCounters(after);
  const start = hostCounters(before.length === after.length ? before : []);
  const sentAfter = sentTuples(after);
  const sentBefore = sentTuples(before.length === after.length ? before : []);
  const sentPerCommand = Object.fromEntries([...sentAfter].map(([rel, n]) => [rel, round(per(n - (sentBefore.get(rel) ?? 0)), 3)]));
  const host = Object.fromEntries(Object.entries(total).map(([k, v]) => [k, v - start[k as keyof HostCounters]])) as unknown as HostCounters;
  const record: RunRecord = {
    config: w.config.key,
    kind: w.kind,
    repetition: w.repetition,
    clients: w.clients,
    window: w.window,
    session: s.id,
    order: s.windows,
    basePort: s.basePort,
    nodes: cluster.nodes.length,
    startSeconds: s.startSeconds,
    warmup: s.warmup,
    ...(error ? { error } : {}),
    throughput: round(report?.throughput ?? 0, 1),
    completed,
    measuredSeconds: round((report?.measuredMs ?? 0) / 1000, 3),
    latency: report ? { ...report.latencyMicros, mean: round(report.latencyMicros.mean, 1) } : emptyLatency,
    timeouts: report?.timeouts ?? 0,
    duplicates: report?.duplicates ?? 0,
    late: report?.late ?? 0,
    unexpected: report?.unexpected ?? 0,
    refused: report?.refused ?? 0,
    outstanding: report?.outstanding ?? 0,
    nodeCosts,
    bottleneck: top
      ? { name: top.name, role: top.role, cpuMicrosPerCommand: top.cpuMicrosPerCommand, commandsPerTick: top.ticksPerCommand > 0 ? round(1 / top.ticksPerCommand, 2) : NaN }
      : { name: '', role: '', cpuMicrosPerCommand: NaN, commandsPerTick: NaN },
    bound: top && top.cpuMicrosPerCommand > 0 ? round(1e6 / top.cpuMicrosPerCommand, 0) : NaN,
    totalCpuMicrosPerCommand: round(nodeCosts.reduce((sum, x) => sum + x.cpuMicrosPerCommand, 0), 2),
    framesOutPerCommand: round(per((report?.nodes ?? []).reduce((sum, x) => sum + x.framesOut, 0)), 3),
    ...(cores ? { cores } : {}),
    host,
    hostSinceStart: total,
    sentPerCommand,
    nodeExits: s.nodeExits.slice(exitsBefore),
    unclean: [],
    logLines: s.log.lines,
    logLineCount: s.log.count,
  };
  return { record, ...(first && last ? { window: [first.hrMicros, last.hrMicros] as const } : {}) };
}

function hostCounters(samples: readonly NodeSample[]): HostCounters {
  const sum = (name: string) => samples.reduce((n, a) => n + metricSum(a.samples, name), 0);
  return {
    sendsDropped: sum('dedc_sends_dropped_total'),
    retransmitted: sum('dedc_retransmitted_total'),
    tickFaults: sum('dedc_tick_faults_total'),
    duplicateFrames: sum('dedc_frames_duplicate_total'),
    framesRejected: sum('dedc_frames_rejected_total'),
  };
}

/** Tuples sent per relation, over every node (its /metrics `dedc_tuples_total{direction="sent"}`). */
function sentTuples(samples: readonly NodeSample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of samples)
    for (const [key, v] of a.samples) {
      if (!key.startsWith('dedc_tuples_total{') || !key.includes('direction="sent"')) continue;
      const rel = /relation="([^"]*)"/.exec(key)?.[1];
      if (rel) out.set(rel, (out.get(rel) ?? 0) + v);
    }
  return out;
}

/** The size of a node's durable log now, bytes (0 when it has none). */
export function durableLogBytes(s: Session, node: ClusterNode): number {
  try {
    return statSync(join(s.dataDir, `${nodeFileName(node)}.log`)).size;
  } catch {
    return 0;
  }
}

/** Turns the profiler of one node on (SIGUSR2 to its process) and measures a window with it on. */
export async function profileWindow(s: Session, nodeName: string, w: WindowSpec): Promise<{ record: RunRecord; window?: readonly [number, number] }> {
  const running = s.local.running.find((r) => r.node.name === nodeName);
  if (!running?.child.pid) return measureWindow(s, { ...w, kind: 'profile' });
  running.child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const entry: Session['profiled'][number] = { node: running.node };
  s.profiled.push(entry);
  const out = await measureWindow(s, { ...w, kind: 'profile' });
  if (out.window) entry.window = out.window;
  return out;
}

export interface StoppedSession {
  /** Nodes that did not exit with status 0. */
  readonly unclean: string[];
  /** The profile of each node profiled, over its window. */
  readonly profiles: { readonly node: string; readonly summary?: ProfileSummary; readonly error?: string }[];
}

/** Stops every node, reads the profiles written as they exited, and removes the durable logs and the profiles. */
export async function stopSession(s: Session): Promise<StoppedSession> {
  try {
    const codes = await s.local.stop();
    const unclean = [...codes].filter(([, code]) => code !== 0).map(([name, code]) => `${name} (${code ?? 'killed'})`);
    const profiles = s.profiled.map((p) => {
      try {
        return { node: p.node.name, summary: summariseProfile(join(s.profileDir, `${p.node.role}-${p.node.index}-${p.node.partition}.cpuprofile`), p.window) };
      } catch (e) {
        return { node: p.node.name, error: `no profile of ${p.node.name}: ${(e as Error).message.split('\n')[0]}` };
      }
    });
    return { unclean, profiles };
  } finally {
    for (const d of [s.dataDir, s.profileDir]) rmSync(d, { recursive: true, force: true });
  }
}
