// The cluster benchmark (issue 5, and the paper's evaluation): voting, 2PC and Paxos, each base
// and scalable at the paper's machine counts (4/26, 4/46, 8/29 nodes: partition counts set in
// the deployment, nothing recompiled), run as real node processes on loopback under one
// closed-loop load, per-message frames (the paper's unbatched setting, the main comparison) and
// per-tick frames. Per configuration and frames setting one cluster runs measured windows;
// base and scalable of a protocol run side by side, their windows alternating, so drift of the
// shared machine falls on both. Per window: every node's CPU per command (its /metrics), the
// bottleneck, the bound 1e6 / its µs. Then: Figure 7 curves (throughput and latency as clients
// grow), a 60 s steady-state run of Paxos, per-rule time on the bottleneck nodes (profiling
// build, simulated), a V8 profile of the bottlenecks, and where a factor falls short of the
// paper's, the node and rule. Results: bench/results/cluster.json, cluster.md and SVG plots.
//
//   npm run bench:cluster                    full run, about 21 minutes (its limit is 23)
//   npm run bench:cluster -- --quick         short windows, 1 repetition: $TMPDIR/dedc-bench-quick/
//   npm run bench:cluster -- --only paxos-base-message,paxos-scalable-message   some configurations (also to $TMPDIR)
//   npm run bench:cluster -- --no-profile --no-steady --no-rules   skip the V8 profiles, the steady-state run, the rule profiles
//   node dist/bench/cluster-report.js [bench/results/cluster.json]   regenerate cluster.md and the plots

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildConfig, type Built, type DeploymentCheck } from './cluster-build.js';
import { allConfigs, configKey, framesSettings, paper, protocols, type ClusterConfig, type Frames } from './cluster-configs.js';
import { writeClusterPlots } from './cluster-plot.js';
import { renderClusterReport } from './cluster-report.js';
import type { ClusterBenchResults, LoadSettings, ProfileRun, RunKind, RunRecord } from './cluster-results.js';
import { measureWindow, noWarmup, profileWindow, startSession, stopSession, warmUp, type Session } from './cluster-session.js';
import { PortBlocks } from './free-ports.js';
import { batching, factors, latencyCurves, shortfalls, summarise } from './cluster-summary.js';
import { Deadline, gitState, machineInfo, outputDir, progress, round } from './harness.js';
import { profileRules, type RuleProfileRun } from './rule-profile.js';
import { steadyWindow, type SteadyRun } from './steady-state.js';

const mainFrames: Frames = 'per-message';

export const fullLoad: LoadSettings = {
  clients: 32,
  window: 4,
  warmupCommands: 30_000,
  warmupLimitMs: 25_000,
  warmupMs: 1000,
  durationMs: 6000,
  timeoutMs: 5000,
  repetitions: { 'per-message': 3, 'per-tick': 2 },
  curve: { frames: mainFrames, clients: [1, 4, 16, 64], window: 1, warmupMs: 1000, durationMs: 3000 },
  steady: { configs: ['paxos-scalable-message', 'paxos-base-message'], seconds: 60, warmupMs: 5000, sampleSeconds: 5, edgeSeconds: 6 },
};
export const quickLoad: LoadSettings = {
  clients: 32,
  window: 4,
  warmupCommands: 3000,
  warmupLimitMs: 5000,
  warmupMs: 500,
  durationMs: 2500,
  timeoutMs: 5000,
  repetitions: { 'per-message': 1, 'per-tick': 1 },
  curve: { frames: mainFrames, clients: [16], window: 1, warmupMs: 300, durationMs: 1500 },
  steady: { configs: ['paxos-scalable-message'], seconds: 12, warmupMs: 2000, sampleSeconds: 3, edgeSeconds: 3 },
};
/** A quick run: every protocol in the main setting only (cluster starts are most of its time). */
const quickConfigs = allConfigs.filter((c) => c.frames === mainFrames);
/** Commands of the simulated run that profiles the rules. */
const ruleCommands = { full: 3000, quick: 300 };

export interface ClusterBenchOptions {
  readonly quick?: boolean;
  /** Configuration keys (`paxos-scalable-message`, ...); results then go to $TMPDIR unless `outDir`. */
  readonly only?: readonly string[];
  readonly outDir?: string;
  /** V8 profiles of the bottleneck nodes (default: on in a full run). */
  readonly profile?: boolean;
  readonly steady?: boolean;
  readonly rules?: boolean;
  /** The whole run's budget, s: what has not started by then is skipped and listed. */
  readonly limitSeconds?: number;
}

export interface ClusterBenchOutcome {
  readonly results: ClusterBenchResults;
  readonly dir: string;
  readonly files: readonly string[];
  /** Windows that failed or saw duplicate or unexpected replies; builds off the paper's machine count. */
  readonly problems: readonly string[];
}

/** A window that could not run (its cluster did not start): counted as failed. */
function failedRecord(c: ClusterConfig, kind: RunKind, repetition: number, clients: number, window: number, session: number, built: Built, error: string, startSeconds: number): RunRecord {
  const zero = { sendsDropped: 0, retransmitted: 0, tickFaults: 0, duplicateFrames: 0, framesRejected: 0 };
  return {
    config: c.key, kind, repetition, clients, window, session, order: 0, basePort: 0, nodes: built.cluster.nodes.length, startSeconds, warmup: noWarmup, error,
    throughput: 0, completed: 0, measuredSeconds: 0, latency: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 }, timeouts: 0, duplicates: 0, late: 0, unexpected: 0, refused: 0, outstanding: 0,
    nodeCosts: [], bottleneck: { name: '', role: '', cpuMicrosPerCommand: NaN, commandsPerTick: NaN }, bound: NaN, totalCpuMicrosPerCommand: NaN, framesOutPerCommand: NaN,
    host: zero, hostSinceStart: zero, sentPerCommand: {}, nodeExits: [], unclean: [], logLines: [], logLineCount: 0,
  };
}

/** A window that failed only because some node did not answer /metrics in time. */
const unreadable = /nodes (answered \/metrics|had CPU readings)/;

const say = (r: RunRecord, label: string) => {
  const b = r.bottleneck;
  progress(
    'run',
    `${label} ${r.config}${r.kind !== 'main' ? ` (${r.kind})` : ''} at ${r.clients}x${r.window} #${r.repetition}: ${r.error ? `FAILED: ${r.error}; ` : ''}${Math.round(r.throughput)} commands/s, p50 ${(r.latency.p50 / 1000).toFixed(1)} ms, p99 ${(r.latency.p99 / 1000).toFixed(1)} ms; bottleneck ${b.name} ${b.cpuMicrosPerCommand.toFixed(1)} µs/command, ${b.commandsPerTick} per tick (bound ${r.bound}/s); total ${r.totalCpuMicrosPerCommand.toFixed(1)} µs; cores ${r.cores ? `${r.cores.nodes} nodes + ${r.cores.loadGenerator} clients, machine ${r.cores.machineBusy}` : '?'}; ${r.timeouts} timeouts, ${r.duplicates} duplicates${r.logLineCount ? `, ${r.logLineCount} log lines` : ''}`,
  );
};

export async function runClusterBench(options: ClusterBenchOptions = {}): Promise<ClusterBenchOutcome> {
  const quick = options.quick ?? false;
  const unknown = (options.only ?? []).filter((k) => !allConfigs.some((c) => c.key === k));
  if (unknown.length) throw new Error(`unknown configuration ${unknown.join(', ')}: one of ${allConfigs.map((c) => c.key).join(', ')}`);
  const configs = options.only ? allConfigs.filter((c) => options.only!.includes(c.key)) : quick ? quickConfigs : allConfigs;
  const load = quick ? quickLoad : fullLoad;
  const withProfile = options.profile ?? true;
  const dir = options.outDir ?? outputDir([], quick || options.only !== undefined);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const loadStart = loadavg()[0]!;
  const git = gitState();
  const deadline = new Deadline(options.limitSeconds ?? (quick ? 360 : 1380));
  const notes: string[] = [];
  const skip = (what: string) => notes.push(`${what} not run: the run's time limit (${deadline.seconds} s) was reached`);
  progress('bench', `${quick ? 'quick' : 'full'} run: ${configs.length} configurations; results to ${dir}`);

  const builds = new Map<string, Built>();
  for (const c of configs) {
    const key = `${c.protocol}-${c.plan}`;
    if (!builds.has(key)) builds.set(key, await buildConfig(c.protocol, c.plan));
  }
  const builtFor = (c: ClusterConfig) => builds.get(`${c.protocol}-${c.plan}`)!;
  const deployments: DeploymentCheck[] = [...builds.values()].map((b) => b.check);
  for (const d of deployments) if (!d.ok) notes.push(`${d.name} ran with ${d.nodes} nodes, not the paper's ${d.paperMachines}`);

  const ports = new PortBlocks(20_000, 200, 32_000);
  const topAddress = (b: Built) => Math.max(...b.cluster.nodes.map((nd) => Number(nd.address)));
  let sessionId = 0;
  const runs: RunRecord[] = [];
  const profiles: ProfileRun[] = [];
  const steady: SteadyRun[] = [];
  const withSteady = options.steady ?? true;

  /** One cluster per configuration of a protocol and frames setting, all up at once; windows alternate between them. */
  const runGroup = async (group: readonly ClusterConfig[], frames: Frames) => {
    const reps = load.repetitions[frames];
    const curve = frames === load.curve.frames ? load.curve.clients : [];
    const planned = [...Array.from({ length: reps }, (_, i) => ({ kind: 'main' as const, rep: i + 1, clients: load.clients, window: load.window })), ...curve.map((clients) => ({ kind: 'curve' as const, rep: 0, clients, window: load.curve.window }))];
    const label = `${group[0]!.protocol} ${frames}`;
    if (deadline.expired()) return skip(`${label}: ${group.map((c) => c.key).join(', ')}`);
    const sessions: { config: ClusterConfig; session?: Session; id: number; error?: string; startSeconds: number }[] = [];
    const slots: { config: ClusterConfig; basePort: number; id: number }[] = [];
    for (const c of group) slots.push({ config: c, basePort: await ports.next(topAddress(builtFor(c))), id: ++sessionId });
    const startedAll = await Promise.all(slots.map((x) => startSession(builtFor(x.config), frames, x.basePort, x.id).then((r) => ({ config: x.config, id: x.id, ...r }))));
    sessions.push(...startedAll);
    progress('bench', `${label}: started ${sessions.map((x) => `${x.config.name} (${builtFor(x.config).cluster.nodes.length} nodes) ${x.session ? `in ${x.startSeconds} s` : `FAILED: ${x.error}`}`).join(', ')}`);
    try {
      for (const x of sessions) {
        if (!x.session) continue;
        const w = await warmUp(x.session, load, load.warmupCommands, load.warmupLimitMs);
        progress('bench', `${x.config.name} ${frames}: warmed up, ${w.commands} commands in ${w.seconds} s`);
      }
      let k = 0;
      for (const p of planned)
        for (const x of sessions) {
          k++;
          if (!x.session) {
            runs.push(failedRecord(x.config, p.kind, p.rep, p.clients, p.window, x.id, builtFor(x.config), `the cluster did not start: ${x.error}`, x.startSeconds));
            continue;
          }
          if (deadline.expired()) {
            skip(`${x.config.key} ${p.kind} at ${p.clients}x${p.window}${p.rep ? `, repetition ${p.rep}` : ''}`);
            continue;
          }
          const spec = p.kind === 'main' ? { warmupMs: load.warmupMs, durationMs: load.durationMs } : { warmupMs: load.curve.warmupMs, durationMs: load.curve.durationMs };
          const spec2 = { config: x.config, kind: p.kind, repetition: p.rep, clients: p.clients, window: p.window, timeoutMs: load.timeoutMs, ...spec };
          let { record } = await measureWindow(x.session, spec2);
          // A node too busy to answer /metrics in time (the machine is shared) spoils one window, not the cluster: once more.
          if (record.error && unreadable.test(record.error) && !x.session.abort.signal.aborted && !deadline.expired()) {
            say(record, `${label} ${k}/${planned.length * sessions.length} (again)`);
            notes.push(`${x.config.key} ${p.kind} at ${p.clients}x${p.window}${p.rep ? `, repetition ${p.rep}` : ''}: measured again (${record.error})`);
            ({ record } = await measureWindow(x.session, spec2));
          }
          runs.push(record);
          say(record, `${label} ${k}/${planned.length * sessions.length}`);
        }
      // The steady-state window, on the clusters of the configurations it names.
      for (const x of sessions) {
        if (!x.session || !withSteady || !load.steady.configs.includes(x.config.key)) continue;
        if (deadline.expired()) {
          skip(`steady-state run of ${x.config.key}`);
          continue;
        }
        const st = await steadyWindow(x.session, x.config, load);
        steady.push(st);
        progress('steady', `${st.name}: ${st.error ? `FAILED: ${st.error}; ` : ''}first ${st.edgeSeconds} s ${st.first}/s, last ${st.edgeSeconds} s ${st.last}/s: ${st.ratio}x (${st.pass ? 'pass' : 'FAIL'}, >= 0.9)`);
      }
      // Where the bottlenecks' CPU goes: each configuration's most frequent bottleneck, profiled for one more window (the last: the profiler stays on).
      if (withProfile && frames === mainFrames)
        for (const x of sessions) {
          if (!x.session) continue;
          if (deadline.expired()) {
            skip(`profile of ${x.config.key}`);
            continue;
          }
          const name = summarise(x.config, runs.filter((r) => r.config === x.config.key && r.kind === 'main'), 0).bottlenecks[0]?.name;
          if (!name) continue;
          const { record } = await profileWindow(x.session, name, { config: x.config, kind: 'profile', repetition: 0, clients: load.clients, window: load.window, warmupMs: load.warmupMs, durationMs: load.durationMs, timeoutMs: load.timeoutMs });
          say(record, `${label} profile of ${name}:`);
          profiles.push({ config: x.config.key, run: record, node: name });
        }
    } finally {
      for (const x of sessions) {
        if (!x.session) continue;
        const stopped = await stopSession(x.session);
        const at = runs.map((r) => r.session).lastIndexOf(x.id);
        if (at >= 0 && stopped.unclean.length) runs[at] = { ...runs[at]!, unclean: stopped.unclean };
        for (const p of stopped.profiles) {
          const i = profiles.findIndex((q) => q.config === x.config.key && q.node === p.node && !q.summary && !q.error);
          if (i < 0) continue;
          const error = profiles[i]!.run.error ?? p.error;
          profiles[i] = { ...profiles[i]!, ...(p.summary ? { summary: p.summary } : {}), ...(error ? { error } : {}) };
          progress('profile', `${x.config.key}: ${p.node}: ${p.summary ? p.summary.categories.slice(0, 5).map((c) => `${c.category.split(':')[0]} ${Math.round(c.share * 100)}%`).join(', ') : p.error}`);
        }
      }
    }
  };

  const groupsOf = (frames: Frames) => protocols.map((p) => configs.filter((c) => c.protocol === p && c.frames === frames)).filter((g) => g.length);
  for (const g of groupsOf(mainFrames)) await runGroup(g, mainFrames);

  // Per-rule time of every node (simulated profiling build): where the bottlenecks' Wasm time goes.
  const ruleProfiles: RuleProfileRun[] = [];
  if (options.rules ?? true)
    for (const key of new Set(configs.map((c) => `${c.protocol}-${c.plan}`))) {
      const c = configs.find((x) => `${x.protocol}-${x.plan}` === key)!; // not bounded by the deadline: a simulated run is short, and the shortfalls need it
      const r = await profileRules(c.protocol, c.plan, { clients: load.clients, window: load.window, commands: quick ? ruleCommands.quick : ruleCommands.full });
      ruleProfiles.push(r);
      progress('rules', `${r.name}: ${r.error ? `FAILED: ${r.error}` : `${r.commands} commands simulated in ${r.wallSeconds} s`}`);
    }

  for (const g of groupsOf('per-tick')) await runGroup(g, 'per-tick');

  const summaries = configs.map((c) => summarise(c, runs.filter((r) => r.config === c.key && r.kind === 'main'), builtFor(c).cluster.nodes.length));
  const fs = factors(summaries, runs);
  const results: ClusterBenchResults = {
    date: new Date().toISOString(),
    ...(git ? { git } : {}),
    mode: quick ? 'quick' : 'full',
    seconds: round((performance.now() - started) / 1000, 1),
    machine: machineInfo(loadStart),
    load,
    mainFrames,
    setup: setupText(load, configs),
    deployments,
    configs,
    runs,
    summaries,
    factors: fs,
    batching: batching(summaries),
    curves: latencyCurves(runs, configs),
    profiles,
    ruleProfiles,
    shortfalls: shortfalls(fs, summaries, ruleProfiles, profiles),
    steady,
    notes,
  };
  writeFileSync(join(dir, 'cluster.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'cluster.md'), renderClusterReport(results));
  const plots = await writeClusterPlots(results, dir);
  progress('bench', `wrote cluster.json, cluster.md, ${plots.join(', ')} to ${dir} in ${results.seconds} s`);
  for (const f of results.factors) progress('bench', `${f.protocol} ${f.frames}: bottleneck ${f.baseBottleneck} ${f.baseBottleneckMicros} -> ${f.scalableBottleneck} ${f.scalableBottleneckMicros} µs/command, factor ${f.factor.toFixed(2)}x (paper ${f.paper.factor}x)`);
  const problems = [
    ...[...runs, ...profiles.map((p) => p.run)].filter((r) => r.error || r.duplicates || r.unexpected || r.nodeExits.length).map((r) => `${r.config} (${r.kind}) #${r.repetition}: ${r.error ?? ''} ${r.duplicates} duplicates, ${r.unexpected} unexpected, ${r.nodeExits.join('; ')}`),
    ...steady.filter((s) => s.error).map((s) => `steady-state ${s.config}: ${s.error}`),
    ...deployments.filter((d) => !d.ok).map((d) => `${d.name}: ${d.nodes} nodes, the paper's ${d.paperMachines}`),
  ];
  for (const p of problems) progress('bench', `PROBLEM ${p}`);
  for (const note of notes) progress('bench', note);
  return { results, dir, files: ['cluster.json', 'cluster.md', ...plots], problems };
}

function setupText(load: LoadSettings, configs: readonly ClusterConfig[]): string[] {
  return [
    "the deployments are the paper's machine counts: the base plans' own deployments, and for the scalable plans the deployment the rewrite recorded in the build with every partitioned role's partition count set in code (bench/deployment-variants.ts) and written next to the build; every node runs `dedc node --deploy` with it, the same modules (nothing recompiled). For Paxos the bench also sets timer periods and a static there (cluster-configs.ts benchTimers, benchStatics: beat 100 ms, resend 2 s, timeoutBeats 600), so that per-second heartbeats, resends below the latency and an election during the slow start do not count as per-command work",
    `every node is its own \`dedc node\` process (LocalCluster, dist/cli/main.js) on 127.0.0.1 at a fresh block of ports, with a durable log in a fresh temporary directory (as \`dedc run\` does; 2PC's and Paxos's \`.durable\` facts are fsynced before a tick's messages leave)`,
    `one cluster per configuration and frames setting; base and scalable of a protocol are up at once (the one not under load idle), and their measured windows alternate (base, scalable, base, ...), so drift of the shared machine falls on both; each cluster is first warmed up by the main load from other client addresses until ${load.warmupCommands.toLocaleString('en-US')} commands are answered or ${load.warmupLimitMs / 1000} s pass (V8 compiles a node's hot code after some thousands of frames)`,
    `a measured window: closed-loop clients (host/closed-loop.ts runLoad) in the bench process at fresh addresses (no late reply of an earlier window reaches them), each sending one request frame per command to the node that takes client input and getting its reply over the same connection; ${load.warmupMs / 1000} s unmeasured, ${load.durationMs / 1000} s measured; each node's CPU time from its /metrics before and after; /proc/<pid> of every node and /proc/stat for kernel time, context switches and the machine; a request unanswered after ${load.timeoutMs / 1000} s counts as timed out`,
    `the main load is ${load.clients} clients x window ${load.window} (${load.clients * load.window} commands outstanding), the same for base and scalable; ${framesSettings.map((f) => `${load.repetitions[f]} window${load.repetitions[f] > 1 ? 's' : ''} per configuration with ${f} frames`).join(', ')}; ${mainFrames} frames (one frame per message, the paper's unbatched setting) are the main comparison`,
    `the Figure 7 curves: on the ${load.curve.frames} clusters after their main windows, ${load.curve.clients.join(', ')} clients x window ${load.curve.window}, ${load.curve.warmupMs / 1000} s unmeasured and ${load.curve.durationMs / 1000} s measured each`,
    "the bound is 1e6 / the bottleneck node's median CPU µs per command: the throughput if each node had a core of its own and nothing else limited it (the network, the clients), at the batching measured here",
    `configurations: ${configs.map((c) => configKey(c.protocol, c.plan, c.frames)).join(', ')}`,
  ];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const out = value('--out');
  const only = value('--only')?.split(',');
  const { problems } = await runClusterBench({
    quick: argv.includes('--quick'),
    ...(only ? { only } : {}),
    ...(out ? { outDir: out } : {}),
    ...(argv.includes('--profile') ? { profile: true } : argv.includes('--no-profile') ? { profile: false } : {}),
    ...(argv.includes('--no-steady') ? { steady: false } : {}),
    ...(argv.includes('--no-rules') ? { rules: false } : {}),
  });
  if (problems.length) process.exitCode = 1;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
