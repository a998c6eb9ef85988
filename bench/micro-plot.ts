// SVG plots of the Figure 10 micro benchmark (run-micro-bench.ts), with plot.ts's Vega-Lite
// renderer: the factor of each rewrite as bars, like the paper's Figure 10, with the paper's
// values and the ideal 2x marked (`micro-factors.svg`); and every node's CPU per command in each
// configuration, base beside rewritten (`micro-nodes.svg`).

import type { TopLevelSpec } from 'vega-lite';
import { base, nodeCostsSpec, writeSvgs } from './plot.js';
import type { MicroBenchResults } from './run-micro-bench.js';

/** "2 x 100,000 rounds (functional, ...)" for each distinct amount of CPU-heavy work per request. */
function workText(r: MicroBenchResults): string {
  const groups = new Map<string, string[]>();
  for (const rw of r.rewrites) {
    const key = `${rw.steps} x ${(r.work[rw.key] ?? NaN).toLocaleString('en-US')}`;
    groups.set(key, [...(groups.get(key) ?? []), rw.key]);
  }
  return [...groups].map(([k, keys]) => `${k} rounds (${keys.join(', ')})`).join('; ');
}

const subtitle = (r: MicroBenchResults) =>
  `${r.load.clients} clients x window ${r.load.window}, medians of ${r.load.repetitions} window${r.load.repetitions > 1 ? 's' : ''}; ${r.machine.cpu}, ${r.machine.cores} cores, ${r.date.slice(0, 10)}`;

function factorSpec(r: MicroBenchResults): TopLevelSpec | undefined {
  if (!r.factors.length) return undefined;
  const order = r.factors.map((x) => x.name);
  const measured = 'measured here (whiskers: each window pair)';
  const paper = 'paper, Figure 10 (lighter: up to 1.94x)';
  const groups = [measured, paper];
  const x = { field: 'rewrite', type: 'nominal', title: null, sort: order, axis: { labelAngle: 0, labelLimit: 200, labelFontSize: 10, labelExpr: "split(datum.label, ' ')" } };
  const xOffset = { field: 'what', sort: groups };
  const color = { field: 'what', type: 'nominal', sort: groups, scale: { domain: groups, range: ['#3366cc', '#9e9e9e'] }, legend: { orient: 'top', direction: 'horizontal', title: null, labelLimit: 400 } };
  const bars = r.factors.flatMap((f) => [
    { rewrite: f.name, what: measured, value: f.factor, min: Math.min(f.factor, ...f.perRepetition), max: Math.max(f.factor, ...f.perRepetition), label: `${f.factor.toFixed(2)}x` },
    { rewrite: f.name, what: paper, value: f.paper.low, min: f.paper.high, max: f.paper.high, label: f.paper.low === f.paper.high ? `${f.paper.low}x` : `${f.paper.low}-${f.paper.high}x` },
  ]);
  const ranges = r.factors.filter((f) => f.paper.high > f.paper.low).map((f) => ({ rewrite: f.name, what: paper, low: f.paper.low, high: f.paper.high }));
  const top = Math.max(2.2, ...bars.map((b) => b.max + 0.2));
  const y = { type: 'quantitative', title: 'scaling factor (x)', scale: { domain: [0, top] } };
  return {
    ...base,
    title: {
      text: 'Figure 10: the gain of each rewrite on its own, against the paper',
      subtitle: ['measured: base / rewritten bottleneck CPU µs per command (the factor of the bounds); dashed: the ideal 2x', `work per request on the split node: ${workText(r)}`, subtitle(r)],
    },
    width: { step: 52 },
    height: 280,
    layer: [
      { data: { values: bars }, mark: 'bar', encoding: { x, xOffset, y: { ...y, field: 'value' }, color } },
      { data: { values: ranges }, mark: { type: 'bar', opacity: 0.4 }, encoding: { x, xOffset, y: { ...y, field: 'low' }, y2: { field: 'high' }, color } },
      { data: { values: bars.filter((b) => b.what === measured) }, mark: { type: 'rule', color: '#333' }, encoding: { x, xOffset, y: { ...y, field: 'min' }, y2: { field: 'max' } } },
      { data: { values: bars }, mark: { type: 'text', dy: -7, fontWeight: 'bold', fontSize: 9 }, encoding: { x, xOffset, y: { ...y, field: 'max' }, text: { field: 'label' } } },
      { data: { values: [{}] }, mark: { type: 'rule', color: '#dc3912', strokeDash: [6, 4] }, encoding: { y: { datum: 2, type: 'quantitative' } } },
      { data: { values: [{}] }, mark: { type: 'text', color: '#dc3912', align: 'right', dy: -6, x: 'width', fontSize: 10 }, encoding: { y: { datum: 2, type: 'quantitative' }, text: { value: 'ideal 2x' } } },
    ],
  } as TopLevelSpec;
}

function nodesSpec(r: MicroBenchResults): TopLevelSpec | undefined {
  const summaries = r.summaries.filter((s) => s.runs);
  if (!summaries.length) return undefined;
  const name = new Map(r.rewrites.map((x) => [x.key, x.rewrite]));
  return nodeCostsSpec({
    title: 'CPU per command at every node, base and rewritten',
    subtitle: ['the longest bar is the bottleneck; whiskers: min - max over runs', subtitle(r)],
    configs: summaries.map((s) => ({ label: `${name.get(s.rewrite) ?? s.rewrite}, ${s.plan} (${s.nodes} node${s.nodes === 1 ? '' : 's'}): bottleneck ${s.bottleneckMicros.median.toFixed(0)} µs`, nodeCosts: s.nodeCosts })),
    digits: 0,
    legendColumns: 5,
  });
}

/** Writes every plot the results allow into `dir`; returns the file names written. */
export async function writeMicroPlots(results: MicroBenchResults, dir: string): Promise<string[]> {
  return writeSvgs(
    [
      ['micro-factors.svg', factorSpec(results)],
      ['micro-nodes.svg', nodesSpec(results)],
    ],
    dir,
  );
}
