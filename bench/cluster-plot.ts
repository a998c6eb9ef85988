// SVG plots of the cluster benchmark (run-cluster-bench.ts), with plot.ts's Vega-Lite renderer:
// every node's CPU per command in each configuration (the paper's bottleneck view), the
// scaling factors beside the paper's, batched against unbatched frames, throughput against
// latency as clients grow (the paper's Figure 7), the bottleneck's cost against throughput, and
// the steady-state run (replies per second, the bottleneck's memory over time).

import type { TopLevelSpec } from 'vega-lite';
import { base, nodeCostsSpec, writeSvgs } from './plot.js';
import { protocolNames } from './cluster-configs.js';
import type { ClusterBenchResults } from './cluster-results.js';

const subtitle = (r: ClusterBenchResults) => `${r.load.clients} clients x window ${r.load.window}, medians of ${r.load.repetitions[r.mainFrames]} windows (${r.mainFrames}); ${r.machine.cpu}, ${r.machine.cores} cores, ${r.date.slice(0, 10)}`;

function nodesSpec(r: ClusterBenchResults, frames: 'per-tick' | 'per-message'): TopLevelSpec | undefined {
  const summaries = r.summaries.filter((s) => s.frames === frames && s.runs);
  if (!summaries.length) return undefined;
  return nodeCostsSpec({
    title: `CPU per command at every node (${frames === 'per-tick' ? 'per-tick frames' : 'per-message frames'})`,
    subtitle: [`the longest bar is the bottleneck; bound = 1e6 / its µs with a core per node; whiskers: min - max over runs`, subtitle(r)],
    configs: summaries.map((s) => ({ label: `${s.name} (${s.nodes} nodes): bottleneck ${s.bottleneckMicros.median.toFixed(1)} µs/command, bound ${Math.round(s.bound).toLocaleString('en-US')}/s`, nodeCosts: s.nodeCosts })),
    digits: 1,
    legendColumns: 4,
  });
}

function factorSpec(r: ClusterBenchResults): TopLevelSpec | undefined {
  if (!r.factors.length) return undefined;
  const values = r.factors.flatMap((x) => {
    const protocol = protocolNames[x.protocol];
    return [
      { protocol, what: `measured here, ${x.frames} (median; whiskers: each repetition)`, factor: x.factor, min: Math.min(...x.perRepetition, x.factor), max: Math.max(...x.perRepetition, x.factor), label: `${x.factor.toFixed(2)}x` },
      ...(x.frames === r.mainFrames ? [{ protocol, what: 'paper: scalable / base throughput', factor: x.paper.factor, min: x.paper.factor, max: x.paper.factor, label: `${x.paper.factor}x` }] : []),
    ];
  });
  const order = [...new Set(values.map((v) => v.what))].sort((a, b) => Number(a.startsWith('paper')) - Number(b.startsWith('paper')) || Number(b.includes(r.mainFrames)) - Number(a.includes(r.mainFrames)));
  return {
    ...base,
    title: { text: 'Scaling factor of the rewrites: base / scalable bottleneck CPU per command, against the paper', subtitle: ["measured: the factor between the bounds (1 = no gain), at the paper's machine counts; paper: Chu et al., one machine per node", subtitle(r)] },
    data: { values },
    width: { step: 60 },
    height: 260,
    encoding: { x: { field: 'protocol', type: 'nominal', title: null, sort: Object.values(protocolNames), axis: { labelAngle: 0, labelLimit: 200 } }, xOffset: { field: 'what', sort: order } },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'factor', type: 'quantitative', title: 'factor (x)' }, color: { field: 'what', type: 'nominal', sort: order, scale: { domain: order, range: order.map((w) => (w.startsWith('paper') ? '#9e9e9e' : w.includes(r.mainFrames) ? '#3366cc' : '#7fa6e8')) }, legend: { orient: 'top', direction: 'vertical', title: null, labelLimit: 600 } } } },
      { mark: { type: 'rule', color: '#333' }, encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
      { mark: { type: 'text', dy: -8, fontWeight: 'bold', fontSize: 10 }, encoding: { y: { field: 'max', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  } as TopLevelSpec;
}

function batchingSpec(r: ClusterBenchResults): TopLevelSpec | undefined {
  if (!r.batching.length) return undefined;
  const configs = r.batching.map((b) => b.name);
  const cost = r.batching.flatMap((b) => [
    { config: b.name, frames: 'per-tick (batched)', value: b.tickBottleneckMicros, label: '' },
    { config: b.name, frames: 'per-message', value: b.messageBottleneckMicros, label: `${b.costRatio.toFixed(2)}x` },
  ]);
  const throughput = r.batching.flatMap((b) => [
    { config: b.name, frames: 'per-tick (batched)', value: b.tickThroughput, label: '' },
    { config: b.name, frames: 'per-message', value: b.messageThroughput, label: `${(1 / b.throughputRatio).toFixed(2)}x` },
  ]);
  const panel = (values: typeof cost, title: string) => ({
    data: { values },
    width: { step: 40 },
    height: 240,
    encoding: { x: { field: 'config', type: 'nominal', title: null, sort: configs, axis: { labelAngle: 0 } }, xOffset: { field: 'frames', sort: ['per-tick (batched)', 'per-message'] } },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'value', type: 'quantitative', title }, color: { field: 'frames', type: 'nominal', sort: ['per-tick (batched)', 'per-message'], scale: { range: ['#3366cc', '#dc3912'] }, legend: { orient: 'top', title: null } } } },
      { mark: { type: 'text', dy: -7, fontWeight: 'bold', fontSize: 10 }, encoding: { y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  });
  return {
    ...base,
    title: { text: 'Batched (one frame per destination per tick) against one frame per message', subtitle: ["left: the bottleneck node's CPU per command; right: loopback throughput on this machine", 'labels: per-message / per-tick', subtitle(r)] },
    hconcat: [panel(cost, 'bottleneck CPU µs per command'), panel(throughput, 'loopback commands/s (2 cores, shared)')],
  } as TopLevelSpec;
}

/** Figure 7 of the paper: throughput (x) against median latency (y), one line per configuration, a point per load. */
function latencySpec(r: ClusterBenchResults): TopLevelSpec | undefined {
  if (!r.curves.length) return undefined;
  const values = r.curves.flatMap((c) =>
    c.points.map((p) => ({ series: c.name, protocol: protocolNames[c.protocol], plan: c.plan, throughput: p.throughput, latency: p.p50Micros / 1000, load: p.kind === 'main' ? `${p.clients}x${p.window}` : `${p.clients}`, outstanding: p.clients * p.window })),
  );
  return {
    ...base,
    title: { text: 'Throughput against latency as clients grow (like the paper\'s Figure 7)', subtitle: [`${r.load.curve.frames} frames; points: ${r.load.curve.clients.join(', ')} clients x window ${r.load.curve.window}, and the main load (${r.load.clients}x${r.load.window}); loopback, every node on 2 shared cores`, `${r.machine.cpu}, ${r.machine.cores} cores, ${r.date.slice(0, 10)}`] },
    data: { values },
    width: 520,
    height: 320,
    encoding: {
      x: { field: 'throughput', type: 'quantitative', title: 'throughput (commands/s, loopback)' },
      y: { field: 'latency', type: 'quantitative', scale: { type: 'log' }, title: 'median latency (ms, log scale)' },
      color: { field: 'protocol', type: 'nominal', sort: Object.values(protocolNames), legend: { orient: 'top', title: null } },
      strokeDash: { field: 'plan', type: 'nominal', sort: ['base', 'scalable'], legend: { orient: 'top', title: null, symbolType: 'stroke', symbolStrokeWidth: 2 } },
      detail: { field: 'series' },
    },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { order: { field: 'outstanding', type: 'quantitative' } } },
      { mark: { type: 'text', dx: 6, dy: -8, fontSize: 9, align: 'left' }, encoding: { text: { field: 'load' } } },
    ],
  } as TopLevelSpec;
}

function costCurveSpec(r: ClusterBenchResults): TopLevelSpec | undefined {
  if (!r.curves.length) return undefined;
  const values = r.curves.flatMap((c) => c.points.map((p) => ({ series: c.name, throughput: p.throughput, micros: p.bottleneckMicros, load: `${p.clients}x${p.window}`, outstanding: p.clients * p.window })));
  return {
    ...base,
    title: { text: `The bottleneck's CPU per command against throughput (${r.load.curve.frames} frames)`, subtitle: ['each point one window, labelled with its load (clients x window); log scales', subtitle(r)] },
    data: { values },
    width: 460,
    height: 300,
    encoding: {
      x: { field: 'throughput', type: 'quantitative', scale: { type: 'log' }, title: 'loopback throughput (commands/s)' },
      y: { field: 'micros', type: 'quantitative', scale: { type: 'log' }, title: "bottleneck's CPU µs per command" },
      color: { field: 'series', type: 'nominal', legend: { orient: 'top', title: null, columns: 3 } },
    },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { order: { field: 'outstanding', type: 'quantitative' } } },
      { mark: { type: 'text', dx: 6, dy: -8, fontSize: 9, align: 'left' }, encoding: { text: { field: 'load' } } },
    ],
  } as TopLevelSpec;
}

/** The steady-state runs: replies per second (first and last edge seconds marked), and the bottleneck's memory over time. */
function steadySpec(r: ClusterBenchResults): TopLevelSpec | undefined {
  const runs = (r.steady ?? []).filter((s) => s.perSecond.length);
  if (!runs.length) return undefined;
  const rate = runs.flatMap((s) => s.perSecond.map((count, t) => ({ series: s.name, t: t + 0.5, count, edge: t < s.edgeSeconds || t >= s.perSecond.length - s.edgeSeconds ? 'first / last seconds' : 'middle' })));
  const memory = runs.flatMap((s) => {
    const i = s.nodeNames.indexOf(s.run.bottleneck.name);
    if (i < 0) return [];
    return s.samples.flatMap((x) => [
      { series: `${s.name} ${s.nodeNames[i]}: resident set`, t: x.t, mib: x.rss[i]! / 2 ** 20 },
      { series: `${s.name} ${s.nodeNames[i]}: Wasm memory`, t: x.t, mib: x.wasm[i]! / 2 ** 20 },
      { series: `${s.name}: durable logs on disk, all nodes`, t: x.t, mib: x.log.reduce((a, b) => a + b, 0) / 2 ** 20 },
    ]);
  });
  const ratios = runs.map((s) => `${s.name} ${s.ratio.toFixed(2)}x`).join(', ');
  return {
    ...base,
    title: { text: `Steady state: ${runs[0]!.seconds} s under the main load (${r.load.clients}x${r.load.window}, ${r.mainFrames})`, subtitle: [`left: replies per second (target: the last ${runs[0]!.edgeSeconds} s >= 0.9 x the first ${runs[0]!.edgeSeconds} s; measured ${ratios}); right: the bottleneck node's memory, and the durable logs`, `${r.machine.cpu}, ${r.machine.cores} cores, ${r.date.slice(0, 10)}`] },
    hconcat: [
      {
        data: { values: rate },
        width: 420,
        height: 240,
        mark: { type: 'line', point: { size: 14 } },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'seconds into the measured window' },
          y: { field: 'count', type: 'quantitative', title: 'replies per second' },
          color: { field: 'series', type: 'nominal', legend: { orient: 'top', title: null } },
        },
      },
      {
        data: { values: memory },
        width: 360,
        height: 240,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'seconds into the measured window' },
          y: { field: 'mib', type: 'quantitative', scale: { type: 'log' }, title: 'MiB (log scale)' },
          color: { field: 'series', type: 'nominal', legend: { orient: 'top', title: null, direction: 'vertical', labelLimit: 400 } },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Writes every plot the results allow into `dir`; returns the file names written. */
export async function writeClusterPlots(results: ClusterBenchResults, dir: string): Promise<string[]> {
  const plots: [string, TopLevelSpec | undefined][] = [
    ['cluster-nodes.svg', nodesSpec(results, 'per-tick')],
    ['cluster-nodes-per-message.svg', nodesSpec(results, 'per-message')],
    ['cluster-factors.svg', factorSpec(results)],
    ['cluster-batching.svg', batchingSpec(results)],
    ['cluster-latency.svg', latencySpec(results)],
    ['cluster-cost-vs-load.svg', costCurveSpec(results)],
    ['cluster-steady.svg', steadySpec(results)],
  ];
  return writeSvgs(plots, dir);
}
