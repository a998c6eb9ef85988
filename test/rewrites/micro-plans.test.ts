// The rewrite microbenchmarks of paper §5.4 (protocols/micro/): every plan applies, and the
// rewritten program gives clients what the original gives over many seeds
// (DEDC_REWRITE_SEEDS, 200 by default; more in `npm run test:long`). Replies are compared
// exactly, or, for a relation the program's deployment lists under `verify.compare` (sm-dedup,
// whose "first" goes to whichever duplicate arrives first), as multisets of the listed columns.
//
// Each seed runs a lighter workload than the deployment files (2 clients, 5 requests each, the
// same window), so that 200 seeds of every plan fit in the test suite; `npm run test:long` runs
// more seeds.

import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Cluster } from '../../compiler/deploy/resolve-deployment.js';
import { builtins } from '../../compiler/values/builtins.js';
import type { Value } from '../../compiler/values/value.js';
import type { SimResult } from '../../sim/simulator.js';
import { clusterFor, rewriteFile, divergences, type Rewritten } from '../support/rewrite.js';

const SEEDS = Number(process.env['DEDC_REWRITE_SEEDS'] ?? 200);
const DIR = 'protocols/micro/';

/** The program a plan rewrites: `<name>.ded`, or, for `rset-decouple.plan.json`, the longest prefix that is a program (`rset.ded`). */
function programOf(plan: string): string {
  const parts = plan.replace(/\.plan\.json$/, '').split('-');
  for (let n = parts.length; n > 0; n--) {
    const candidate = `${DIR}${parts.slice(0, n).join('-')}.ded`;
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no program in ${DIR} for ${plan}`);
}

// Each protocol's own checker, run on both sides of every seed: what each reply must be, given
// the request it answers, as the program's header says (the workloads send "cmd-{client}-{seq}",
// or "cmd-{seq}" in sm-dedup). Programs not listed get the payload check only.

interface Reply {
  readonly client: string;
  /** The reply's columns by name. */
  readonly row: ReadonlyMap<string, Value>;
}

function repliesOf(result: SimResult, analysis: Analysis, cluster: Cluster): Reply[] {
  return result.events.flatMap((e) => {
    if (e.kind !== 'reply') return [];
    const columns = analysis.relations.get(e.relation)!.columns;
    return [{ client: cluster.names.get(e.client)!, row: new Map(e.row.map((v, i) => [columns[i]!.name ?? `#${i}`, v])) }];
  });
}

const call = (name: string, ...args: Value[]) => builtins.get(name)!.apply(args);
const clientIndex = (r: Reply) => /^client\[(\d+)\]$/.exec(r.client)![1]!;

/** Problems of one run; the default checks that every reply carries its request's payload. */
const checkers: Record<string, (replies: Reply[], result: SimResult) => string[]> = {
  'rset-functional': (replies) => [
    ...payloads(replies),
    ...replies.filter((r) => r.row.get('signature') !== call('hash', r.row.get('id')!, r.row.get('payload')!)).map((r) => `wrong signature: ${show(r)}`),
  ],
  'rset-dependencies': (replies) => [
    ...payloads(replies),
    ...replies.filter((r) => r.row.get('bucket') !== call('len', r.row.get('payload')!)).map((r) => `wrong bucket: ${show(r)}`),
  ],
  'asym-collect': (replies, result) => {
    const counts = new Set(result.events.flatMap((e) => (e.kind === 'output' && e.relation === 'completedCount' ? [Number(e.row[0])] : [])));
    const want = Array.from({ length: replies.length }, (_, i) => i + 1);
    return [...payloads(replies), ...(want.every((n) => counts.has(n)) && counts.size === want.length ? [] : [`completedCount shows ${[...counts].sort((a, b) => a - b).join(', ')}, not 1 to ${want.length}`])];
  },
  'rset-scan': (replies) => replies.filter((r) => r.row.get('entries') !== 3n).map((r) => `a scan did not find the 3 entries: ${show(r)}`),
  'sm-dedup': (replies) => {
    const out = replies.filter((r) => r.row.get('payload') !== `cmd-${r.row.get('id')}`).map((r) => `wrong payload: ${show(r)}`);
    const firsts = new Map<Value, number>();
    for (const r of replies) firsts.set(r.row.get('payload')!, (firsts.get(r.row.get('payload')!) ?? 0) + (r.row.get('verdict') === 'first' ? 1 : 0));
    for (const [payload, n] of firsts) if (n !== 1) out.push(`${String(payload)} got ${n} "first" replies`);
    out.push(...replies.filter((r) => r.row.get('verdict') !== 'first' && r.row.get('verdict') !== 'again').map((r) => `unknown verdict: ${show(r)}`));
    return out;
  },
};

/** Every reply that has a payload carries its request's payload. */
function payloads(replies: Reply[]): string[] {
  return replies.filter((r) => r.row.has('payload') && r.row.get('payload') !== `cmd-${clientIndex(r)}-${r.row.get('id')}`).map((r) => `wrong payload: ${show(r)}`);
}

function show(r: Reply): string {
  return `${r.client} <- (${[...r.row].map(([k, v]) => `${k}: ${String(v)}`).join(', ')})`;
}

interface Case {
  readonly plan: string;
  readonly program: string;
  readonly rewritten: Rewritten;
}

const cases: Case[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.plan.json'))
  .sort()
  .map((f) => {
    const plan = `${DIR}${f}`;
    const program = programOf(f);
    const rewritten = rewriteFile(program, plan, { workload: { clients: 2, requests: 5 } });
    return { plan, program, rewritten };
  });

describe('micro plans', () => {
  it('cover every plan of protocols/micro', () => {
    expect(cases.length).toBeGreaterThanOrEqual(9);
  });

  for (const c of cases) {
    it(`${c.plan} applies to ${c.program}`, () => {
      expect(c.rewritten.codes).toEqual([]);
      expect(c.rewritten.result.result).toBeDefined();
    });

    it(`${c.plan} keeps client-visible outputs over ${SEEDS} seeds`, () => {
      if (c.rewritten.codes.length) throw new Error(`the rewrite failed: ${c.rewritten.codes.join('; ')}`);
      const { verdicts, bad } = divergences(c.rewritten, SEEDS);
      expect(bad).toEqual([]);
      expect(verdicts).toHaveLength(SEEDS);
      const check = checkers[basename(c.program, '.ded')] ?? payloads;
      const original = { analysis: c.rewritten.analysis, cluster: clusterFor(c.rewritten.analysis, c.rewritten.deployment) };
      const rewritten = c.rewritten.result.result!;
      const wrong = verdicts.flatMap((v) => [
        ...check(repliesOf(v.original, original.analysis, original.cluster), v.original).map((p) => `seed ${v.seed}, original: ${p}`),
        ...check(repliesOf(v.rewritten, rewritten.analysis, rewritten.cluster), v.rewritten).map((p) => `seed ${v.seed}, rewritten: ${p}`),
      ]);
      expect(wrong.slice(0, 5)).toEqual([]);
      // 200 seeds of rset-scan's 13 nodes take about a minute alone, more on a shared machine.
    }, 600_000);
  }
});
