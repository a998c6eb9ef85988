// From the cluster benchmark's measured windows to what the report states: per configuration
// the medians (bottleneck cost, bound, throughput, latency, every node's cost); per protocol and
// frames setting the scaling factor base / scalable bottleneck beside the paper's; per plan the
// cost of per-message frames against per-tick; per configuration the Figure 7 curve
// (throughput and latency as clients grow); per factor short of the paper's, the bottleneck
// node, its frames, rule and CPU profile. Only windows that completed without error count.

import { paper, protocols, plans, framesSettings, type ClusterConfig } from './cluster-configs.js';
import type { BatchingRow, ConfigSummary, CoreUse, Factor, LatencyCurve, NodeRun, ProfileRun, RunRecord, Shortfall, Spread } from './cluster-results.js';
import type { RuleProfileRun } from './rule-profile.js';
import { med, round } from './harness.js';

export function spread(xs: readonly number[]): Spread {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length ? { median: round(med(ok), 2), min: round(Math.min(...ok), 2), max: round(Math.max(...ok), 2) } : { median: NaN, min: NaN, max: NaN };
}

export const good = (r: RunRecord): boolean => !r.error && r.completed > 0;

export function summarise(config: ClusterConfig, runs: readonly RunRecord[], nodes: number): ConfigSummary {
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

/** Ratios of config a's to config b's value per repetition (both main windows good), for the spread of a factor. */
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

const find = (summaries: readonly ConfigSummary[], p: Partial<ConfigSummary>) =>
  summaries.find((s) => s.runs > 0 && (Object.keys(p) as (keyof ConfigSummary)[]).every((k) => s[k] === p[k]));

export function factors(summaries: readonly ConfigSummary[], runs: readonly RunRecord[]): Factor[] {
  return protocols.flatMap((protocol) =>
    framesSettings.flatMap((frames) => {
      const base = find(summaries, { protocol, plan: 'base', frames });
      const scalable = find(summaries, { protocol, plan: 'scalable', frames });
      if (!base || !scalable) return [];
      const factor = round(base.bottleneckMicros.median / scalable.bottleneckMicros.median, 3);
      return [
        {
          protocol,
          frames,
          base: base.config,
          scalable: scalable.config,
          baseNodes: base.nodes,
          scalableNodes: scalable.nodes,
          baseBottleneck: base.bottlenecks[0]?.name ?? '',
          scalableBottleneck: scalable.bottlenecks[0]?.name ?? '',
          baseBottleneckMicros: base.bottleneckMicros.median,
          scalableBottleneckMicros: scalable.bottleneckMicros.median,
          factor,
          perRepetition: perRepetition(runs, base.config, scalable.config, (r) => r.bottleneck.cpuMicrosPerCommand),
          paper: { factor: paper[protocol].factor, text: paper[protocol].text },
          reached: factor >= paper[protocol].factor,
          baseBound: base.bound,
          scalableBound: scalable.bound,
          totalCpuRatio: round(scalable.totalCpuMicrosPerCommand.median / base.totalCpuMicrosPerCommand.median, 3),
          throughputRatio: round(scalable.throughput.median / base.throughput.median, 3),
          baseCommandsPerTick: base.bottleneckCommandsPerTick.median,
          scalableCommandsPerTick: scalable.bottleneckCommandsPerTick.median,
        },
      ];
    }),
  );
}

export function batching(summaries: readonly ConfigSummary[]): BatchingRow[] {
  return protocols.flatMap((protocol) =>
    plans.flatMap((plan) => {
      const tick = find(summaries, { protocol, plan, frames: 'per-tick' });
      const message = find(summaries, { protocol, plan, frames: 'per-message' });
      if (!tick || !message) return [];
      return [
        {
          protocol,
          plan,
          name: tick.name,
          tick: tick.config,
          message: message.config,
          tickBottleneckMicros: tick.bottleneckMicros.median,
          messageBottleneckMicros: message.bottleneckMicros.median,
          costRatio: round(message.bottleneckMicros.median / tick.bottleneckMicros.median, 3),
          tickThroughput: tick.throughput.median,
          messageThroughput: message.throughput.median,
          throughputRatio: round(tick.throughput.median / message.throughput.median, 3),
          tickFramesPerCommand: tick.framesOutPerCommand.median,
          messageFramesPerCommand: message.framesOutPerCommand.median,
          tickTotalCpu: tick.totalCpuMicrosPerCommand.median,
          messageTotalCpu: message.totalCpuMicrosPerCommand.median,
        },
      ];
    }),
  );
}

/** Per configuration with curve windows: each curve load's point (and the main load's median run), by outstanding commands. */
export function latencyCurves(runs: readonly RunRecord[], configs: readonly ClusterConfig[]): LatencyCurve[] {
  return configs.flatMap((c): LatencyCurve[] => {
      const mine = runs.filter((r) => r.config === c.key && good(r));
      const curve = mine.filter((r) => r.kind === 'curve');
      if (!curve.length) return [];
      const main = mine.filter((r) => r.kind === 'main').sort((a, b) => a.throughput - b.throughput);
      const middle = main[Math.floor((main.length - 1) / 2)];
      return [{
        protocol: c.protocol,
        plan: c.plan,
        config: c.key,
        name: c.name,
        points: [...curve, ...(middle ? [middle] : [])]
          .map((r) => ({
            clients: r.clients,
            window: r.window,
            kind: r.kind,
            throughput: r.throughput,
            p50Micros: r.latency.p50,
            p99Micros: r.latency.p99,
            bottleneckMicros: r.bottleneck.cpuMicrosPerCommand,
            bottleneck: r.bottleneck.name,
            commandsPerTick: r.bottleneck.commandsPerTick,
            totalCpuMicrosPerCommand: r.totalCpuMicrosPerCommand,
          }))
          .sort((a, b) => a.clients * a.window - b.clients * b.window),
      }];
    });
}

/** For each factor below the paper's: the scalable plan's bottleneck node, its hottest rule and where its CPU goes. */
export function shortfalls(fs: readonly Factor[], summaries: readonly ConfigSummary[], rules: readonly RuleProfileRun[], profiles: readonly ProfileRun[]): Shortfall[] {
  return fs
    .filter((f) => !f.reached)
    .map((f) => {
      const s = summaries.find((x) => x.config === f.scalable)!;
      const b = summaries.find((x) => x.config === f.base)!;
      const node = s.nodeCosts.find((n) => n.name === f.scalableBottleneck) ?? s.nodeCosts[0]!;
      const baseNode = b.nodeCosts.find((n) => n.name === f.baseBottleneck) ?? b.nodeCosts[0]!;
      const ruleNode = rules.find((r) => r.protocol === f.protocol && r.plan === 'scalable')?.nodes.find((n) => n.name === node.name);
      const hottest = ruleNode?.top[0];
      const v8 = profiles.find((p) => p.config === f.scalable && p.node === node.name)?.summary;
      const frames = (n: typeof node) => round(n.framesInPerCommand + n.framesOutPerCommand, 3);
      const perFrame = (n: typeof node) => round(n.cpuMicrosPerCommand / Math.max(1e-9, n.framesInPerCommand + n.framesOutPerCommand), 2);
      const wasm = v8?.categories.find((c) => c.category.startsWith('Wasm module'));
      return {
        protocol: f.protocol,
        frames: f.frames,
        factor: f.factor,
        paperFactor: paper[f.protocol].factor,
        config: f.scalable,
        name: s.name,
        node: node.name,
        role: node.role,
        cpuMicrosPerCommand: node.cpuMicrosPerCommand,
        framesPerCommand: frames(node),
        microsPerFrame: perFrame(node),
        base: { node: baseNode.name, cpuMicrosPerCommand: baseNode.cpuMicrosPerCommand, framesPerCommand: frames(baseNode), microsPerFrame: perFrame(baseNode) },
        frameFactor: round(frames(baseNode) / frames(node), 2),
        ...(v8 ? { wasmShare: round(wasm?.share ?? 0, 3) } : {}),
        ...(hottest ? { rule: { label: hottest.label, text: hottest.text, share: hottest.share, microsPerCommand: hottest.microsPerCommand } } : {}),
        ...(ruleNode ? { rulesMicrosPerCommand: ruleNode.rulesMicrosPerCommand } : {}),
        ...(v8 ? { cpu: v8.categories.slice(0, 6).map((c) => ({ category: c.category, share: round(c.share, 3) })) } : {}),
      };
    });
}
