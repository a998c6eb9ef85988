// The Figure 10 bench programs (bench/programs/micro-*.ded, run by bench/run-micro-bench.ts):
// each plan applies; the rewritten program gives clients what the original gives over 20 seeds,
// and every reply carries the value its CPU-heavy steps must compute; and the `rounds` calls,
// the benchmark's stand-in for AES, sit where the benchmark needs them: on the node the rewrite
// splits (twice per request for the decouplings, whose two parts then get one each), or on the
// replica that becomes two partitions.
//
// The deployment files give each step 100,000 or 200,000 rounds, for the cluster benchmark;
// here `work` is 300 rounds, so that the interpreter on both sides of 20 seeds stays fast.
// Lighter workload too (2 clients, 5 requests each), as in micro-plans.test.ts.

import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Cluster } from '../../compiler/deploy/resolve-deployment.js';
import { builtins } from '../../compiler/values/builtins.js';
import type { Value } from '../../compiler/values/value.js';
import type { SimResult } from '../../sim/simulator.js';
import { clusterFor, divergences, rewriteFile } from '../support/rewrite.js';

const SEEDS = 20;
const K = 300n;
const DIR = 'bench/programs/';

const call = (name: string, ...args: Value[]) => builtins.get(name)!.apply(args);
const rounds = (v: Value) => call('rounds', v, K)!;

interface Case {
  readonly name: string;
  /** The role whose `rounds` calls the rewrite spreads, and how many calls each role has after it. */
  readonly split: string;
  readonly before: Readonly<Record<string, number>>;
  readonly after: Readonly<Record<string, number>>;
  /** Nodes of the split role before and after (a partitioning doubles them). */
  readonly nodes: readonly [number, number];
  /** What the reply's `sealed` column must be, from its columns. */
  readonly sealed: (row: ReadonlyMap<string, Value>) => Value;
  /** Further checks of a reply. */
  readonly check?: (row: ReadonlyMap<string, Value>) => boolean;
}

const payload = (row: ReadonlyMap<string, Value>) => row.get('payload')!;
const cases: readonly Case[] = [
  { name: 'decouple', split: 'leader', before: { leader: 2, replica: 0 }, after: { leader: 1, collector: 1, replica: 0 }, nodes: [1, 1], sealed: (r) => rounds(rounds(payload(r))) },
  { name: 'monotonic', split: 'leader', before: { leader: 2, replica: 0 }, after: { leader: 1, collector: 1, replica: 0 }, nodes: [1, 1], sealed: (r) => rounds(rounds(payload(r))) },
  { name: 'functional', split: 'leader', before: { leader: 2 }, after: { leader: 1, encoder: 1 }, nodes: [1, 1], sealed: (r) => rounds(call('hash', r.get('id')!, rounds(payload(r)))!) },
  { name: 'partition', split: 'replica', before: { leader: 0, replica: 1 }, after: { leader: 0, replica: 1 }, nodes: [1, 2], sealed: (r) => rounds(payload(r)) },
  {
    name: 'dependencies',
    split: 'replica',
    before: { leader: 0, replica: 1 },
    after: { leader: 0, replica: 1 },
    nodes: [1, 2],
    sealed: (r) => rounds(payload(r)),
    check: (r) => r.get('bucket') === call('hash', payload(r)),
  },
  { name: 'partial', split: 'replica', before: { leader: 0, replica: 1 }, after: { leader: 0, replica: 1, coordinator: 0 }, nodes: [1, 2], sealed: (r) => rounds(payload(r)) },
];

/** `rounds(` calls in each role's rules. */
function roundsPerRole(a: Analysis): Record<string, number> {
  const out: Record<string, number> = {};
  for (const role of a.roles) out[role.name] = role.rules.reduce((n, id) => n + (a.rules[id]!.text.match(/\brounds\(/g)?.length ?? 0), 0);
  return out;
}

function replyProblems(result: SimResult, analysis: Analysis, cluster: Cluster, c: Case): string[] {
  const out: string[] = [];
  for (const e of result.events) {
    if (e.kind !== 'reply') continue;
    const columns = analysis.relations.get(e.relation)!.columns;
    const row = new Map(e.row.map((v, i) => [columns[i]!.name ?? `#${i}`, v]));
    const client = /^client\[(\d+)\]$/.exec(cluster.names.get(e.client)!)![1]!;
    const shown = [...row].map(([k, v]) => `${k}: ${String(v)}`).join(', ');
    if (payload(row) !== `cmd-${client}-${row.get('id')}`) out.push(`wrong payload: ${shown}`);
    if (row.get('sealed') !== c.sealed(row)) out.push(`wrong sealed value: ${shown}`);
    if (c.check && !c.check(row)) out.push(`wrong reply: ${shown}`);
  }
  return out;
}

describe('Figure 10 bench programs', () => {
  for (const c of cases) {
    const program = `${DIR}micro-${c.name}.ded`;
    const plan = `${DIR}micro-${c.name}.plan.json`;
    const rewritten = rewriteFile(program, plan, { workload: { clients: 2, requests: 5 }, statics: { work: [[Number(K)]] } });

    it(`${plan} applies, and spreads the CPU-heavy work of ${c.split}`, () => {
      expect(rewritten.codes).toEqual([]);
      const out = rewritten.result.result!;
      expect(roundsPerRole(rewritten.analysis)).toEqual(c.before);
      expect(roundsPerRole(out.analysis)).toEqual(c.after);
      const count = (cluster: Cluster) => cluster.nodes.filter((nd) => nd.role === c.split).length;
      expect([count(clusterFor(rewritten.analysis, rewritten.deployment)), count(out.cluster)]).toEqual(c.nodes);
    });

    it(`${plan} keeps client-visible outputs over ${SEEDS} seeds, with the right encrypted values`, () => {
      const { verdicts, bad } = divergences(rewritten, SEEDS);
      expect(bad).toEqual([]);
      expect(verdicts).toHaveLength(SEEDS);
      const original = { analysis: rewritten.analysis, cluster: clusterFor(rewritten.analysis, rewritten.deployment) };
      const after = rewritten.result.result!;
      const wrong = verdicts.flatMap((v) => [
        ...replyProblems(v.original, original.analysis, original.cluster, c).map((p) => `seed ${v.seed}, original: ${p}`),
        ...replyProblems(v.rewritten, after.analysis, after.cluster, c).map((p) => `seed ${v.seed}, rewritten: ${p}`),
      ]);
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(verdicts.every((v) => v.original.events.some((e) => e.kind === 'reply'))).toBe(true);
    });
  }
});
