// The cluster benchmark (issue 5): voting and 2PC, base and scalable plans, run as real node
// processes on loopback under one closed-loop load, per-tick (batched) and per-message frames,
// side by side in one run. Per run: every node's CPU time per command (from its /metrics), the
// bottleneck, the bound with a core per node (1e6 / bottleneck µs), the loopback throughput and
// latency, how the machine's cores were shared, and the anomalies. Configurations are
// interleaved (each repetition runs every one in turn) so drift of the shared machine falls on
// all alike; medians over the repetitions. Each base protocol is also run at a few lighter loads
// (one per repetition), for its cost per command at the throughput its scalable plan reaches
// here. Then one more run of each base protocol with a profiler on the bottleneck node shows
// where its CPU goes. Results: bench/results/cluster.json, cluster.md and SVG plots.
//
//   npm run bench:cluster                    full run, about 8 minutes (its limit is 14)
//   npm run bench:cluster -- --quick         one repetition of short runs, no profile: $TMPDIR/dedc-bench-quick/
//   npm run bench:cluster -- --only voting-base-tick,voting-scalable-tick   some configurations (also to $TMPDIR)
//   npm run bench:cluster -- --with-scalable-per-message   also the scalable plans with per-message frames (+3 minutes)
//   npm run bench:cluster -- --no-profile    skip the profiled runs (--profile adds them to a quick run)
//   node dist/bench/cluster-report.js [bench/results/cluster.json]   regenerate cluster.md and the plots

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../assembly/build/build-program.js';
import type { BuildManifest } from '../assembly/build/manifest.js';
import { renderDiagnostics } from '../compiler/diagnostics/render.js';
import type { Cluster } from '../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../compiler/source.js';
import { runLoad, type LoadReport } from '../host/closed-loop.js';
import { loadCluster, nodeEndpoints } from '../host/load-cluster.js';
import { LocalCluster } from '../host/local-cluster.js';
import { metricSum, scrapeNodes, type NodeSample } from '../host/scrape-metrics.js';
import { writeClusterPlots } from './cluster-plot.js';
import { renderClusterReport } from './cluster-report.js';
import { summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { Deadline, gitState, machineInfo, med, outputDir, parseFlags, progress, protocolsDir, repoRoot, round, type GitState, type Machine } from './harness.js';

export type Protocol = 'voting' | '2pc';
export type Plan = 'base' | 'scalable';
export type Frames = 'per-tick' | 'per-message';

export interface ClusterConfig {
  /** `voting-base-tick`, `2pc-scalable-message`, ... */
  readonly key: string;
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly frames: Frames;
  /** The paper's name: Voting, ScalableVoting, 2PC, Scalable2PC. */
  readonly name: string;
}

export interface LoadSettings {
  readonly clients: number;
  readonly window: number;
  /**
   * Warm-up of the nodes, before the measured load: the main load (clients x window) from other
   * client addresses, until this many commands are answered or the time limit passes.
   */
  readonly warmupCommands: number;
  readonly warmupLimitMs: number;
  /** The measured load's own warm-up (its clients connect and fill their windows), not measured. */
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly repetitions: number;
  /** Other loads the per-tick configurations also run at (the plans given), spread over the repetitions. */
  readonly sweep: readonly SweepLoad[];
}

export interface SweepLoad {
  readonly clients: number;
  readonly window: number;
  readonly plans: readonly Plan[];
}

export interface NodeRun {
  readonly name: string;
  readonly role: string;
  readonly cpuMs: number;
  readonly cpuMicrosPerCommand: number;
  readonly ticksPerCommand: number;
  readonly framesInPerCommand: number;
  readonly framesOutPerCommand: number;
  readonly framesRejected: number;
  /** From /proc/<pid> over the measured window: the share of its CPU time spent in the kernel, and context switches per command. */
  readonly systemShare?: number;
  readonly voluntarySwitchesPerCommand?: number;
  readonly involuntarySwitchesPerCommand?: number;
}

/** How the machine's cores were used over the measured window, in cores (CPU seconds per second). */
export interface CoreUse {
  readonly seconds: number;
  /** Every node process together (/proc/<pid>/stat), and the part of it spent in the kernel. */
  readonly nodes: number;
  readonly nodesSystem: number;
  /** This process: the closed-loop clients (and the bench itself). */
  readonly loadGenerator: number;
  /** The whole machine per /proc/stat (everything not idle or waiting for I/O), and time stolen by the hypervisor. */
  readonly machineBusy: number;
  readonly steal: number;
  /** Context switches of the node processes per second: voluntary (waiting for input) and involuntary (preempted: more runnable processes than cores). */
  readonly voluntarySwitches: number;
  readonly involuntarySwitches: number;
}

export type RunKind = 'main' | 'sweep' | 'profile';

export interface HostCounters {
  readonly sendsDropped: number;
  readonly retransmitted: number;
  readonly tickFaults: number;
  readonly duplicateFrames: number;
  readonly framesRejected: number;
}

export interface RunRecord {
  readonly config: string;
  /** main: the configuration's load, counted in its medians; sweep: a lighter load; profile: under the profiler. */
  readonly kind: RunKind;
  readonly repetition: number;
  readonly clients: number;
  readonly window: number;
  readonly basePort: number;
  readonly nodes: number;
  /** Time to start every node process until each listens, s. */
  readonly startSeconds: number;
  /** The nodes' warm-up: commands answered, in how long, and its anomalies. */
  readonly warmup: { readonly commands: number; readonly seconds: number; readonly timeouts: number; readonly duplicates: number; readonly late: number; readonly unexpected: number };
  /** Set when the run did not complete (a node did not start or died, the load failed). */
  readonly error?: string;
  readonly throughput: number;
  readonly completed: number;
  readonly measuredSeconds: number;
  /** µs. */
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number; readonly mean: number };
  readonly timeouts: number;
  readonly duplicates: number;
  /** Replies that came after their request had timed out. */
  readonly late: number;
  readonly unexpected: number;
  readonly refused: number;
  readonly outstanding: number;
  /** Highest CPU per command first. */
  readonly nodeCosts: readonly NodeRun[];
  /** The costliest node, and how many commands each of its ticks carried (commands / its ticks). */
  readonly bottleneck: { readonly name: string; readonly role: string; readonly cpuMicrosPerCommand: number; readonly commandsPerTick: number };
  /** Commands per second with a core per node: 1e6 / the bottleneck's µs per command. */
  readonly bound: number;
  /** CPU µs per command over every node. */
  readonly totalCpuMicrosPerCommand: number;
  /** Frames every node sent, per command (replies to clients included). */
  readonly framesOutPerCommand: number;
  readonly cores?: CoreUse;
  /** From the nodes' /metrics: over the measured window, and since the nodes started (the warm-up's end drops replies to its clients, gone by then). */
  readonly host: HostCounters;
  readonly hostSinceStart: HostCounters;
  /** Nodes that exited while the cluster ran, and how. */
  readonly nodeExits: readonly string[];
  /** Nodes that did not exit with status 0 when stopped. */
  readonly unclean: readonly string[];
  /** Lines the nodes printed besides "listening" and "stopped" (warnings), the first few, and how many. */
  readonly logLines: readonly string[];
  readonly logLineCount: number;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ConfigSummary {
  readonly config: string;
  readonly name: string;
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly frames: Frames;
  readonly nodes: number;
  readonly runs: number;
  readonly failedRuns: number;
  readonly throughput: Spread;
  readonly p50Micros: Spread;
  readonly p99Micros: Spread;
  readonly bottleneckMicros: Spread;
  /** 1e6 / the median bottleneck cost. */
  readonly bound: number;
  /** The bottleneck node of each run, with how many runs it was the bottleneck in. */
  readonly bottlenecks: readonly { readonly name: string; readonly role: string; readonly runs: number }[];
  readonly bottleneckCommandsPerTick: Spread;
  readonly totalCpuMicrosPerCommand: Spread;
  readonly framesOutPerCommand: Spread;
  /** Each node's median over the runs, highest first. */
  readonly nodeCosts: readonly (NodeRun & { readonly min: number; readonly max: number })[];
  readonly anomalies: { readonly timeouts: number; readonly duplicates: number; readonly late: number; readonly unexpected: number; readonly refused: number; readonly sendsDropped: number; readonly retransmitted: number; readonly tickFaults: number; readonly nodeExits: number; readonly logLines: number };
  /** Medians over the runs. */
  readonly cores?: Omit<CoreUse, 'seconds'>;
}

export interface Factor {
  readonly protocol: Protocol;
  readonly frames: Frames;
  readonly base: string;
  readonly scalable: string;
  readonly baseBottleneckMicros: number;
  readonly scalableBottleneckMicros: number;
  /** Base bottleneck cost / scalable bottleneck cost (medians, same load): the factor of the bounds. */
  readonly factor: number;
  /** The same factor per repetition (base and scalable of one repetition ran one after the other). */
  readonly perRepetition: readonly number[];
  readonly paper: { readonly factor: number; readonly text: string };
  readonly baseBound: number;
  readonly scalableBound: number;
  /** Scalable / base: total CPU per command over every node (what the rewrite costs in work). */
  readonly totalCpuRatio: number;
  /** Scalable / base: the loopback throughput this 2-core machine achieved (not the scaling). */
  readonly throughputRatio: number;
  /** Commands per tick at each bottleneck: how much the two batched. */
  readonly baseCommandsPerTick: number;
  readonly scalableCommandsPerTick: number;
  /** The same factor at the sweep loads both plans ran at (one run each, side by side). */
  readonly otherLoads: readonly {
    readonly clients: number;
    readonly window: number;
    readonly baseMicros: number;
    readonly scalableMicros: number;
    readonly factor: number;
    readonly baseCommandsPerTick: number;
    readonly scalableCommandsPerTick: number;
    readonly baseThroughput: number;
    readonly scalableThroughput: number;
  }[];
}

export interface BatchingRow {
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly name: string;
  readonly tick: string;
  readonly message: string;
  readonly tickBottleneckMicros: number;
  readonly messageBottleneckMicros: number;
  /** Per-message bottleneck cost / per-tick. */
  readonly costRatio: number;
  readonly perRepetition: readonly number[];
  readonly tickThroughput: number;
  readonly messageThroughput: number;
  /** Per-tick throughput / per-message. */
  readonly throughputRatio: number;
  readonly tickFramesPerCommand: number;
  readonly messageFramesPerCommand: number;
  readonly tickTotalCpu: number;
  readonly messageTotalCpu: number;
}

/** A per-tick configuration's bottleneck cost at each load it ran at: its main runs and the sweep. */
export interface CostCurve {
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly config: string;
  readonly points: readonly { readonly clients: number; readonly window: number; readonly repetition: number; readonly throughput: number; readonly bottleneckMicros: number; readonly bottleneck: string; readonly commandsPerTick: number; readonly totalCpuMicrosPerCommand: number; readonly p50Micros: number }[];
}

export interface ProfileRun {
  readonly config: string;
  readonly run: RunRecord;
  readonly node: string;
  readonly summary?: ProfileSummary;
  readonly error?: string;
}

export interface ClusterBenchResults {
  readonly date: string;
  readonly git?: GitState;
  readonly mode: 'full' | 'quick';
  readonly seconds: number;
  readonly machine: Machine;
  readonly load: LoadSettings;
  /** How the runs were set up, in words (for the report). */
  readonly setup: readonly string[];
  readonly configs: readonly ClusterConfig[];
  /** Main and sweep runs, in the order they ran. */
  readonly runs: readonly RunRecord[];
  readonly summaries: readonly ConfigSummary[];
  readonly factors: readonly Factor[];
  readonly batching: readonly BatchingRow[];
  readonly curves: readonly CostCurve[];
  readonly profiles: readonly ProfileRun[];
  /** Runs not made (the time limit), and other problems of the run as a whole. */
  readonly notes: readonly string[];
}

const names: Record<Protocol, Record<Plan, string>> = { voting: { base: 'Voting', scalable: 'ScalableVoting' }, '2pc': { base: '2PC', scalable: 'Scalable2PC' } };
/** The paper's factors (Chu et al.; measuring.md): headline and artifact CSVs. */
const paper: Record<Protocol, { factor: number; text: string }> = {
  voting: { factor: 2, text: '2x (100k to 250k; artifact CSVs 107k to 249k, 2.3x)' },
  '2pc': { factor: 5, text: '5x (30k to 160k; artifact CSVs 29.5k to 166k, 5.6x)' },
};

const configKey = (protocol: Protocol, plan: Plan, frames: Frames) => `${protocol}-${plan}-${frames === 'per-tick' ? 'tick' : 'message'}`;

/** The order of one repetition: per protocol, base and scalable side by side, per-tick then per-message. */
export const allConfigs: readonly ClusterConfig[] = (['voting', '2pc'] as const).flatMap((protocol) =>
  (['per-tick', 'per-message'] as const).flatMap((frames) => (['base', 'scalable'] as const).map((plan) => ({ key: configKey(protocol, plan, frames), protocol, plan, frames, name: names[protocol][plan] }))),
);
/** What runs by default: the scalable plans with per-message frames only when asked (28-node starts make them slow). */
const defaultConfigs = allConfigs.filter((c) => !(c.plan === 'scalable' && c.frames === 'per-message'));

const fullLoad: LoadSettings = {
  clients: 32,
  window: 4,
  warmupCommands: 8000,
  warmupLimitMs: 6000,
  warmupMs: 1000,
  durationMs: 6000,
  timeoutMs: 5000,
  repetitions: 3,
  sweep: [
    { clients: 2, window: 1, plans: ['base'] },
    { clients: 64, window: 8, plans: ['base', 'scalable'] },
  ],
};
const quickLoad: LoadSettings = { clients: 32, window: 4, warmupCommands: 3000, warmupLimitMs: 2500, warmupMs: 500, durationMs: 2500, timeoutMs: 5000, repetitions: 1, sweep: [] };
/**
 * The warm-up clients' addresses are the deployment's plus this. Request numbers are unique per
 * load run already (runLoad's firstSeq); other addresses also keep a late reply to a warm-up
 * request (one that timed out as the warm-up ended) from reaching a measured client.
 */
const WARMUP_ADDRESS_OFFSET = 1_000_000n;

/** The cluster as the warm-up clients see it: the same nodes, clients at other addresses. */
function warmupCluster(cluster: Cluster): Cluster {
  const clients = cluster.clients.map((c) => ({ ...c, name: `warm-up ${c.name}`, address: c.address + WARMUP_ADDRESS_OFFSET }));
  const names = new Map(cluster.names);
  for (const c of clients) names.set(c.address, c.name);
  return { ...cluster, clients, names };
}
/** Node ports: base + 200 k for the k-th run, below Linux's ephemeral range (32768 up) so no outgoing connection holds one. */
const PORT_BASE = 20_000;
const PORT_STRIDE = 200;
const PORT_LIMIT = 32_000;

const cacheDir = join(repoRoot, 'bench', '.cache', 'cluster');

interface Built {
  readonly dir: string;
  readonly cluster: Cluster;
  readonly manifest: BuildManifest;
}

/** Builds (or refreshes: the build directory caches compiled roles) one protocol and plan under bench/.cache. */
async function build(protocol: Protocol, plan: Plan): Promise<Built> {
  const dir = join(cacheDir, `${protocol}${plan === 'scalable' ? '-scalable' : ''}`);
  const file = (name: string) => new SourceFile(join(protocolsDir, name), readFileSync(join(protocolsDir, name), 'utf8'));
  const result = await buildProgram(
    { program: file(`${protocol}.ded`), deployment: file(`${protocol}.deploy.json`), ...(plan === 'scalable' ? { plan: file(`${protocol}-scalable.plan.json`) } : {}) },
    { outDir: dir },
  );
  if (!result.ok) throw new Error(`building ${protocol} ${plan} failed:\n${result.problems.map((p) => (p.source ? renderDiagnostics([p.diagnostic], p.source) : p.diagnostic.message)).join('\n')}`);
  progress('build', `${protocol} ${plan}: ${result.compiled} roles compiled, ${result.cached} cached, ${result.seconds.toFixed(1)} s`);
  const loaded = loadCluster(dir, undefined, {});
  if (!loaded.ok) throw new Error(`loading ${dir} failed: ${loaded.problems.map((p) => p.diagnostic.message).join('; ')}`);
  return { dir, cluster: loaded.loaded.cluster, manifest: loaded.loaded.build.manifest };
}

/** Whether every port from `first` to `last` can be listened on at 127.0.0.1 now. */
async function portsFree(first: number, last: number): Promise<boolean> {
  for (let port = first; port <= last; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

/** The machine's CPU time counters (/proc/stat, in clock ticks), when there are some. */
function procStat(): { busy: number; steal: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
  } catch {
    return undefined;
  }
}

interface ProcSample {
  /** Seconds. */
  readonly user: number;
  readonly system: number;
  readonly voluntary: number;
  readonly involuntary: number;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/** A process's CPU times and context switches from /proc (Linux), when readable. */
function procOf(pid: number | undefined): ProcSample | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const count = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { user: Number(fields[11]) / USER_HZ, system: Number(fields[12]) / USER_HZ, voluntary: count('voluntary_ctxt_switches'), involuntary: count('nonvoluntary_ctxt_switches') };
  } catch {
    return undefined;
  }
}

interface Readings {
  readonly hrMicros: number;
  readonly wall: number;
  readonly stat: ReturnType<typeof procStat>;
  readonly cpu: NodeJS.CpuUsage;
  readonly procs: Map<string, ProcSample | undefined>;
}

function readings(local: LocalCluster): Readings {
  return {
    hrMicros: Number(process.hrtime.bigint() / 1000n),
    wall: performance.now(),
    stat: procStat(),
    cpu: process.cpuUsage(),
    procs: new Map(local.running.map((r) => [r.node.name, procOf(r.child.pid)])),
  };
}

interface RunOptions {
  readonly built: Built;
  readonly config: ClusterConfig;
  readonly kind: RunKind;
  readonly repetition: number;
  readonly clients: number;
  readonly window: number;
  readonly basePort: number;
  readonly load: LoadSettings;
  /** Run the nodes under profiled-node.ts: this node (`role-index-partition`), its profile to this directory. */
  readonly profile?: { readonly dir: string; readonly node: string };
}

const emptyLatency = { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };

async function runOne(o: RunOptions): Promise<{ record: RunRecord; window?: readonly [number, number] }> {
  const { built, config, load } = o;
  const { cluster } = built;
  const endpoints = nodeEndpoints(cluster, { host: '127.0.0.1', basePort: o.basePort });
  const secret = randomBytes(18).toString('base64url');
  const dataDir = mkdtempSync(join(tmpdir(), 'dedc-cluster-bench-'));
  const abort = new AbortController();
  const nodeExits: string[] = [];
  const logLines: string[] = [];
  let logLineCount = 0;
  let local: LocalCluster | undefined;
  let startSeconds = 0;
  let report: LoadReport | undefined;
  let cores: CoreUse | undefined;
  let after: NodeSample[] = [];
  let error: string | undefined;
  let unclean: string[] = [];
  let first: Readings | undefined;
  let last: Readings | undefined;
  let endScrape: Promise<NodeSample[]> | undefined;
  let startScrape: Promise<NodeSample[]> | undefined;
  let before: NodeSample[] = [];
  let warmup: RunRecord['warmup'] = { commands: 0, seconds: 0, timeouts: 0, duplicates: 0, late: 0, unexpected: 0 };
  const started = performance.now();
  if (o.profile) {
    process.env['DEDC_BENCH_PROFILE_DIR'] = o.profile.dir;
    process.env['DEDC_BENCH_PROFILE_NODE'] = o.profile.node;
  }
  try {
    local = await LocalCluster.start({
      dir: built.dir,
      nodes: cluster.nodes,
      secret,
      nodeArgs: ['--host', '127.0.0.1', '--base-port', String(o.basePort), '--frames', config.frames],
      dataDir,
      startTimeoutMs: 90_000,
      ...(o.profile ? { cli: fileURLToPath(new URL('profiled-node.js', import.meta.url)) } : {}),
      onLine: (node, line) => {
        if (line.includes('listening on') || line.includes('stopped:')) return;
        logLineCount++;
        if (logLines.length < 10) logLines.push(`${node.name}: ${line}`);
      },
      onExit: (node, code, signal) => {
        nodeExits.push(`${node.name} exited (${signal ?? `code ${code}`})`);
        abort.abort();
      },
    });
    startSeconds = (performance.now() - started) / 1000;
    const cl = local;
    const warmStarted = performance.now();
    const warm = await runLoad(warmupCluster(cluster), built.manifest, endpoints, secret, {
      clients: load.clients,
      window: load.window,
      warmupMs: 0,
      durationMs: load.warmupLimitMs,
      requestsPerClient: Math.ceil(load.warmupCommands / load.clients),
      timeoutMs: load.timeoutMs,
      signal: abort.signal,
    });
    warmup = { commands: warm.completed, seconds: round((performance.now() - warmStarted) / 1000, 2), timeouts: warm.timeouts, duplicates: warm.duplicates, late: warm.late, unexpected: warm.unexpected };
    if (warm.aborted) throw new Error(nodeExits.length ? nodeExits.join('; ') : 'the warm-up was stopped');
    report = await runLoad(cluster, built.manifest, endpoints, secret, {
      clients: o.clients,
      window: o.window,
      warmupMs: load.warmupMs,
      durationMs: load.durationMs,
      timeoutMs: load.timeoutMs,
      signal: abort.signal,
      // The last warm-up progress call comes right before runLoad reads the nodes' /metrics and
      // starts measuring, the last measure call right before it reads them again and closes the
      // clients: the bench's own readings (and its read of the nodes' counters) go there too.
      onProgress: (p) => {
        if (!first && (p.phase === 'measure' || p.elapsedMs >= load.warmupMs - 5)) {
          first = readings(cl);
          startScrape = scrapeNodes(cluster, endpoints);
        }
        if (first && !last && p.phase === 'measure' && p.elapsedMs >= p.totalMs - 5) {
          last = readings(cl);
          endScrape = scrapeNodes(cluster, endpoints);
        }
      },
      log: (line) => {
        logLineCount++;
        if (logLines.length < 10) logLines.push(`load: ${line}`);
      },
    });
    last ??= readings(local);
    after = await (endScrape ?? scrapeNodes(cluster, endpoints));
    before = (await startScrape) ?? [];
    if (first) {
      const seconds = (last.wall - first.wall) / 1000;
      const ncores = Math.max(1, cpus().length);
      const ticks = first.stat && last.stat ? last.stat.total - first.stat.total : 0;
      let user = 0;
      let system = 0;
      let voluntary = 0;
      let involuntary = 0;
      for (const [name, b] of last.procs) {
        const a = first.procs.get(name);
        if (!a || !b) continue;
        user += b.user - a.user;
        system += b.system - a.system;
        voluntary += b.voluntary - a.voluntary;
        involuntary += b.involuntary - a.involuntary;
      }
      const cpu = { user: last.cpu.user - first.cpu.user, system: last.cpu.system - first.cpu.system };
      cores = {
        seconds: round(seconds, 2),
        nodes: round((user + system) / seconds, 3),
        nodesSystem: round(system / seconds, 3),
        loadGenerator: round((cpu.user + cpu.system) / 1e6 / seconds, 3),
        machineBusy: ticks ? round(((last.stat!.busy - first.stat!.busy) / ticks) * ncores, 3) : NaN,
        steal: ticks ? round(((last.stat!.steal - first.stat!.steal) / ticks) * ncores, 3) : NaN,
        voluntarySwitches: round(voluntary / seconds, 0),
        involuntarySwitches: round(involuntary / seconds, 0),
      };
    }
    if (report.aborted) error = nodeExits.length ? nodeExits.join('; ') : 'the load was stopped';
    else if (after.length < cluster.nodes.length) error = `only ${after.length} of ${cluster.nodes.length} nodes answered /metrics after the load`;
    else if (report.nodes.length < cluster.nodes.length) error = `only ${report.nodes.length} of ${cluster.nodes.length} nodes had CPU readings for the measured window`;
  } catch (e) {
    error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  } finally {
    delete process.env['DEDC_BENCH_PROFILE_DIR'];
    delete process.env['DEDC_BENCH_PROFILE_NODE'];
    if (local) {
      const codes = await local.stop();
      unclean = [...codes].filter(([, code]) => code !== 0).map(([name, code]) => `${name} (${code ?? 'killed'})`);
    }
    rmSync(dataDir, { recursive: true, force: true });
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
  const sum = (samples: readonly NodeSample[], name: string) => samples.reduce((s, a) => s + metricSum(a.samples, name), 0);
  const counters = (samples: readonly NodeSample[]): HostCounters => ({
    sendsDropped: sum(samples, 'dedc_sends_dropped_total'),
    retransmitted: sum(samples, 'dedc_retransmitted_total'),
    tickFaults: sum(samples, 'dedc_tick_faults_total'),
    duplicateFrames: sum(samples, 'dedc_frames_duplicate_total'),
    framesRejected: sum(samples, 'dedc_frames_rejected_total'),
  });
  const total = counters(after);
  const start = counters(before.length === after.length ? before : []);
  const host = Object.fromEntries(Object.entries(total).map(([k, v]) => [k, v - start[k as keyof HostCounters]])) as unknown as HostCounters;
  const record: RunRecord = {
    config: config.key,
    kind: o.kind,
    repetition: o.repetition,
    clients: o.clients,
    window: o.window,
    basePort: o.basePort,
    nodes: cluster.nodes.length,
    startSeconds: round(startSeconds, 2),
    warmup,
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
    totalCpuMicrosPerCommand: round(nodeCosts.reduce((s, x) => s + x.cpuMicrosPerCommand, 0), 2),
    framesOutPerCommand: round(per((report?.nodes ?? []).reduce((s, x) => s + x.framesOut, 0)), 3),
    ...(cores ? { cores } : {}),
    host,
    hostSinceStart: total,
    nodeExits,
    unclean,
    logLines,
    logLineCount,
  };
  return { record, ...(first && last ? { window: [first.hrMicros, last.hrMicros] as const } : {}) };
}

function spread(xs: readonly number[]): Spread {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length ? { median: round(med(ok), 2), min: round(Math.min(...ok), 2), max: round(Math.max(...ok), 2) } : { median: NaN, min: NaN, max: NaN };
}

const good = (r: RunRecord) => !r.error && r.completed > 0;

function summarise(config: ClusterConfig, runs: readonly RunRecord[], nodes: number): ConfigSummary {
  const ok = runs.filter(good);
  const bottleneck = spread(ok.map((r) => r.bottleneck.cpuMicrosPerCommand));
  const counts = new Map<string, { name: string; role: string; runs: number }>();
  for (const r of ok) {
    const c = counts.get(r.bottleneck.name) ?? { name: r.bottleneck.name, role: r.bottleneck.role, runs: 0 };
    c.runs++;
    counts.set(r.bottleneck.name, c);
  }
  const byNode = new Map<string, NodeRun[]>();
  for (const r of ok) for (const nd of r.nodeCosts) byNode.set(nd.name, [...(byNode.get(nd.name) ?? []), nd]);
  const medianOf = (xs: readonly NodeRun[], g: (x: NodeRun) => number | undefined) => {
    const v = xs.map(g).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return v.length ? med(v) : undefined;
  };
  const nodeCosts = [...byNode.values()]
    .map((xs) => {
      const costs = xs.map((x) => x.cpuMicrosPerCommand);
      const sys = medianOf(xs, (x) => x.systemShare);
      const vol = medianOf(xs, (x) => x.voluntarySwitchesPerCommand);
      const inv = medianOf(xs, (x) => x.involuntarySwitchesPerCommand);
      return {
        name: xs[0]!.name,
        role: xs[0]!.role,
        cpuMs: round(med(xs.map((x) => x.cpuMs)), 1),
        cpuMicrosPerCommand: round(med(costs), 2),
        min: round(Math.min(...costs), 2),
        max: round(Math.max(...costs), 2),
        ticksPerCommand: round(med(xs.map((x) => x.ticksPerCommand)), 4),
        framesInPerCommand: round(med(xs.map((x) => x.framesInPerCommand)), 4),
        framesOutPerCommand: round(med(xs.map((x) => x.framesOutPerCommand)), 4),
        framesRejected: xs.reduce((s, x) => s + x.framesRejected, 0),
        ...(sys !== undefined ? { systemShare: round(sys, 3) } : {}),
        ...(vol !== undefined ? { voluntarySwitchesPerCommand: round(vol, 3) } : {}),
        ...(inv !== undefined ? { involuntarySwitchesPerCommand: round(inv, 3) } : {}),
      };
    })
    .sort((a, b) => b.cpuMicrosPerCommand - a.cpuMicrosPerCommand);
  const total = (f: (r: RunRecord) => number) => runs.reduce((s, r) => s + f(r), 0);
  const withCores = ok.filter((r) => r.cores);
  const coreMedian = (g: (c: CoreUse) => number, digits = 2) => round(med(withCores.map((r) => g(r.cores!))), digits);
  return {
    config: config.key,
    name: config.name,
    protocol: config.protocol,
    plan: config.plan,
    frames: config.frames,
    nodes,
    runs: ok.length,
    failedRuns: runs.length - ok.length,
    throughput: spread(ok.map((r) => r.throughput)),
    p50Micros: spread(ok.map((r) => r.latency.p50)),
    p99Micros: spread(ok.map((r) => r.latency.p99)),
    bottleneckMicros: bottleneck,
    bound: bottleneck.median > 0 ? round(1e6 / bottleneck.median, 0) : NaN,
    bottlenecks: [...counts.values()].sort((a, b) => b.runs - a.runs),
    bottleneckCommandsPerTick: spread(ok.map((r) => r.bottleneck.commandsPerTick)),
    totalCpuMicrosPerCommand: spread(ok.map((r) => r.totalCpuMicrosPerCommand)),
    framesOutPerCommand: spread(ok.map((r) => r.framesOutPerCommand)),
    nodeCosts,
    anomalies: {
      timeouts: total((r) => r.timeouts),
      duplicates: total((r) => r.duplicates),
      late: total((r) => r.late),
      unexpected: total((r) => r.unexpected),
      refused: total((r) => r.refused),
      sendsDropped: total((r) => r.host.sendsDropped),
      retransmitted: total((r) => r.host.retransmitted),
      tickFaults: total((r) => r.host.tickFaults),
      nodeExits: total((r) => r.nodeExits.length),
      logLines: total((r) => r.logLineCount),
    },
    ...(withCores.length
      ? {
          cores: {
            nodes: coreMedian((c) => c.nodes),
            nodesSystem: coreMedian((c) => c.nodesSystem),
            loadGenerator: coreMedian((c) => c.loadGenerator),
            machineBusy: coreMedian((c) => c.machineBusy),
            steal: coreMedian((c) => c.steal),
            voluntarySwitches: coreMedian((c) => c.voluntarySwitches, 0),
            involuntarySwitches: coreMedian((c) => c.involuntarySwitches, 0),
          },
        }
      : {}),
  };
}

/** Ratios of one config to another per repetition (both main runs good), for the spread of a factor. */
function perRepetition(runs: readonly RunRecord[], a: string, b: string, value: (r: RunRecord) => number): number[] {
  const out: number[] = [];
  const main = runs.filter((r) => r.kind === 'main' && good(r));
  for (const rep of new Set(main.map((r) => r.repetition))) {
    const x = main.find((r) => r.config === a && r.repetition === rep);
    const y = main.find((r) => r.config === b && r.repetition === rep);
    if (x && y && value(y) > 0) out.push(round(value(x) / value(y), 3));
  }
  return out;
}

function curves(runs: readonly RunRecord[], configs: readonly ClusterConfig[]): CostCurve[] {
  return configs
    .filter((c) => c.frames === 'per-tick')
    .map((c) => ({
      protocol: c.protocol,
      plan: c.plan,
      config: c.key,
      points: runs
        .filter((r) => r.config === c.key && (r.kind === 'main' || r.kind === 'sweep') && good(r))
        .map((r) => ({
          clients: r.clients,
          window: r.window,
          repetition: r.repetition,
          throughput: r.throughput,
          bottleneckMicros: r.bottleneck.cpuMicrosPerCommand,
          bottleneck: r.bottleneck.name,
          commandsPerTick: r.bottleneck.commandsPerTick,
          totalCpuMicrosPerCommand: r.totalCpuMicrosPerCommand,
          p50Micros: r.latency.p50,
        }))
        .sort((a, b) => a.throughput - b.throughput),
    }))
    .filter((c) => c.points.length);
}

function factors(summaries: readonly ConfigSummary[], runs: readonly RunRecord[]): Factor[] {
  const out: Factor[] = [];
  for (const protocol of ['voting', '2pc'] as const)
    for (const frames of ['per-tick', 'per-message'] as const) {
      const base = summaries.find((s) => s.protocol === protocol && s.plan === 'base' && s.frames === frames && s.runs);
      const scalable = summaries.find((s) => s.protocol === protocol && s.plan === 'scalable' && s.frames === frames && s.runs);
      if (!base || !scalable) continue;
      const sweep = (config: string, clients: number, window: number) => runs.filter((r) => r.kind === 'sweep' && r.config === config && r.clients === clients && r.window === window && good(r));
      const loads = [...new Set(runs.filter((r) => r.kind === 'sweep' && r.config === scalable.config).map((r) => `${r.clients}x${r.window}`))].map((l) => l.split('x').map(Number) as [number, number]);
      const otherLoads = loads.flatMap(([clients, window]) => {
        const b = sweep(base.config, clients, window);
        const sc = sweep(scalable.config, clients, window);
        if (!b.length || !sc.length) return [];
        const m = (xs: RunRecord[], g: (r: RunRecord) => number) => round(med(xs.map(g)), 2);
        const baseMicros = m(b, (r) => r.bottleneck.cpuMicrosPerCommand);
        const scalableMicros = m(sc, (r) => r.bottleneck.cpuMicrosPerCommand);
        return [
          {
            clients,
            window,
            baseMicros,
            scalableMicros,
            factor: round(baseMicros / scalableMicros, 3),
            baseCommandsPerTick: m(b, (r) => r.bottleneck.commandsPerTick),
            scalableCommandsPerTick: m(sc, (r) => r.bottleneck.commandsPerTick),
            baseThroughput: m(b, (r) => r.throughput),
            scalableThroughput: m(sc, (r) => r.throughput),
          },
        ];
      });
      out.push({
        protocol,
        frames,
        base: base.config,
        scalable: scalable.config,
        baseBottleneckMicros: base.bottleneckMicros.median,
        scalableBottleneckMicros: scalable.bottleneckMicros.median,
        factor: round(base.bottleneckMicros.median / scalable.bottleneckMicros.median, 3),
        perRepetition: perRepetition(runs, base.config, scalable.config, (r) => r.bottleneck.cpuMicrosPerCommand),
        paper: paper[protocol],
        baseBound: base.bound,
        scalableBound: scalable.bound,
        totalCpuRatio: round(scalable.totalCpuMicrosPerCommand.median / base.totalCpuMicrosPerCommand.median, 3),
        throughputRatio: round(scalable.throughput.median / base.throughput.median, 3),
        baseCommandsPerTick: base.bottleneckCommandsPerTick.median,
        scalableCommandsPerTick: scalable.bottleneckCommandsPerTick.median,
        otherLoads,
      });
    }
  return out;
}

function batching(summaries: readonly ConfigSummary[], runs: readonly RunRecord[]): BatchingRow[] {
  const out: BatchingRow[] = [];
  for (const protocol of ['voting', '2pc'] as const)
    for (const plan of ['base', 'scalable'] as const) {
      const tick = summaries.find((s) => s.protocol === protocol && s.plan === plan && s.frames === 'per-tick' && s.runs);
      const message = summaries.find((s) => s.protocol === protocol && s.plan === plan && s.frames === 'per-message' && s.runs);
      if (!tick || !message) continue;
      out.push({
        protocol,
        plan,
        name: tick.name,
        tick: tick.config,
        message: message.config,
        tickBottleneckMicros: tick.bottleneckMicros.median,
        messageBottleneckMicros: message.bottleneckMicros.median,
        costRatio: round(message.bottleneckMicros.median / tick.bottleneckMicros.median, 3),
        perRepetition: perRepetition(runs, message.config, tick.config, (r) => r.bottleneck.cpuMicrosPerCommand),
        tickThroughput: tick.throughput.median,
        messageThroughput: message.throughput.median,
        throughputRatio: round(tick.throughput.median / message.throughput.median, 3),
        tickFramesPerCommand: tick.framesOutPerCommand.median,
        messageFramesPerCommand: message.framesOutPerCommand.median,
        tickTotalCpu: tick.totalCpuMicrosPerCommand.median,
        messageTotalCpu: message.totalCpuMicrosPerCommand.median,
      });
    }
  return out;
}

interface Planned {
  readonly config: ClusterConfig;
  readonly kind: 'main' | 'sweep';
  readonly repetition: number;
  readonly clients: number;
  readonly window: number;
}

/**
 * Every run in order: each repetition runs every configuration; after a protocol's per-tick
 * configurations come the sweep loads of that repetition (load i of the sweep runs in repetition
 * (i mod repetitions) + 1), for each plan the load names, base first.
 */
function plan(configs: readonly ClusterConfig[], load: LoadSettings): Planned[] {
  const out: Planned[] = [];
  for (let rep = 1; rep <= load.repetitions; rep++) {
    const sweep = load.sweep.filter((_, i) => (i % load.repetitions) + 1 === rep);
    for (const config of configs) {
      out.push({ config, kind: 'main', repetition: rep, clients: load.clients, window: load.window });
      const perTick = configs.filter((c) => c.protocol === config.protocol && c.frames === 'per-tick');
      if (perTick[perTick.length - 1] !== config) continue;
      for (const s of sweep)
        for (const p of (['base', 'scalable'] as const).filter((x) => s.plans.includes(x))) {
          const c = perTick.find((x) => x.plan === p);
          if (c) out.push({ config: c, kind: 'sweep', repetition: rep, clients: s.clients, window: s.window });
        }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]?.split(',') : undefined;
  const unknown = (only ?? []).filter((k) => !allConfigs.some((c) => c.key === k));
  if (unknown.length) throw new Error(`unknown configuration ${unknown.join(', ')}: one of ${allConfigs.map((c) => c.key).join(', ')}`);
  const profile = argv.includes('--profile') || (!flags.quick && !argv.includes('--no-profile'));
  const configs = only ? allConfigs.filter((c) => only.includes(c.key)) : argv.includes('--with-scalable-per-message') ? allConfigs : defaultConfigs;
  const load = flags.quick ? quickLoad : fullLoad;
  const dir = outputDir(argv, flags.quick || only !== undefined);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const loadStart = loadavg()[0]!;
  const git = gitState();
  // The whole run's budget: runs not started by then are skipped (and said so).
  const deadline = new Deadline(flags.quick ? 150 : 840);
  const planned = plan(configs, load);
  progress('bench', `${flags.quick ? 'quick' : 'full'} run: ${configs.length} configurations x ${load.repetitions}, ${planned.length} runs; results to ${dir}`);

  const builds = new Map<string, Built>();
  const builtFor = async (c: ClusterConfig) => {
    const key = `${c.protocol}-${c.plan}`;
    if (!builds.has(key)) builds.set(key, await build(c.protocol, c.plan));
    return builds.get(key)!;
  };
  for (const c of configs) await builtFor(c);

  let k = 0;
  const nextBasePort = async (built: Built): Promise<number> => {
    const top = Math.max(...built.cluster.nodes.map((nd) => Number(nd.address)));
    for (; PORT_BASE + PORT_STRIDE * k + top < PORT_LIMIT; k++) {
      const basePort = PORT_BASE + PORT_STRIDE * k;
      if (await portsFree(basePort + 1, basePort + top)) {
        k++;
        return basePort;
      }
      progress('bench', `ports ${basePort + 1}-${basePort + top} are not all free: skipping them`);
    }
    throw new Error(`no free block of ports below ${PORT_LIMIT}`);
  };

  const runs: RunRecord[] = [];
  const notes: string[] = [];
  const say = (r: RunRecord, label: string) => {
    const b = r.bottleneck;
    progress(
      'run',
      `${label} ${r.config}${r.kind === 'sweep' ? ` at ${r.clients}x${r.window}` : ''} #${r.repetition}: ${r.error ? `FAILED: ${r.error}; ` : ''}${Math.round(r.throughput)} commands/s, p50 ${(r.latency.p50 / 1000).toFixed(1)} ms, p99 ${(r.latency.p99 / 1000).toFixed(1)} ms; bottleneck ${b.name} ${b.cpuMicrosPerCommand.toFixed(1)} µs/command, ${b.commandsPerTick} per tick (bound ${r.bound}/s); total ${r.totalCpuMicrosPerCommand.toFixed(1)} µs; cores ${r.cores ? `${r.cores.nodes} nodes + ${r.cores.loadGenerator} clients, machine ${r.cores.machineBusy}` : '?'}; started in ${r.startSeconds.toFixed(1)} s; ${r.timeouts} timeouts, ${r.duplicates} duplicates${r.logLineCount ? `, ${r.logLineCount} log lines` : ''}`,
    );
  };
  for (const [i, p] of planned.entries()) {
    if (deadline.expired()) {
      notes.push(`${p.config.key}${p.kind === 'sweep' ? ` at ${p.clients}x${p.window}` : ''}, repetition ${p.repetition}, not run: the run's time limit (${deadline.seconds} s) was reached`);
      continue;
    }
    const built = await builtFor(p.config);
    const { record } = await runOne({ built, config: p.config, kind: p.kind, repetition: p.repetition, clients: p.clients, window: p.window, basePort: await nextBasePort(built), load });
    runs.push(record);
    say(record, `${i + 1}/${planned.length}`);
  }

  const mainRuns = runs.filter((r) => r.kind === 'main');
  const summaries = configs.map((c) => summarise(c, mainRuns.filter((r) => r.config === c.key), builds.get(`${c.protocol}-${c.plan}`)!.cluster.nodes.length));
  const costCurves = curves(runs, configs);

  // One profiled run per base protocol (per-tick): where the bottleneck node's CPU goes.
  const profiles: ProfileRun[] = [];
  if (profile)
    for (const config of configs.filter((c) => c.plan === 'base' && c.frames === 'per-tick')) {
      if (deadline.expired()) {
        notes.push(`profile of ${config.key} not run: the run's time limit was reached`);
        continue;
      }
      const built = await builtFor(config);
      const name = summaries.find((s) => s.config === config.key)?.bottlenecks[0]?.name;
      const node = built.cluster.nodes.find((nd) => nd.name === name) ?? built.cluster.nodes[0]!;
      const profileDir = mkdtempSync(join(tmpdir(), 'dedc-cluster-profile-'));
      const file = `${node.role}-${node.index}-${node.partition}`;
      try {
        const basePort = await nextBasePort(built);
        const { record, window } = await runOne({ built, config, kind: 'profile', repetition: 0, clients: load.clients, window: load.window, basePort, load, profile: { dir: profileDir, node: file } });
        say(record, 'profile');
        let summary: ProfileSummary | undefined;
        let error = record.error;
        try {
          summary = summariseProfile(join(profileDir, `${file}.cpuprofile`), window);
        } catch (e) {
          error ??= `no profile of ${node.name}: ${(e as Error).message.split('\n')[0]}`;
        }
        profiles.push({ config: config.key, run: record, node: node.name, ...(summary ? { summary } : {}), ...(error ? { error } : {}) });
        progress('profile', `${config.key}: ${node.name}: ${summary ? summary.categories.slice(0, 5).map((c) => `${c.category} ${Math.round(c.share * 100)}%`).join(', ') : error}`);
      } finally {
        rmSync(profileDir, { recursive: true, force: true });
      }
    }

  const results: ClusterBenchResults = {
    date: new Date().toISOString(),
    ...(git ? { git } : {}),
    mode: flags.quick ? 'quick' : 'full',
    seconds: Math.round((performance.now() - started) / 100) / 10,
    machine: machineInfo(loadStart),
    load,
    setup: [
      `every node is its own \`dedc node\` process (LocalCluster, dist/cli/main.js) on 127.0.0.1, started afresh for each run at a fresh block of ports (${PORT_BASE} + ${PORT_STRIDE} k + address), with a durable log in a fresh temporary directory (as \`dedc run\` does; 2PC's \`.durable\` facts are fsynced before a tick's messages leave)`,
      `the closed-loop clients (host/closed-loop.ts runLoad, ${load.clients} clients x window ${load.window}, so ${load.clients * load.window} commands outstanding, the same for every configuration) run in the bench process; each client sends one request frame per command to the leader or coordinator and gets its reply over the same connection`,
      `per run: the nodes start; they are warmed up (V8 compiles a node's hot code after some thousands of frames, and a scalable plan's nodes each see a fraction of a lower throughput) by the main load (${load.clients}x${load.window}) from clients at other addresses, until ${load.warmupCommands.toLocaleString('en-US')} commands are answered or ${load.warmupLimitMs / 1000} s pass; then the measured load's clients connect, ${load.warmupMs / 1000} s unmeasured, ${load.durationMs / 1000} s measured (replies; each node's CPU time from its /metrics, process.cpuUsage(), before and after; /proc/<pid> of every node and /proc/stat for kernel time, context switches and the machine), then every node stops; a request unanswered after ${load.timeoutMs / 1000} s counts as timed out`,
      `${load.repetitions} repetition${load.repetitions > 1 ? 's' : ''}; each runs every configuration in turn (${configs.map((c) => c.key).join(', ')}), so base and scalable of one repetition run one after the other${load.sweep.length ? `; the per-tick configurations also run once at other loads (${load.sweep.map((x) => `${x.clients}x${x.window} ${x.plans.join(' and ')}`).join(', ')}; one load per repetition, after that repetition's per-tick runs of the protocol), for the cost per command against load` : ''}`,
      "the bound is 1e6 / the bottleneck node's median CPU µs per command: the throughput if each node had a core of its own and nothing else limited it (the network, the clients), at the batching measured here",
    ],
    configs,
    runs,
    summaries,
    factors: factors(summaries, runs),
    batching: batching(summaries, runs),
    curves: costCurves,
    profiles,
    notes,
  };
  writeFileSync(join(dir, 'cluster.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'cluster.md'), renderClusterReport(results));
  const plots = await writeClusterPlots(results, dir);
  progress('bench', `wrote cluster.json, cluster.md, ${plots.join(', ')} to ${dir} in ${results.seconds} s`);
  for (const f of results.factors)
    progress('bench', `${f.protocol} ${f.frames}: bottleneck ${f.baseBottleneckMicros} -> ${f.scalableBottleneckMicros} µs/command, factor ${f.factor.toFixed(2)}x${f.otherLoads.map((o) => `, ${o.factor.toFixed(2)}x at ${o.clients}x${o.window}`).join('')} (paper ${f.paper.factor}x)`);
  for (const b of results.batching) progress('bench', `${b.name}: per-message / per-tick bottleneck cost ${b.costRatio.toFixed(2)}x, per-tick / per-message throughput ${b.throughputRatio.toFixed(2)}x`);
  const bad = [...runs, ...profiles.map((p) => p.run)].filter((r) => r.error || r.duplicates || r.unexpected || r.nodeExits.length);
  for (const r of bad) progress('bench', `PROBLEM ${r.config} (${r.kind}) #${r.repetition}: ${r.error ?? ''} ${r.duplicates} duplicates, ${r.unexpected} unexpected, ${r.nodeExits.join('; ')}`);
  for (const note of notes) progress('bench', note);
  if (bad.length) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
