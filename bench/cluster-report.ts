// The Markdown report of a cluster benchmark run (run-cluster-bench.ts): per configuration the
// bottleneck, the bound, the loopback throughput and latency; the scaling factors beside the
// paper's; batched against unbatched frames; per-role and per-node costs; every run with its
// anomalies; the profile of the bottleneck nodes; and what limits the numbers on this machine.
// `renderClusterReport` is used by run-cluster-bench.ts; run this file to regenerate
// cluster.md (and the plots) from a cluster.json:
//   node dist/bench/cluster-report.js [bench/results/cluster.json]

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeClusterPlots } from './cluster-plot.js';
import { f, n, table } from './report.js';
import type { ClusterBenchResults, ConfigSummary, RunRecord, Spread } from './run-cluster-bench.js';

const ms = (micros: number) => (Number.isFinite(micros) ? `${(micros / 1000).toFixed(micros < 10_000 ? 2 : 1)} ms` : 'n/a');
const us = (x: number) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 1)} µs` : 'n/a');
const num = (x: number) => (Number.isFinite(x) ? n(x) : 'n/a');
const x2 = (x: number) => (Number.isFinite(x) ? `${f(x)}x` : 'n/a');
const pct = (x: number) => `${Math.round(x * 100)}%`;
/** "median (min - max)" when there is more than one run, else the value. */
const range = (s: Spread, fmt: (x: number) => string) => (s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)} - ${fmt(s.max)})`);
const framesLabel = (frames: string) => (frames === 'per-tick' ? 'per-tick (batched)' : 'per-message (unbatched)');

function summaryTable(summaries: readonly ConfigSummary[]): string {
  return table(
    ['configuration', 'frames', 'nodes', 'bottleneck node', 'bottleneck CPU per command', 'commands answered per tick of the bottleneck', 'bound, core per node (commands/s)', 'total CPU per command, all nodes', 'loopback throughput (commands/s)', 'loopback p50', 'loopback p99', 'runs', 'timeouts / duplicates / late / unexpected / dropped sends (all runs)'],
    summaries.map((s) => [
      `**${s.name}**`,
      framesLabel(s.frames),
      s.nodes,
      s.bottlenecks.map((b) => `${b.name}${s.bottlenecks.length > 1 ? ` (${b.runs})` : ''}`).join(', '),
      range(s.bottleneckMicros, us),
      f(s.bottleneckCommandsPerTick.median, 1),
      `**${num(s.bound)}**`,
      range(s.totalCpuMicrosPerCommand, us),
      range(s.throughput, num),
      range(s.p50Micros, ms),
      range(s.p99Micros, ms),
      `${s.runs}${s.failedRuns ? ` (+${s.failedRuns} failed)` : ''}`,
      `${s.anomalies.timeouts} / ${s.anomalies.duplicates} / ${s.anomalies.late ?? 0} / ${s.anomalies.unexpected} / ${s.anomalies.sendsDropped}`,
    ]),
  );
}

function perRoleTable(s: ConfigSummary): string {
  const roles = new Map<string, ConfigSummary['nodeCosts'][number][]>();
  for (const nd of s.nodeCosts) roles.set(nd.role, [...(roles.get(nd.role) ?? []), nd]);
  const rows = [...roles].map(([role, nodes]) => {
    const costs = nodes.map((x) => x.cpuMicrosPerCommand);
    const mean = (g: (x: (typeof nodes)[number]) => number) => nodes.reduce((a, x) => a + g(x), 0) / nodes.length;
    const top = nodes[0]!; // nodeCosts is sorted, highest first
    return {
      max: Math.max(...costs),
      cells: [
        role,
        nodes.length,
        nodes.length > 1 ? `${us(top.cpuMicrosPerCommand)} (${top.name}; ${us(top.min)} - ${us(top.max)} over runs)` : `${us(top.cpuMicrosPerCommand)} (${us(top.min)} - ${us(top.max)})`,
        nodes.length > 1 ? `${us(Math.min(...costs))} / ${us(mean((x) => x.cpuMicrosPerCommand))}` : '',
        us(costs.reduce((a, b) => a + b, 0)),
        f(mean((x) => x.ticksPerCommand), 3),
        f(mean((x) => x.framesInPerCommand), 3),
        f(mean((x) => x.framesOutPerCommand), 3),
        us(mean((x) => x.cpuMicrosPerCommand / Math.max(1e-9, x.framesInPerCommand + x.framesOutPerCommand))),
        nodes.every((x) => x.voluntarySwitchesPerCommand !== undefined) ? f(mean((x) => x.voluntarySwitchesPerCommand! / Math.max(1e-9, x.framesInPerCommand + x.framesOutPerCommand)), 2) : '',
        nodes.every((x) => x.systemShare !== undefined) ? pct(mean((x) => x.systemShare!)) : '',
        nodes.every((x) => x.involuntarySwitchesPerCommand !== undefined) ? f(mean((x) => x.involuntarySwitchesPerCommand!), 2) : '',
      ],
    };
  });
  return table(
    ['role', 'nodes', 'CPU per command: the role\'s costliest node (median; min - max over runs)', 'cheapest / mean node', 'role total', 'ticks per command (per node)', 'frames in per command (per node)', 'frames out per command (per node)', 'CPU per data frame in or out (per node)', 'wake-ups per data frame (per node)', 'kernel share of its CPU', 'preemptions per command (per node)'],
    rows.sort((a, b) => b.max - a.max).map((r) => r.cells),
  );
}

function runsTable(runs: readonly RunRecord[], names: ReadonlyMap<string, string>): string {
  return table(
    ['#', 'configuration', 'run', 'load', 'throughput', 'p50', 'p99', 'bottleneck', 'CPU per command', 'per tick', 'total', 'timeouts', 'dup. / late / unexp.', 'dropped / retransmitted', 'cores: nodes / clients / machine busy', 'start s', 'problems'],
    runs.map((r, i) => [
      i + 1,
      names.get(r.config) ?? r.config,
      r.kind === 'profile' ? 'profiled' : `${r.kind === 'sweep' ? 'sweep, ' : ''}rep ${r.repetition}`,
      `${r.clients}x${r.window}`,
      num(r.throughput),
      ms(r.latency.p50),
      ms(r.latency.p99),
      r.bottleneck.name,
      us(r.bottleneck.cpuMicrosPerCommand),
      f(r.bottleneck.commandsPerTick, 1),
      us(r.totalCpuMicrosPerCommand),
      r.timeouts,
      `${r.duplicates} / ${r.late ?? 0} / ${r.unexpected}`,
      `${r.host.sendsDropped} / ${r.host.retransmitted}${r.hostSinceStart && (r.hostSinceStart.sendsDropped !== r.host.sendsDropped || r.hostSinceStart.retransmitted !== r.host.retransmitted) ? ` (since start ${r.hostSinceStart.sendsDropped} / ${r.hostSinceStart.retransmitted})` : ''}`,
      r.cores ? `${f(r.cores.nodes)} / ${f(r.cores.loadGenerator)} / ${f(r.cores.machineBusy)}` : '',
      f(r.startSeconds, 1),
      [r.error, ...r.nodeExits, ...(r.unclean.length ? [`did not stop cleanly: ${r.unclean.join(', ')}`] : []), ...(r.logLineCount ? [`${r.logLineCount} log lines, e.g. ${r.logLines[0]}`] : [])].filter(Boolean).join('; '),
    ]),
  );
}

/** What limits the numbers here: how the cores were shared, from the runs' own readings. */
function limits(r: ClusterBenchResults): string[] {
  const out: string[] = [];
  const tick = r.summaries.filter((s) => s.frames === 'per-tick' && s.cores);
  if (!tick.length) return out;
  const cores = r.machine.cores;
  out.push(
    table(
      ['configuration (per-tick)', 'cores: nodes (of it in the kernel)', 'cores: clients (bench process)', 'cores: rest (kernel, other users)', 'machine busy (cores)', 'CPU per command: nodes', 'CPU per command: clients (approx.)', 'cores busy / (nodes + clients) per command', 'measured throughput'],
      tick.map((s) => {
        const c = s.cores!;
        // The clients' CPU per command, approximately (their cores over the measured window / the measured rate).
        const clientMicros = (c.loadGenerator * 1e6) / s.throughput.median;
        const predicted = (c.machineBusy * 1e6) / (s.totalCpuMicrosPerCommand.median + clientMicros);
        return [`${s.name} (${s.nodes} nodes)`, `${f(c.nodes)} (${f(c.nodesSystem)})`, f(c.loadGenerator), f(Math.max(0, c.machineBusy - c.nodes - c.loadGenerator)), `${f(c.machineBusy)} of ${cores}`, us(s.totalCpuMicrosPerCommand.median), us(clientMicros), num(predicted), num(s.throughput.median)];
      }),
    ),
  );
  out.push('');
  const perFrame = tick.map((s) => {
    const frames = s.nodeCosts.reduce((a, x) => a + x.framesInPerCommand + x.framesOutPerCommand, 0);
    const wakeups = s.nodeCosts.reduce((a, x) => a + (x.voluntarySwitchesPerCommand ?? NaN), 0);
    const top = s.nodeCosts[0]!;
    const topFrames = top.framesInPerCommand + top.framesOutPerCommand;
    return { s, frames, micros: s.totalCpuMicrosPerCommand.median / frames, wakeups: wakeups / frames, top, topMicros: top.cpuMicrosPerCommand / topFrames, topWakeups: (top.voluntarySwitchesPerCommand ?? NaN) / topFrames };
  });
  out.push(
    table(
      ['configuration (per-tick)', 'data frames per command, all nodes', 'CPU per data frame, all nodes', 'wake-ups per data frame, all nodes', 'the bottleneck: CPU per data frame', 'its wake-ups per data frame', 'node preemptions per s'],
      perFrame.map((p) => [`${p.s.name} (${p.s.nodes} nodes)`, f(p.frames, 1), us(p.micros), f(p.wakeups, 2), `${us(p.topMicros)} (${p.top.name})`, f(p.topWakeups, 2), n(p.s.cores!.involuntarySwitches)]),
    ),
  );
  out.push('');
  const nodesPer = tick.map((s) => s.nodes);
  const cheapest = perFrame.reduce((a, p) => (p.micros < a.micros ? p : a));
  const dearest = perFrame.reduce((a, p) => (p.micros > a.micros ? p : a));
  out.push(
    `Every node process and the clients share ${cores} cores (${Math.min(...nodesPer)} to ${Math.max(...nodesPer)} node processes plus the bench process), and the machine was ${f(Math.min(...tick.map((s) => s.cores!.machineBusy)))} to ${f(Math.max(...tick.map((s) => s.cores!.machineBusy)))} cores busy during the measured windows. So the loopback throughput is not that of a cluster with a core per node: it is the busy cores divided by the CPU one command costs over all nodes plus the clients (the two right-hand columns of the first table agree). It measures the total work per command, not the bottleneck; the scalable plans add nodes and hops, cost more in total, and run slower here.`,
  );
  out.push('');
  // The node that takes the clients' requests (most frames in per command in the base plan) is in
  // both plans and does no more per command in the scalable one: the cleanest comparison of what
  // the same work costs in the two settings.
  const entry = tick
    .filter((s) => s.plan === 'base')
    .flatMap((b) => {
      const sc = tick.find((s) => s.protocol === b.protocol && s.plan === 'scalable');
      const bn = [...b.nodeCosts].sort((x, y) => y.framesInPerCommand - x.framesInPerCommand)[0];
      const sn = sc?.nodeCosts.find((x) => x.role === bn?.role);
      if (!sc || !bn || !sn) return [];
      const frames = (x: typeof bn) => x.framesInPerCommand + x.framesOutPerCommand;
      return [`${bn.name} does ${f(frames(sn), 2)} data frames per command in ${sc.name} against ${f(frames(bn), 2)} in ${b.name}, yet costs ${us(sn.cpuMicrosPerCommand)} per command against ${us(bn.cpuMicrosPerCommand)} (${us(sn.cpuMicrosPerCommand / frames(sn))} per data frame against ${us(bn.cpuMicrosPerCommand / frames(bn))})`];
    });
  out.push(
    `Nearly all of a node's CPU goes to moving frames, not to the protocol (see the profile): socket writes into loopback TCP, HMAC, ws and uWS, while the Wasm tick takes 5-10%. The same work costs more in the scalable configurations. The cleanest case is the node that takes the clients' requests, which both plans have and which does less per command after the rewrites (they move work off it): ${entry.length ? `${entry.join('; ')}` : 'not measured in this run'}. (Per-tick frames carry every row of a tick for one destination, so CPU per data frame compares like with like only between nodes whose frames are alike, as here.) Each of a scalable plan's ${tick.filter((s) => s.plan === 'scalable').map((s) => s.nodes).join(' or ')} processes gets a share of ${cores} cores that other processes keep taking, and handles several times fewer frames a second than a base node, so each wake-up finds its caches, TLB and branch predictors cold after other processes ran (in this VM, waking a process on the other vCPU is also an inter-processor interrupt).`,
  );
  out.push('');
  out.push(
    "So the bound (1e6 / the bottleneck's µs per command) is a lower estimate, and the more processes a configuration has, the lower: with a core per node, the scalable plans' nodes would run alone on their cores, at a higher rate, and pay less per frame. The base/scalable factor measured on this machine is biased against the rewrites and is not the factor a cluster with a core per node would show. What this run does show reliably: where each plan's CPU goes and which node is the bottleneck, the total work per command (what the rewrites cost), and the effect of batching.",
  );
  out.push('');
  out.push(`The cores busy beyond the nodes and the clients are kernel work not charged to a process (softirqs of loopback networking) and other users of the shared machine (load average ${r.machine.loadAverage.start} at the start, ${r.machine.loadAverage.end} at the end; the bench's own node processes count in it).`);
  return out;
}

function curvesSection(r: ClusterBenchResults): string[] {
  if (!r.curves?.length) return [];
  const out: string[] = [];
  out.push('## Cost per command against load (per-tick)');
  out.push('');
  out.push(`The per-tick configurations under other closed loads (clients x window, one run each) besides the main load (${r.load.clients}x${r.load.window}, every repetition): the bottleneck's CPU per command against the throughput reached, and how many commands each of its ticks carried. Plot: \`cluster-cost-vs-load.svg\`.`);
  out.push('');
  out.push(
    table(
      ['configuration', 'load', 'throughput (commands/s)', 'bottleneck', 'bottleneck CPU per command', 'commands per tick there', 'total CPU per command', 'p50'],
      r.curves.flatMap((c) => [...c.points].sort((a, b) => a.clients * a.window - b.clients * b.window).map((p) => [configName(r, c.config), `${p.clients}x${p.window}${p.repetition ? ` (rep ${p.repetition})` : ''}`, num(p.throughput), p.bottleneck, us(p.bottleneckMicros), f(p.commandsPerTick, 1), us(p.totalCpuMicrosPerCommand), ms(p.p50Micros)])),
    ),
  );
  out.push('');
  return out;
}

const configName = (r: ClusterBenchResults, key: string) => {
  const c = r.configs.find((x) => x.key === key);
  return c ? c.name : key;
};

export function renderClusterReport(r: ClusterBenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  const names = new Map(r.configs.map((c) => [c.key, `${c.name} ${c.frames}`]));
  out.push('# Cluster benchmarks: voting and 2PC, base and scalable, as node processes');
  out.push('');
  out.push(`Generated by \`npm run bench:cluster${r.mode === 'quick' ? ' -- --quick' : ''}\` from \`cluster.json\` (do not edit by hand). ${r.mode === 'quick' ? '**Quick mode: one repetition of short runs, not the numbers to quote.** ' : ''}`);
  out.push('');
  const git = r.git ? ` on commit ${r.git.commit}${r.git.dirty ? ' plus uncommitted changes' : ''}` : '';
  out.push(`Run ${r.date.slice(0, 16).replace('T', ' ')} UTC${git}, ${f(r.seconds, 0)} s. Machine: ${m.cpu}${m.mhz ? ` at ${m.mhz} MHz` : ''}${m.cacheSize ? ` (cache ${m.cacheSize})` : ''}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}; load average ${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end (the machine is shared: absolute numbers drift, ratios measured side by side in one run hold better).`);
  out.push('');
  out.push(`Load: ${r.load.clients} closed-loop clients x window ${r.load.window} (the same for every configuration), after a warm-up of ${r.load.warmupCommands.toLocaleString('en-US')} commands (at most ${r.load.warmupLimitMs / 1000} s), ${r.load.durationMs / 1000} s measured, ${r.load.repetitions} repetition${r.load.repetitions > 1 ? 's' : ''}; medians over the repetitions, with (min - max).`);
  out.push('');
  for (const s of r.setup) out.push(`* ${s}`);
  out.push('');
  out.push('Throughput and latency below are what this 2-core machine achieved on loopback with every node sharing its cores ("loopback"); the bound is the throughput one core per node would allow, from the bottleneck\'s CPU per command (see "What limits the numbers").');
  out.push('');

  out.push('## Per configuration');
  out.push('');
  out.push(summaryTable(r.summaries));
  out.push('');

  if (r.factors.length) {
    out.push('## Scaling factors against the paper');
    out.push('');
    out.push(`Factor = base bottleneck CPU per command / scalable bottleneck CPU per command (medians over the repetitions), i.e. the factor between the bounds, both plans under the same closed load (${r.load.clients}x${r.load.window}; and, where both ran at another load of the sweep, at that one: one run each, side by side). The paper (Chu et al.) measured throughput with one 4-vCPU machine per node, Hydroflow (Rust), no batching of client requests.`);
    out.push('');
    out.push(
      table(
        ['protocol', 'frames', 'base bottleneck', 'scalable bottleneck', '**factor**', 'per repetition', 'commands answered per tick of the bottleneck, base / scalable', 'at other loads', 'paper', 'bound base -> scalable (commands/s)', 'total CPU per command, scalable / base', 'loopback throughput, scalable / base'],
        r.factors.map((x) => [
          x.protocol === 'voting' ? 'Voting' : '2PC',
          framesLabel(x.frames),
          us(x.baseBottleneckMicros),
          us(x.scalableBottleneckMicros),
          `**${x2(x.factor)}**`,
          x.perRepetition.map(x2).join(', '),
          `${f(x.baseCommandsPerTick, 1)} / ${f(x.scalableCommandsPerTick, 1)}`,
          (x.otherLoads ?? []).map((o) => `${o.clients}x${o.window}: ${us(o.baseMicros)} -> ${us(o.scalableMicros)} = **${x2(o.factor)}** (${f(o.baseCommandsPerTick, 1)} / ${f(o.scalableCommandsPerTick, 1)} per tick; ${num(o.baseThroughput)} / ${num(o.scalableThroughput)} commands/s)`).join('; '),
          x.paper.text,
          `${num(x.baseBound)} -> ${num(x.scalableBound)}`,
          x2(x.totalCpuRatio),
          x2(x.throughputRatio),
        ]),
      ),
    );
    out.push('');
  }

  if (r.batching.length) {
    out.push('## Batched (per-tick) against unbatched (per-message) frames');
    out.push('');
    out.push('Per-tick: a tick\'s messages to one destination travel as one frame. Per-message: one frame per message (the node host splits the tick\'s records into one record per row, re-encoding each, and sends each as its own frame: sequence number, HMAC, CRC and WebSocket message per message). Frames out per command counts every node\'s frames, replies to clients included.');
    out.push('');
    out.push(
      table(
        ['configuration', 'bottleneck per-tick', 'bottleneck per-message', '**per-message / per-tick cost**', 'per repetition', 'bound per-tick -> per-message', 'loopback throughput per-tick / per-message', 'ratio', 'frames out per command', 'total CPU per command'],
        r.batching.map((b) => [
          b.name,
          us(b.tickBottleneckMicros),
          us(b.messageBottleneckMicros),
          `**${x2(b.costRatio)}**`,
          b.perRepetition.map(x2).join(', '),
          `${num(1e6 / b.tickBottleneckMicros)} -> ${num(1e6 / b.messageBottleneckMicros)}`,
          `${num(b.tickThroughput)} / ${num(b.messageThroughput)}`,
          x2(b.throughputRatio),
          `${f(b.tickFramesPerCommand)} -> ${f(b.messageFramesPerCommand)}`,
          `${us(b.tickTotalCpu)} -> ${us(b.messageTotalCpu)}`,
        ]),
      ),
    );
    out.push('');
  }

  out.push('## CPU per command by role and node');
  out.push('');
  out.push('Each node\'s CPU time (user + system of its process, from its /metrics) over the measured window, divided by the commands answered in it; medians over the runs. For a partitioned or decoupled role, the costliest node is the one that bounds the role. Per-node columns are means over the role\'s nodes. Data frames are the protocol\'s frames (acks and hellos not counted); wake-ups are the process\'s voluntary context switches (it blocked waiting for input), preemptions its involuntary ones (/proc/<pid>/status). Plot: `cluster-nodes.svg` (every node).');
  for (const s of r.summaries) {
    out.push('');
    out.push(`### ${s.name}, ${framesLabel(s.frames)} (${s.nodes} nodes)`);
    out.push('');
    out.push(perRoleTable(s));
  }
  out.push('');

  if (r.profiles.length) {
    out.push('## Where the bottleneck\'s CPU goes (V8 CPU profile)');
    out.push('');
    out.push('One more run of each base protocol (per-tick, main load) with its bottleneck node (the one most often the bottleneck above) under V8\'s sampling profiler (bench/profiled-node.ts, a sample every ms; the profiler costs that node some CPU, so its cost per command is higher than in the runs above), keeping the samples of the measured window only. A sample whose leaf is a socket write (the syscall, in which the kernel also runs loopback TCP and wakes the receiver) counts as a socket write; any other goes to the first piece of the host found from the leaf of its stack up (bench/cpu-profile.ts), so HMAC work called from the frame codec counts as the frame codec. Idle time is left out; shares are of the busy samples.');
    for (const p of r.profiles) {
      out.push('');
      out.push(`### ${names.get(p.config) ?? p.config}: ${p.node}`);
      out.push('');
      if (!p.summary) {
        out.push(`No profile: ${p.error ?? 'unknown'}`);
        continue;
      }
      const s = p.summary;
      out.push(`${f(s.busyMs / 1000, 1)} s of CPU sampled over ${f(s.wallSeconds, 1)} s (${n(s.samples)} samples); that run: ${num(p.run.throughput)} commands/s, ${us(p.run.bottleneck.cpuMicrosPerCommand)} per command at ${p.node}.`);
      out.push('');
      out.push(table(['category', 'CPU', 'share'], s.categories.map((c) => [c.category, `${n(c.ms)} ms`, pct(c.share)])));
      out.push('');
      out.push('Functions with the most self time:');
      out.push('');
      out.push(table(['function', 'file', 'category', 'self', 'share'], s.topFunctions.map((t) => [`\`${t.function}\``, t.file, t.category, `${n(t.selfMs)} ms`, pct(t.share)])));
    }
    out.push('');
  }

  out.push(...curvesSection(r));

  out.push('## What limits the numbers on this machine');
  out.push('');
  out.push(...limits(r));
  out.push('');

  out.push('## Every run');
  out.push('');
  out.push('In the order they ran (the profiled runs last). Timeouts and duplicate, late (after their request timed out) and unexpected replies come from the measured load\'s clients; dropped sends and retransmitted frames from the nodes\' /metrics over the measured window (in parentheses since the nodes started, when different: a warm-up that ends on its time limit leaves replies to its closed clients, which the nodes drop). Cores: CPU time / wall time over the measured window, of all nodes together (/proc/<pid>), of the bench process (the clients), and of the whole machine (/proc/stat).');
  out.push('');
  out.push(runsTable([...r.runs, ...r.profiles.map((p) => p.run)], names));
  out.push('');
  for (const note of r.notes) out.push(`* ${note}`);
  return `${out.join('\n').trimEnd()}\n`;
}

async function main(): Promise<void> {
  const path = process.argv[2] ?? 'bench/results/cluster.json';
  const results = JSON.parse(readFileSync(path, 'utf8')) as ClusterBenchResults;
  const dir = dirname(path);
  writeFileSync(join(dir, 'cluster.md'), renderClusterReport(results));
  const plots = await writeClusterPlots(results, dir);
  process.stderr.write(`wrote ${join(dir, 'cluster.md')} and ${plots.join(', ')}\n`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
