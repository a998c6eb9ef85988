// The Markdown report of a cluster benchmark run (run-cluster-bench.ts): the comparison with the
// paper (per protocol: each plan's bottleneck node and its CPU per command, the bound, the
// factor beside the paper's), where a factor falls short, per configuration the bottleneck,
// bound, loopback throughput and latency, batched against unbatched frames, the Figure 7
// curves, the steady-state run, the rule and CPU profiles, per-role and per-node costs, what
// limits the numbers on this machine, and every window. `renderClusterReport` is used by
// run-cluster-bench.ts; run this file to regenerate cluster.md (and the plots) from a JSON, the
// summaries, factors and shortfalls derived again from its windows and profiles:
//   node dist/bench/cluster-report.js [bench/results/cluster.json]

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { framesLabel, paper, protocolNames } from './cluster-configs.js';
import { writeClusterPlots } from './cluster-plot.js';
import type { ClusterBenchResults, ConfigSummary, RunRecord } from './cluster-results.js';
import { batching, factors, latencyCurves, shortfalls, summarise } from './cluster-summary.js';
import { limitsSection } from './limits-report.js';
import { f, n, table } from './report.js';
import { ms, num, pct, range, us, x2 } from './report-units.js';
import { profileSection, ruleSection, shortfallSection } from './shortfall-report.js';
import { steadySection } from './steady-report.js';

const bottleneckOf = (s: ConfigSummary) => s.bottlenecks.map((b) => `${b.name}${s.bottlenecks.length > 1 ? ` (${b.runs})` : ''}`).join(', ');

function paperTable(r: ClusterBenchResults): string {
  return table(
    ['protocol', 'base: nodes, bottleneck, CPU per command', 'scalable: nodes, bottleneck, CPU per command', '**factor** (per repetition)', 'paper', 'verdict', 'bound, core per node: base -> scalable', 'paper: base -> scalable', 'commands per tick at the bottleneck, base / scalable', 'loopback throughput here, base / scalable'],
    r.factors
      .filter((x) => x.frames === r.mainFrames)
      .map((x) => {
        const b = r.summaries.find((s) => s.config === x.base)!;
        const s = r.summaries.find((c) => c.config === x.scalable)!;
        const p = paper[x.protocol];
        return [
          `**${protocolNames[x.protocol]}**`,
          `${b.name}, ${b.nodes}: ${bottleneckOf(b)}, ${range(b.bottleneckMicros, us)}`,
          `${s.name}, ${s.nodes}: ${bottleneckOf(s)}, ${range(s.bottleneckMicros, us)}`,
          `**${x2(x.factor)}** (${x.perRepetition.map(x2).join(', ')})`,
          `${p.factor}x`,
          x.reached ? 'reached' : '**short**',
          `${num(x.baseBound)} -> ${num(x.scalableBound)}/s`,
          `${num(p.base.throughput)} (${p.base.machines}) -> ${num(p.scalable.throughput)} (${p.scalable.machines})`,
          `${f(x.baseCommandsPerTick, 1)} / ${f(x.scalableCommandsPerTick, 1)}`,
          `${num(b.throughput.median)} / ${num(s.throughput.median)}/s`,
        ];
      }),
  );
}

function summaryTable(summaries: readonly ConfigSummary[]): string {
  return table(
    ['configuration', 'frames', 'nodes', 'bottleneck node', 'bottleneck CPU per command', 'commands answered per tick of the bottleneck', 'bound, core per node (commands/s)', 'total CPU per command, all nodes', 'loopback throughput (commands/s)', 'loopback p50', 'loopback p99', 'windows', 'timeouts / duplicates / late / unexpected / dropped sends (all windows)'],
    summaries.map((s) => [
      `**${s.name}**`,
      framesLabel(s.frames),
      s.nodes,
      bottleneckOf(s),
      range(s.bottleneckMicros, us),
      f(s.bottleneckCommandsPerTick.median, 1),
      `**${num(s.bound)}**`,
      range(s.totalCpuMicrosPerCommand, us),
      range(s.throughput, num),
      range(s.p50Micros, ms),
      range(s.p99Micros, ms),
      `${s.runs}${s.failedRuns ? ` (+${s.failedRuns} failed)` : ''}`,
      `${s.anomalies.timeouts} / ${s.anomalies.duplicates} / ${s.anomalies.late} / ${s.anomalies.unexpected} / ${s.anomalies.sendsDropped}`,
    ]),
  );
}

function factorTable(r: ClusterBenchResults): string {
  return table(
    ['protocol', 'frames', 'base bottleneck', 'scalable bottleneck', '**factor**', 'per repetition', 'paper', 'commands per tick at the bottleneck, base / scalable', 'bound base -> scalable (commands/s)', 'total CPU per command, scalable / base', 'loopback throughput, scalable / base'],
    r.factors.map((x) => [
      protocolNames[x.protocol],
      framesLabel(x.frames),
      `${x.baseBottleneck}: ${us(x.baseBottleneckMicros)}`,
      `${x.scalableBottleneck}: ${us(x.scalableBottleneckMicros)}`,
      `**${x2(x.factor)}**`,
      x.perRepetition.map(x2).join(', '),
      x.paper.text,
      `${f(x.baseCommandsPerTick, 1)} / ${f(x.scalableCommandsPerTick, 1)}`,
      `${num(x.baseBound)} -> ${num(x.scalableBound)}`,
      x2(x.totalCpuRatio),
      x2(x.throughputRatio),
    ]),
  );
}

function batchingTable(r: ClusterBenchResults): string {
  return table(
    ['configuration', 'bottleneck per-tick', 'bottleneck per-message', '**per-message / per-tick cost**', 'bound per-tick -> per-message', 'loopback throughput per-tick / per-message', 'ratio', 'frames out per command', 'total CPU per command'],
    r.batching.map((b) => [
      b.name,
      us(b.tickBottleneckMicros),
      us(b.messageBottleneckMicros),
      `**${x2(b.costRatio)}**`,
      `${num(1e6 / b.tickBottleneckMicros)} -> ${num(1e6 / b.messageBottleneckMicros)}`,
      `${num(b.tickThroughput)} / ${num(b.messageThroughput)}`,
      x2(b.throughputRatio),
      `${f(b.tickFramesPerCommand)} -> ${f(b.messageFramesPerCommand)}`,
      `${us(b.tickTotalCpu)} -> ${us(b.messageTotalCpu)}`,
    ]),
  );
}

function curvesTable(r: ClusterBenchResults): string {
  return table(
    ['configuration', 'load (clients x window)', 'throughput (commands/s)', 'p50', 'p99', 'bottleneck', 'its CPU per command', 'commands per tick there', 'total CPU per command'],
    r.curves.flatMap((c) =>
      c.points.map((p) => [c.name, `${p.clients}x${p.window}${p.kind === 'main' ? ' (main load)' : ''}`, num(p.throughput), ms(p.p50Micros), ms(p.p99Micros), p.bottleneck, us(p.bottleneckMicros), f(p.commandsPerTick, 1), us(p.totalCpuMicrosPerCommand)]),
    ),
  );
}

function perRoleTable(s: ConfigSummary): string {
  const roles = new Map<string, ConfigSummary['nodeCosts'][number][]>();
  for (const nd of s.nodeCosts) roles.set(nd.role, [...(roles.get(nd.role) ?? []), nd]);
  const rows = [...roles].map(([role, nodes]) => {
    const costs = nodes.map((x) => x.cpuMicrosPerCommand);
    const mean = (g: (x: (typeof nodes)[number]) => number) => nodes.reduce((a, x) => a + g(x), 0) / nodes.length;
    const top = nodes[0]!; // nodeCosts is sorted, highest first
    const frames = (x: (typeof nodes)[number]) => Math.max(1e-9, x.framesInPerCommand + x.framesOutPerCommand);
    return {
      max: Math.max(...costs),
      cells: [
        role,
        nodes.length,
        nodes.length > 1 ? `${us(top.cpuMicrosPerCommand)} (${top.name}; ${us(top.min)} - ${us(top.max)} over windows)` : `${us(top.cpuMicrosPerCommand)} (${us(top.min)} - ${us(top.max)})`,
        nodes.length > 1 ? `${us(Math.min(...costs))} / ${us(mean((x) => x.cpuMicrosPerCommand))}` : '',
        us(costs.reduce((a, b) => a + b, 0)),
        f(mean((x) => x.ticksPerCommand), 3),
        f(mean((x) => x.framesInPerCommand), 3),
        f(mean((x) => x.framesOutPerCommand), 3),
        us(mean((x) => x.cpuMicrosPerCommand / frames(x))),
        nodes.every((x) => x.voluntarySwitchesPerCommand !== undefined) ? f(mean((x) => x.voluntarySwitchesPerCommand! / frames(x)), 2) : '',
        nodes.every((x) => x.systemShare !== undefined) ? pct(mean((x) => x.systemShare!)) : '',
        nodes.every((x) => x.involuntarySwitchesPerCommand !== undefined) ? f(mean((x) => x.involuntarySwitchesPerCommand!), 2) : '',
      ],
    };
  });
  return table(
    ["role", 'nodes', "CPU per command: the role's costliest node (median; min - max over windows)", 'cheapest / mean node', 'role total', 'ticks per command (per node)', 'frames in per command (per node)', 'frames out per command (per node)', 'CPU per data frame in or out (per node)', 'wake-ups per data frame (per node)', 'kernel share of its CPU', 'preemptions per command (per node)'],
    rows.sort((a, b) => b.max - a.max).map((x) => x.cells),
  );
}

function runsTable(runs: readonly RunRecord[], names: ReadonlyMap<string, string>): string {
  return table(
    ['#', 'configuration', 'window', 'cluster', 'load', 'throughput', 'p50', 'p99', 'bottleneck', 'CPU per command', 'per tick', 'total', 'timeouts', 'dup. / late / unexp.', 'dropped / retransmitted', 'cores: nodes / clients / machine busy', 'start s', 'problems'],
    runs.map((r, i) => [
      i + 1,
      names.get(r.config) ?? r.config,
      r.kind === 'profile' ? 'profiled' : r.kind === 'curve' ? 'curve' : `rep ${r.repetition}`,
      `${r.session}.${r.order}`,
      `${r.clients}x${r.window}`,
      num(r.throughput),
      ms(r.latency.p50),
      ms(r.latency.p99),
      r.bottleneck.name,
      us(r.bottleneck.cpuMicrosPerCommand),
      f(r.bottleneck.commandsPerTick, 1),
      us(r.totalCpuMicrosPerCommand),
      r.timeouts,
      `${r.duplicates} / ${r.late} / ${r.unexpected}`,
      `${r.host.sendsDropped} / ${r.host.retransmitted}`,
      r.cores ? `${f(r.cores.nodes)} / ${f(r.cores.loadGenerator)} / ${f(r.cores.machineBusy)}` : '',
      f(r.startSeconds, 1),
      [r.error, ...r.nodeExits, ...(r.unclean.length ? [`did not stop cleanly: ${r.unclean.join(', ')}`] : []), ...(r.logLineCount ? [`${r.logLineCount} log lines, e.g. ${r.logLines[0]}`] : [])].filter(Boolean).join('; '),
    ]),
  );
}

/**
 * Paxos windows in which the proposer the clients write to was not the leader: it forwards every
 * command (`forwarded` tuples), an extra hop the paper's BasePaxos does not have.
 */
function leaderNotes(r: ClusterBenchResults): string[] {
  return r.configs.flatMap((c) => {
    const main = r.runs.filter((x) => x.config === c.key && x.kind === 'main' && !x.error);
    const forwarded = main.map((x) => x.sentPerCommand?.['forwarded'] ?? 0);
    const most = Math.max(0, ...forwarded);
    if (most < 0.05) return [];
    return [`**${c.name}, ${framesLabel(c.frames)}: the leader was not the proposer the clients write to** in ${forwarded.filter((x) => x >= 0.05).length} of ${main.length} windows (it forwarded up to ${f(most, 2)} commands per command: another proposer won the election while the cluster started), so every command took one more hop than in the paper's BasePaxos; its numbers are not comparable with the other configurations'. (cluster-configs.ts \`benchStatics\` now keeps proposer 1 from running for leader in the first two minutes.)`];
  });
}

export function renderClusterReport(r: ClusterBenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  const names = new Map(r.configs.map((c) => [c.key, `${c.name} ${c.frames}`]));
  out.push("# The paper's evaluation as node processes: voting, 2PC and Paxos, base and scalable", '');
  out.push(`Generated by \`npm run bench\` / \`npm run bench:cluster${r.mode === 'quick' ? ' -- --quick' : ''}\` from \`cluster.json\` (do not edit by hand). ${r.mode === 'quick' ? '**Quick mode: one short window per configuration, not the numbers to quote.** ' : ''}`, '');
  const git = r.git ? ` on commit ${r.git.commit}${r.git.dirty ? ' plus uncommitted changes' : ''}` : '';
  out.push(`Run ${r.date.slice(0, 16).replace('T', ' ')} UTC${git}, ${f(r.seconds, 0)} s. Machine: ${m.cpu}${m.mhz ? ` at ${m.mhz} MHz` : ''}${m.cacheSize ? ` (cache ${m.cacheSize})` : ''}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}; load average ${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end (the machine is shared: absolute numbers drift, ratios measured side by side in one run hold better).`, '');
  out.push(`Deployments (the paper's machine counts): ${r.deployments.map((d) => `${d.name} ${d.nodes} nodes (${d.roles}${d.timers?.length ? `; timers ${d.timers.join(', ')}` : ''}${d.statics?.length ? `; ${d.statics.join(', ')}` : ''})${d.ok ? '' : ` **not the paper's ${d.paperMachines}**`}`).join('; ')}.`, '');
  for (const s of r.setup) out.push(`* ${s}`);
  out.push('');
  out.push("Throughput and latency below are what this 2-core machine achieved on loopback with every node sharing its cores (\"loopback\"); the bound is the throughput one core per node would allow, from the bottleneck's CPU per command (see \"What limits the numbers\").", '');

  out.push(`## Against the paper (${framesLabel(r.mainFrames)}, ${r.load.clients} clients x window ${r.load.window})`, '');
  out.push('Factor = base bottleneck CPU per command / scalable bottleneck CPU per command (medians over the windows), the factor between the bounds, both plans under the same closed load. The paper (Chu et al.) measured throughput with one 4-vCPU machine per node, Hydroflow (Rust), no batching of client requests. Plots: `cluster-factors.svg`, `cluster-nodes-per-message.svg`.', '');
  out.push(paperTable(r), '');
  out.push(...shortfallSection(r));

  out.push('## Per configuration', '');
  out.push(summaryTable(r.summaries), '');
  for (const note of leaderNotes(r)) out.push(`* ${note}`, '');
  if (r.factors.length) out.push('## Scaling factors, both frames settings', '', factorTable(r), '');
  if (r.batching.length) {
    out.push('## Batched (per-tick) against unbatched (per-message) frames', '');
    out.push("Per-tick: a tick's messages to one destination travel as one frame. Per-message: one frame per message (the node host splits the tick's records into one record per row, re-encoding each, and sends each as its own frame: sequence number, HMAC, CRC and WebSocket message per message). Frames out per command counts every node's frames, replies to clients included. The two settings ran on clusters of their own, at different times. Plot: `cluster-batching.svg`.", '');
    out.push(batchingTable(r), '');
  }
  if (r.curves.length) {
    out.push(`## Throughput against latency as clients grow (Figure 7; ${framesLabel(r.load.curve.frames)})`, '');
    out.push(`Each configuration's cluster, after its main windows: ${r.load.curve.clients.join(', ')} closed-loop clients x window ${r.load.curve.window}, ${r.load.curve.durationMs / 1000} s measured each, and the main load's median window. Loopback on 2 shared cores: the curves show how latency rises as this machine saturates, not the paper's cluster. Plots: \`cluster-latency.svg\` (throughput against p50 latency, one line per configuration, like the paper's Figure 7), \`cluster-cost-vs-load.svg\` (the bottleneck's CPU per command against throughput).`, '');
    out.push(curvesTable(r), '');
  }
  out.push(...steadySection(r));
  out.push(...ruleSection(r));
  out.push(...profileSection(r));

  out.push('## CPU per command by role and node', '');
  out.push("Each node's CPU time (user + system of its process, from its /metrics) over the measured window, divided by the commands answered in it; medians over the main windows. For a partitioned or decoupled role, the costliest node is the one that bounds the role. Per-node columns are means over the role's nodes. Data frames are the protocol's frames (acks and hellos not counted); wake-ups are the process's voluntary context switches (it blocked waiting for input), preemptions its involuntary ones (/proc/<pid>/status). Plots: `cluster-nodes-per-message.svg`, `cluster-nodes.svg` (every node).");
  for (const s of r.summaries) out.push('', `### ${s.name}, ${framesLabel(s.frames)} (${s.nodes} nodes)`, '', perRoleTable(s));
  out.push('');

  out.push('## What limits the numbers on this machine', '');
  out.push(...limitsSection(r), '');

  out.push('## Every window', '');
  out.push("In the order they ran (the profiled ones last); cluster = which cluster (one per configuration and frames setting) and which of its windows. Timeouts and duplicate, late (after their request timed out) and unexpected replies come from the window's clients; dropped sends and retransmitted frames from the nodes' /metrics over the measured window (a window's dropped sends are replies to the clients of the load before it, answered after those clients closed). Cores: CPU time / wall time over the measured window, of all nodes together (/proc/<pid>), of the bench process (the clients), and of the whole machine (/proc/stat).", '');
  out.push(runsTable([...r.runs, ...r.profiles.map((p) => p.run)], names), '');
  for (const note of r.notes) out.push(`* ${note}`);
  return `${out.join('\n').trimEnd()}\n`;
}

/** The results with everything derived from the windows and profiles computed again (the code may have changed since the run). */
export function rederive(r: ClusterBenchResults): ClusterBenchResults {
  const nodes = new Map(r.deployments.map((d) => [d.name, d.nodes]));
  const summaries = r.configs.map((c) => summarise(c, r.runs.filter((x) => x.config === c.key && x.kind === 'main'), nodes.get(c.name) ?? NaN));
  const fs = factors(summaries, r.runs);
  return { ...r, summaries, factors: fs, batching: batching(summaries), curves: latencyCurves(r.runs, r.configs), shortfalls: shortfalls(fs, summaries, r.ruleProfiles, r.profiles) };
}

async function main(): Promise<void> {
  const path = process.argv[2] ?? 'bench/results/cluster.json';
  const results = rederive(JSON.parse(readFileSync(path, 'utf8')) as ClusterBenchResults);
  const dir = dirname(path);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'cluster.md'), renderClusterReport(results));
  const plots = await writeClusterPlots(results, dir);
  process.stderr.write(`wrote ${join(dir, 'cluster.md')} and ${plots.join(', ')} (${n(results.runs.length)} windows)\n`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
