// The rewrite microbenchmarks of the paper's Figure 10, each rewrite on its own: for each bench
// program of bench/programs/micro-*.ded (micro-rewrites.ts), the base program and the rewritten
// one (its plan) are built and run as real local clusters of `dedc node` processes on loopback
// under the same closed-loop load. Per measured window, every node's CPU time per command from
// its /metrics; the bottleneck; the bound 1e6 / its µs; and the factor base / rewritten
// bottleneck beside the paper's (about 1.7x for functional and monotonic decoupling, closer to 2x
// for the rest, ideal 2x). The CPU-heavy `rounds(v, k)` stands in for the paper's AES rounds, so
// the node a rewrite splits is the bottleneck; its cost per call is measured in process too. Both
// clusters of a rewrite run at once, idle but for the one under load, and their measured windows
// alternate (base, rewritten, base, ...), so drift of the shared machine falls on both alike;
// medians over the repetitions. Results: bench/results/micro.json, micro.md, micro-factors.svg,
// micro-nodes.svg.
//
//   node dist/bench/run-micro-bench.js              full run, about 5 minutes (its limit is 6)
//   node dist/bench/run-micro-bench.js --quick      one short window each, under a minute: $TMPDIR/dedc-bench-quick/
//   node dist/bench/run-micro-bench.js --only functional,partition   some rewrites (also to $TMPDIR unless --out DIR)
//   node dist/bench/run-micro-bench.js --work 50000  another number of rounds per CPU-heavy step (also to $TMPDIR)
//   node dist/bench/run-micro-bench.js --clients 32 --window 4   another load (also to $TMPDIR)
//   node dist/bench/micro-report.js [bench/results/micro.json]        regenerate micro.md and the SVGs

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildProgram } from '../assembly/build/build-program.js';
import type { BuildManifest } from '../assembly/build/manifest.js';
import type { Cluster } from '../compiler/deploy/resolve-deployment.js';
import { renderDiagnostics } from '../compiler/diagnostics/render.js';
import { SourceFile } from '../compiler/source.js';
import { runLoad, type LoadReport } from '../host/closed-loop.js';
import { loadCluster, nodeEndpoints } from '../host/load-cluster.js';
import { LocalCluster } from '../host/local-cluster.js';
import { PortBlocks } from './free-ports.js';
import { Deadline, gitState, machineInfo, med, outputDir, parseFlags, programsDir, progress, repoRoot, round, type GitState, type Machine } from './harness.js';
import { writeMicroPlots } from './micro-plot.js';
import { renderMicroReport } from './micro-report.js';
import { IDEAL_FACTOR, microRewrites, type MicroRewrite } from './micro-rewrites.js';
import { roundsCost, type RoundsCost } from './rounds-cost.js';

export type MicroPlan = 'base' | 'rewritten';

export interface MicroLoad {
  readonly clients: number;
  readonly window: number;
  /** The first window's warm-up on a fresh cluster (clients connect, fill their windows, the nodes' code gets hot), not measured. */
  readonly warmupMs: number;
  /** The warm-up of every later window on the same cluster (new clients connect and fill their windows). */
  readonly rewarmMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly repetitions: number;
  /** The budget of the cluster runs, after the builds: windows not started by then are skipped (and listed). */
  readonly limitSeconds: number;
}

export const fullLoad: MicroLoad = { clients: 16, window: 4, warmupMs: 2000, rewarmMs: 1000, durationMs: 5000, timeoutMs: 5000, repetitions: 3, limitSeconds: 330 };
export const quickLoad: MicroLoad = { clients: 16, window: 4, warmupMs: 400, rewarmMs: 300, durationMs: 800, timeoutMs: 5000, repetitions: 1, limitSeconds: 52 };

export interface MicroNodeCost {
  readonly name: string;
  readonly role: string;
  readonly cpuMs: number;
  readonly cpuMicrosPerCommand: number;
  readonly ticksPerCommand: number;
  readonly framesInPerCommand: number;
  readonly framesOutPerCommand: number;
}

export interface MicroRun {
  readonly rewrite: string;
  readonly plan: MicroPlan;
  readonly repetition: number;
  readonly nodes: number;
  readonly basePort: number;
  /** Time the cluster took to start (both clusters of the rewrite started together), s. */
  readonly startSeconds: number;
  readonly warmupMs: number;
  /** Set when the run did not complete (a node did not start or died, the load failed). */
  readonly error?: string;
  readonly throughput: number;
  readonly completed: number;
  readonly measuredSeconds: number;
  /** µs. */
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly timeouts: number;
  readonly duplicates: number;
  readonly late: number;
  readonly unexpected: number;
  /** Highest CPU per command first. */
  readonly nodeCosts: readonly MicroNodeCost[];
  readonly bottleneck: { readonly name: string; readonly role: string; readonly cpuMicrosPerCommand: number };
  /** Commands per second with a core per node: 1e6 / the bottleneck's µs per command. */
  readonly bound: number;
  readonly totalCpuMicrosPerCommand: number;
  readonly nodeExits: readonly string[];
  /** Lines the nodes printed besides "listening" and "stopped", the first few. */
  readonly logLines: readonly string[];
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface MicroSummary {
  readonly rewrite: string;
  readonly plan: MicroPlan;
  readonly nodes: number;
  readonly runs: number;
  readonly failedRuns: number;
  /** The bottleneck node of each run, with how many runs it was the bottleneck in. */
  readonly bottlenecks: readonly { readonly name: string; readonly role: string; readonly runs: number }[];
  readonly bottleneckMicros: Spread;
  /** 1e6 / the median bottleneck cost. */
  readonly bound: number;
  readonly throughput: Spread;
  readonly p50Micros: Spread;
  readonly p99Micros: Spread;
  readonly totalCpuMicrosPerCommand: Spread;
  /** Each node's median over the runs, highest first, with min and max. */
  readonly nodeCosts: readonly (MicroNodeCost & { readonly min: number; readonly max: number })[];
  readonly anomalies: { readonly timeouts: number; readonly duplicates: number; readonly late: number; readonly unexpected: number; readonly nodeExits: number };
}

export interface MicroFactor {
  readonly rewrite: string;
  readonly name: string;
  readonly baseBottleneck: string;
  readonly rewrittenBottleneck: string;
  readonly baseBottleneckMicros: number;
  readonly rewrittenBottleneckMicros: number;
  /** Base bottleneck cost / rewritten bottleneck cost (medians, same load): the factor of the bounds. */
  readonly factor: number;
  /** The same factor per repetition (base and rewritten of one repetition ran one after the other). */
  readonly perRepetition: readonly number[];
  readonly paper: MicroRewrite['paper'];
  readonly ideal: number;
  /** Rounds per CPU-heavy step, and steps per request on the node the rewrite splits. */
  readonly work: number;
  readonly steps: number;
  readonly baseBound: number;
  readonly rewrittenBound: number;
  /** Rewritten / base loopback throughput on this 2-core machine (not the scaling). */
  readonly throughputRatio: number;
  /** Rewritten / base CPU per command over every node (what the rewrite costs in work). */
  readonly totalCpuRatio: number;
  /** The share of the base bottleneck's CPU per command that its `rounds` calls account for (their in-process cost). */
  readonly roundsShare: number;
}

export interface MicroBenchResults {
  readonly date: string;
  readonly git?: GitState;
  readonly mode: 'full' | 'quick';
  readonly seconds: number;
  readonly machine: Machine;
  /** Rounds per CPU-heavy step per rewrite: the static `work` of its program. */
  readonly work: Readonly<Record<string, number>>;
  /** One call's cost in Wasm in the bench process, at 100,000 rounds (linear in the rounds). */
  readonly roundsCost?: RoundsCost;
  readonly load: MicroLoad;
  /** How the runs were set up, in words (for the report). */
  readonly setup: readonly string[];
  readonly rewrites: readonly MicroRewrite[];
  /** In the order they ran. */
  readonly runs: readonly MicroRun[];
  readonly summaries: readonly MicroSummary[];
  readonly factors: readonly MicroFactor[];
  /** Runs not made (the time limit), and other problems of the run as a whole. */
  readonly notes: readonly string[];
}

export interface MicroBenchOptions {
  /** One short run of each configuration, written to $TMPDIR unless `outDir` says otherwise. */
  readonly quick?: boolean;
  /** Some of the rewrites (keys of micro-rewrites.ts); the results then go to $TMPDIR unless `outDir`. */
  readonly only?: readonly string[];
  readonly outDir?: string;
  /** Rounds per CPU-heavy step in every program (default: each deployment file's `work`). */
  readonly work?: number;
  /** Another closed-loop load than the default's clients x window. */
  readonly clients?: number;
  readonly window?: number;
}

export interface MicroBenchOutcome {
  readonly results: MicroBenchResults;
  readonly dir: string;
  readonly files: readonly string[];
  /** Runs that failed, or saw duplicate or unexpected replies. */
  readonly problems: readonly string[];
}

const cacheDir = join(repoRoot, 'bench', '.cache', 'micro');
/** Node ports: base + 50 k for the k-th run, below Linux's ephemeral range (32768 up). */
const PORT_BASE = 24_000;
const PORT_STRIDE = 50;
const PORT_LIMIT = 32_000;
/** The rounds the in-process cost is measured at. */
const CALIBRATION_ROUNDS = 100_000;

interface Built {
  readonly dir: string;
  readonly cluster: Cluster;
  readonly manifest: BuildManifest;
}

/** The bench program's deployment, with `work` set to the given rounds. */
function deploymentText(path: string, work: number | undefined): string {
  const text = readFileSync(path, 'utf8');
  if (work === undefined) return text;
  const json = JSON.parse(text) as { statics?: Record<string, unknown> };
  json.statics = { ...(json.statics ?? {}), work: [[work]] };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** The rounds per step a deployment gives. */
function workOf(text: string): number {
  const rows = (JSON.parse(text) as { statics?: { work?: number[][] } }).statics?.work;
  const k = rows?.[0]?.[0];
  if (typeof k !== 'number') throw new Error('a bench deployment without `work`');
  return k;
}

async function build(rewrite: MicroRewrite, plan: MicroPlan, work: number | undefined): Promise<Built> {
  const dir = join(cacheDir, `${rewrite.key}-${plan}`);
  const base = join(programsDir, `micro-${rewrite.key}`);
  const file = (path: string, text = readFileSync(path, 'utf8')) => new SourceFile(path, text);
  const result = await buildProgram(
    {
      program: file(`${base}.ded`),
      deployment: file(`${base}.deploy.json`, deploymentText(`${base}.deploy.json`, work)),
      ...(plan === 'rewritten' ? { plan: file(`${base}.plan.json`) } : {}),
    },
    { outDir: dir, sharedCache: join(cacheDir, 'shared') },
  );
  if (!result.ok) throw new Error(`building ${rewrite.key} ${plan} failed:\n${result.problems.map((p) => (p.source ? renderDiagnostics([p.diagnostic], p.source) : p.diagnostic.message)).join('\n')}`);
  progress('build', `${rewrite.key} ${plan}: ${result.compiled} roles compiled, ${result.cached} cached, ${result.seconds.toFixed(1)} s`);
  const loaded = loadCluster(dir, undefined, {});
  if (!loaded.ok) throw new Error(`loading ${dir} failed: ${loaded.problems.map((p) => p.diagnostic.message).join('; ')}`);
  return { dir, cluster: loaded.loaded.cluster, manifest: loaded.loaded.build.manifest };
}

/** A cluster of node processes, started, with what its nodes printed and how they ended. */
interface Running {
  readonly built: Built;
  readonly basePort: number;
  readonly endpoints: ReturnType<typeof nodeEndpoints>;
  readonly secret: string;
  readonly dataDir: string;
  readonly abort: AbortController;
  readonly nodeExits: string[];
  readonly logLines: string[];
  local?: LocalCluster;
  startSeconds: number;
  error?: string;
}

/** Starts every node of a build (a fresh durable log directory), recording a failure rather than throwing. */
async function startCluster(built: Built, basePort: number): Promise<Running> {
  const r: Running = {
    built,
    basePort,
    endpoints: nodeEndpoints(built.cluster, { host: '127.0.0.1', basePort }),
    secret: randomBytes(18).toString('base64url'),
    dataDir: mkdtempSync(join(tmpdir(), 'dedc-micro-bench-')),
    abort: new AbortController(),
    nodeExits: [],
    logLines: [],
    startSeconds: 0,
  };
  const started = performance.now();
  try {
    r.local = await LocalCluster.start({
      dir: built.dir,
      nodes: built.cluster.nodes,
      secret: r.secret,
      nodeArgs: ['--host', '127.0.0.1', '--base-port', String(basePort)],
      dataDir: r.dataDir,
      startTimeoutMs: 60_000,
      onLine: (node, line) => {
        if (line.includes('listening on') || line.includes('stopped:')) return;
        if (r.logLines.length < 10) r.logLines.push(`${node.name}: ${line}`);
      },
      onExit: (node, code, signal) => {
        r.nodeExits.push(`${node.name} exited (${signal ?? `code ${code}`})`);
        r.abort.abort();
      },
    });
  } catch (e) {
    r.error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
  r.startSeconds = round((performance.now() - started) / 1000, 2);
  return r;
}

async function stopCluster(r: Running): Promise<void> {
  if (r.local) await r.local.stop();
  rmSync(r.dataDir, { recursive: true, force: true });
}

/** One measured window of the closed-loop load against a running cluster. */
async function measure(r: Running, at: { readonly rewrite: MicroRewrite; readonly plan: MicroPlan; readonly repetition: number }, load: MicroLoad, warmupMs: number): Promise<MicroRun> {
  const { cluster, manifest } = r.built;
  let report: LoadReport | undefined;
  let error = r.error ?? (r.nodeExits.length ? r.nodeExits.join('; ') : undefined);
  const exitsBefore = r.nodeExits.length;
  if (!error) {
    try {
      report = await runLoad(cluster, manifest, r.endpoints, r.secret, {
        clients: load.clients,
        window: load.window,
        warmupMs,
        durationMs: load.durationMs,
        timeoutMs: load.timeoutMs,
        signal: r.abort.signal,
        log: (line) => {
          if (r.logLines.length < 10) r.logLines.push(`load: ${line}`);
        },
      });
      if (report.aborted) error = r.nodeExits.length ? r.nodeExits.join('; ') : 'the load was stopped';
      else if (report.nodes.length < cluster.nodes.length) error = `only ${report.nodes.length} of ${cluster.nodes.length} nodes had CPU readings for the measured window`;
      else if (report.completed === 0) error = 'no command was answered in the measured window';
    } catch (e) {
      error = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    }
  }
  const completed = report?.completed ?? 0;
  const per = (x: number) => (completed ? round(x / completed, 4) : NaN);
  const nodeCosts: MicroNodeCost[] = (report?.nodes ?? []).map((nd) => ({
    name: nd.name,
    role: nd.role,
    cpuMs: round(nd.cpuMs, 1),
    cpuMicrosPerCommand: round(nd.cpuMicrosPerCommand, 2),
    ticksPerCommand: per(nd.ticks),
    framesInPerCommand: per(nd.framesIn),
    framesOutPerCommand: per(nd.framesOut),
  }));
  const top = nodeCosts[0];
  return {
    rewrite: at.rewrite.key,
    plan: at.plan,
    repetition: at.repetition,
    nodes: cluster.nodes.length,
    basePort: r.basePort,
    startSeconds: r.startSeconds,
    warmupMs,
    ...(error ? { error } : {}),
    throughput: round(report?.throughput ?? 0, 1),
    completed,
    measuredSeconds: round((report?.measuredMs ?? 0) / 1000, 3),
    latency: { p50: report?.latencyMicros.p50 ?? 0, p99: report?.latencyMicros.p99 ?? 0 },
    timeouts: report?.timeouts ?? 0,
    duplicates: report?.duplicates ?? 0,
    late: report?.late ?? 0,
    unexpected: report?.unexpected ?? 0,
    nodeCosts,
    bottleneck: top ? { name: top.name, role: top.role, cpuMicrosPerCommand: top.cpuMicrosPerCommand } : { name: '', role: '', cpuMicrosPerCommand: NaN },
    bound: top && top.cpuMicrosPerCommand > 0 ? round(1e6 / top.cpuMicrosPerCommand, 0) : NaN,
    totalCpuMicrosPerCommand: round(nodeCosts.reduce((s, x) => s + x.cpuMicrosPerCommand, 0), 2),
    nodeExits: r.nodeExits.slice(exitsBefore),
    logLines: r.logLines.splice(0),
  };
}

function spread(xs: readonly number[]): Spread {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length ? { median: round(med(ok), 2), min: round(Math.min(...ok), 2), max: round(Math.max(...ok), 2) } : { median: NaN, min: NaN, max: NaN };
}

const good = (r: MicroRun) => !r.error && r.completed > 0;

function summarise(rewrite: string, plan: MicroPlan, runs: readonly MicroRun[], nodes: number): MicroSummary {
  const ok = runs.filter(good);
  const counts = new Map<string, { name: string; role: string; runs: number }>();
  for (const r of ok) {
    const c = counts.get(r.bottleneck.name) ?? { name: r.bottleneck.name, role: r.bottleneck.role, runs: 0 };
    c.runs++;
    counts.set(r.bottleneck.name, c);
  }
  const byNode = new Map<string, MicroNodeCost[]>();
  for (const r of ok) for (const nd of r.nodeCosts) byNode.set(nd.name, [...(byNode.get(nd.name) ?? []), nd]);
  const nodeCosts = [...byNode.values()]
    .map((xs) => {
      const costs = xs.map((x) => x.cpuMicrosPerCommand);
      const m = (g: (x: MicroNodeCost) => number, digits = 4) => round(med(xs.map(g)), digits);
      return {
        name: xs[0]!.name,
        role: xs[0]!.role,
        cpuMs: m((x) => x.cpuMs, 1),
        cpuMicrosPerCommand: m((x) => x.cpuMicrosPerCommand, 2),
        min: round(Math.min(...costs), 2),
        max: round(Math.max(...costs), 2),
        ticksPerCommand: m((x) => x.ticksPerCommand),
        framesInPerCommand: m((x) => x.framesInPerCommand),
        framesOutPerCommand: m((x) => x.framesOutPerCommand),
      };
    })
    .sort((a, b) => b.cpuMicrosPerCommand - a.cpuMicrosPerCommand);
  const total = (g: (r: MicroRun) => number) => runs.reduce((s, r) => s + g(r), 0);
  const bottleneckMicros = spread(ok.map((r) => r.bottleneck.cpuMicrosPerCommand));
  return {
    rewrite,
    plan,
    nodes,
    runs: ok.length,
    failedRuns: runs.length - ok.length,
    bottlenecks: [...counts.values()].sort((a, b) => b.runs - a.runs),
    bottleneckMicros,
    bound: bottleneckMicros.median > 0 ? round(1e6 / bottleneckMicros.median, 0) : NaN,
    throughput: spread(ok.map((r) => r.throughput)),
    p50Micros: spread(ok.map((r) => r.latency.p50)),
    p99Micros: spread(ok.map((r) => r.latency.p99)),
    totalCpuMicrosPerCommand: spread(ok.map((r) => r.totalCpuMicrosPerCommand)),
    nodeCosts,
    anomalies: { timeouts: total((r) => r.timeouts), duplicates: total((r) => r.duplicates), late: total((r) => r.late), unexpected: total((r) => r.unexpected), nodeExits: total((r) => r.nodeExits.length) },
  };
}

function factors(rewrites: readonly MicroRewrite[], summaries: readonly MicroSummary[], runs: readonly MicroRun[], work: Readonly<Record<string, number>>, cost: RoundsCost | undefined): MicroFactor[] {
  return rewrites.flatMap((rw) => {
    const base = summaries.find((s) => s.rewrite === rw.key && s.plan === 'base');
    const after = summaries.find((s) => s.rewrite === rw.key && s.plan === 'rewritten');
    if (!base?.runs || !after?.runs) return [];
    const reps = [...new Set(runs.map((r) => r.repetition))].sort((a, b) => a - b);
    const perRepetition = reps.flatMap((rep) => {
      const b = runs.find((r) => r.rewrite === rw.key && r.plan === 'base' && r.repetition === rep && good(r));
      const a = runs.find((r) => r.rewrite === rw.key && r.plan === 'rewritten' && r.repetition === rep && good(r));
      return a && b ? [round(b.bottleneck.cpuMicrosPerCommand / a.bottleneck.cpuMicrosPerCommand, 3)] : [];
    });
    const names = (s: MicroSummary) => s.bottlenecks.map((b) => `${b.name}${s.bottlenecks.length > 1 ? ` (${b.runs})` : ''}`).join(', ');
    const k = work[rw.key]!;
    return [
      {
        rewrite: rw.key,
        name: rw.rewrite,
        baseBottleneck: names(base),
        rewrittenBottleneck: names(after),
        baseBottleneckMicros: base.bottleneckMicros.median,
        rewrittenBottleneckMicros: after.bottleneckMicros.median,
        factor: round(base.bottleneckMicros.median / after.bottleneckMicros.median, 3),
        perRepetition,
        paper: rw.paper,
        ideal: IDEAL_FACTOR,
        work: k,
        steps: rw.steps,
        baseBound: base.bound,
        rewrittenBound: after.bound,
        throughputRatio: round(after.throughput.median / base.throughput.median, 3),
        totalCpuRatio: round(after.totalCpuMicrosPerCommand.median / base.totalCpuMicrosPerCommand.median, 3),
        roundsShare: cost ? round((rw.steps * k * cost.nsPerRound) / 1000 / base.bottleneckMicros.median, 3) : NaN,
      },
    ];
  });
}

export async function runMicroBench(options: MicroBenchOptions = {}): Promise<MicroBenchOutcome> {
  const quick = options.quick ?? false;
  const unknown = (options.only ?? []).filter((k) => !microRewrites.some((r) => r.key === k));
  if (unknown.length) throw new Error(`unknown rewrite ${unknown.join(', ')}: one of ${microRewrites.map((r) => r.key).join(', ')}`);
  const rewrites = options.only ? microRewrites.filter((r) => options.only!.includes(r.key)) : microRewrites;
  const load: MicroLoad = { ...(quick ? quickLoad : fullLoad), ...(options.clients ? { clients: options.clients } : {}), ...(options.window ? { window: options.window } : {}) };
  const partial = quick || options.only !== undefined || options.work !== undefined || options.clients !== undefined || options.window !== undefined;
  const dir = options.outDir ?? outputDir([], partial);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const loadStart = loadavg()[0]!;
  const git = gitState();
  const work = Object.fromEntries(rewrites.map((rw) => [rw.key, options.work ?? workOf(readFileSync(join(programsDir, `micro-${rw.key}.deploy.json`), 'utf8'))]));
  progress('micro', `${quick ? 'quick' : 'full'} run: ${rewrites.length} rewrites x 2 plans x ${load.repetitions} windows, ${load.clients} clients x window ${load.window}; results to ${dir}`);

  const builds = new Map<string, Built>();
  for (const rw of rewrites) for (const plan of ['base', 'rewritten'] as const) builds.set(`${rw.key}-${plan}`, await build(rw, plan, options.work));
  // Before any cluster runs, with the machine as quiet as it gets; from the functional build.
  const functional = builds.get('functional-base') ?? (await build(microRewrites.find((r) => r.key === 'functional')!, 'base', options.work));
  const cost = roundsCost(functional.dir, CALIBRATION_ROUNDS, { ticks: quick ? 15 : 50, seconds: quick ? 3 : 8 });
  progress('micro', `one rounds(v, ${CALIBRATION_ROUNDS}) call: ${cost.microsPerCall} µs in Wasm here (${cost.nsPerRound} ns a round)`);
  // The budget of the cluster runs (builds come before: about 30 s when nothing is cached yet).
  const deadline = new Deadline(load.limitSeconds);

  const ports = new PortBlocks(PORT_BASE, PORT_STRIDE, PORT_LIMIT, 'micro');
  const nextBasePort = (built: Built): Promise<number> => ports.next(Math.max(...built.cluster.nodes.map((nd) => Number(nd.address))));

  const runs: MicroRun[] = [];
  const notes: string[] = [];
  const plans = ['base', 'rewritten'] as const;
  // No rewrite's clusters start unless there is time left for a window of each plan.
  const startBy = new Deadline(load.limitSeconds - 2 * (load.warmupMs + load.durationMs) / 1000);
  for (const rewrite of rewrites) {
    if (startBy.expired()) {
      notes.push(`${rewrite.key}: not run, the run's time limit (${load.limitSeconds} s) was reached`);
      continue;
    }
    const built = plans.map((plan) => builds.get(`${rewrite.key}-${plan}`)!);
    const ports = [await nextBasePort(built[0]!), await nextBasePort(built[1]!)];
    const clusters = await Promise.all(built.map((b, i) => startCluster(b, ports[i]!)));
    try {
      progress('micro', `${rewrite.key}: ${clusters.map((c, i) => `${plans[i]} ${c.built.cluster.nodes.length} nodes${c.error ? ` FAILED: ${c.error}` : ''}`).join(', ')}, started in ${Math.max(...clusters.map((c) => c.startSeconds)).toFixed(1)} s`);
      for (let repetition = 1; repetition <= load.repetitions; repetition++)
        for (const [i, plan] of plans.entries()) {
          if (deadline.expired()) {
            notes.push(`${rewrite.key} ${plan}, repetition ${repetition}: not run, the run's time limit (${load.limitSeconds} s) was reached`);
            continue;
          }
          const r = await measure(clusters[i]!, { rewrite, plan, repetition }, load, repetition === 1 ? load.warmupMs : load.rewarmMs);
          runs.push(r);
          progress(
            'run',
            `${r.rewrite} ${r.plan} #${r.repetition}: ${r.error ? `FAILED: ${r.error}; ` : ''}${Math.round(r.throughput)} commands/s; bottleneck ${r.bottleneck.name} ${r.bottleneck.cpuMicrosPerCommand.toFixed(1)} µs/command (bound ${r.bound}/s); ${r.nodeCosts.map((nd) => `${nd.name} ${nd.cpuMicrosPerCommand.toFixed(0)}`).join(', ')}; ${r.timeouts} timeouts, ${r.duplicates} duplicates`,
          );
        }
    } finally {
      await Promise.all(clusters.map(stopCluster));
    }
  }

  const summaries = rewrites.flatMap((rw) => plans.map((plan) => summarise(rw.key, plan, runs.filter((r) => r.rewrite === rw.key && r.plan === plan), builds.get(`${rw.key}-${plan}`)!.cluster.nodes.length)));
  const results: MicroBenchResults = {
    date: new Date().toISOString(),
    ...(git ? { git } : {}),
    mode: quick ? 'quick' : 'full',
    seconds: round((performance.now() - started) / 1000, 1),
    machine: machineInfo(loadStart),
    work,
    roundsCost: cost,
    load,
    setup: [
      `each rewrite of Figure 10 has a bench program, bench/programs/micro-<rewrite>.ded (a variant of the protocols/micro/ program), with its deployment and plan; as in the paper, the node a decoupling splits decrypts each request and encrypts each reply (two \`rounds(v, k)\` steps), and the node a partitioning splits (the one replica) encrypts its output (one step), \`rounds\` standing in for the AES rounds, so that this node is the bottleneck before the rewrite; k: ${rewrites.map((rw) => `${rw.key} ${work[rw.key]!.toLocaleString('en-US')}`).join(', ')}`,
      `base and rewritten are built with buildProgram (into bench/.cache/micro/); per rewrite both start as clusters of \`dedc node\` processes (LocalCluster), one process per node, on 127.0.0.1 at fresh blocks of ports (${PORT_BASE} + ${PORT_STRIDE} k + address), each node with a durable log in a fresh temporary directory; both stay up while the rewrite is measured, the one not under load idle`,
      `the closed-loop clients (runLoad, ${load.clients} clients x window ${load.window}, the same for every configuration) run in the bench process; each measured window has its own clients: ${load.warmupMs / 1000} s unmeasured on a fresh cluster (${load.rewarmMs / 1000} s for later windows), then ${load.durationMs / 1000} s measured; each node's CPU time (user + system of its process) comes from its /metrics before and after; a request unanswered after ${load.timeoutMs / 1000} s counts as timed out`,
      `${load.repetitions} repetition${load.repetitions > 1 ? 's' : ''}: the windows alternate base, rewritten, base, ... so both plans of a rewrite are measured one after the other; medians over the repetitions`,
      "the bound is 1e6 / the bottleneck node's median CPU µs per command: the throughput if each node had a core of its own; the factor is base bottleneck / rewritten bottleneck, the factor of the bounds",
    ],
    rewrites,
    runs,
    summaries,
    factors: factors(rewrites, summaries, runs, work, cost),
    notes,
  };
  writeFileSync(join(dir, 'micro.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'micro.md'), renderMicroReport(results));
  const plots = await writeMicroPlots(results, dir);
  const files = ['micro.json', 'micro.md', ...plots];
  progress('micro', `wrote ${files.join(', ')} to ${dir} in ${results.seconds} s`);
  for (const f of results.factors)
    progress('micro', `${f.name}: bottleneck ${f.baseBottleneckMicros} -> ${f.rewrittenBottleneckMicros} µs/command, factor ${f.factor.toFixed(2)}x (windows ${f.perRepetition.map((x) => x.toFixed(2)).join(', ')}; paper ${f.paper.text})`);
  const problems = runs.filter((r) => r.error || r.duplicates || r.unexpected || r.nodeExits.length).map((r) => `${r.rewrite} ${r.plan} #${r.repetition}: ${r.error ?? ''} ${r.duplicates} duplicates, ${r.unexpected} unexpected, ${r.nodeExits.join('; ')}`.trim());
  for (const p of problems) progress('micro', `PROBLEM ${p}`);
  for (const note of notes) progress('micro', note);
  return { results, dir, files, problems };
}
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const only = value('--only')?.split(',');
  const work = value('--work') !== undefined ? Number(value('--work')) : undefined;
  if (work !== undefined && !(Number.isInteger(work) && work >= 0 && work <= 1_000_000)) throw new Error('--work takes a number of rounds from 0 to 1,000,000');
  const out = value('--out');
  const clients = value('--clients') !== undefined ? Number(value('--clients')) : undefined;
  const window = value('--window') !== undefined ? Number(value('--window')) : undefined;
  for (const [flag, x] of [['--clients', clients], ['--window', window]] as const) if (x !== undefined && !(Number.isInteger(x) && x >= 1 && x <= 256)) throw new Error(`${flag} takes a number from 1 to 256`);
  const { problems } = await runMicroBench({
    quick: flags.quick,
    ...(only ? { only } : {}),
    ...(work !== undefined ? { work } : {}),
    ...(out ? { outDir: out } : {}),
    ...(clients !== undefined ? { clients } : {}),
    ...(window !== undefined ? { window } : {}),
  });
  if (problems.length) process.exitCode = 1;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
