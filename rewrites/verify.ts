// Verification by simulation: run the original and the rewritten program on the same client
// workload and seed, under random delays and reordering, and compare what clients can see: the
// replies they receive and the `.output` facts. Addresses are compared by node name (a
// partition stands for its instance), since a rewrite inserts roles and shifts addresses.
// For the programs here the sets must be equal once the runs are quiescent.

import type { Analysis } from '../compiler/analyze/analysis.js';
import type { Cluster } from '../compiler/deploy/resolve-deployment.js';
import type { SimSettings } from '../compiler/deploy/deployment.js';
import { simulate, type SimResult } from '../sim/simulator.js';
import { formatFact } from '../sim/trace.js';

export interface Side {
  readonly analysis: Analysis;
  readonly cluster: Cluster;
}

export interface SeedVerdict {
  readonly seed: number;
  readonly ok: boolean;
  /** Client-visible facts only the original produced, and only the rewritten program. */
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  /** Problems other than output differences: unanswered requests, duplicate replies, runs that did not finish. */
  readonly problems: readonly string[];
  readonly original: SimResult;
  readonly rewritten: SimResult;
}

export interface VerifyOptions {
  readonly seeds: readonly number[];
  readonly overrides?: Partial<SimSettings>;
  /** Called after each seed, for progress. */
  readonly onSeed?: (verdict: SeedVerdict) => void;
  /** Stop at the first seed that diverges. */
  readonly stopAtFirst?: boolean;
}

export function verify(original: Side, rewritten: Side, options: VerifyOptions): SeedVerdict[] {
  const verdicts: SeedVerdict[] = [];
  for (const seed of options.seeds) {
    const a = simulate(original.analysis, original.cluster, { seed, ...(options.overrides ? { overrides: options.overrides } : {}) });
    const b = simulate(rewritten.analysis, rewritten.cluster, { seed, ...(options.overrides ? { overrides: options.overrides } : {}) });
    const fa = visible(a, original);
    const fb = visible(b, rewritten);
    const missing = [...fa].filter((f) => !fb.has(f)).sort();
    const extra = [...fb].filter((f) => !fa.has(f)).sort();
    const problems = [...runProblems(a, 'original'), ...runProblems(b, 'rewritten')];
    const verdict: SeedVerdict = { seed, ok: !missing.length && !extra.length && !problems.length, missing, extra, problems, original: a, rewritten: b };
    verdicts.push(verdict);
    options.onSeed?.(verdict);
    if (!verdict.ok && options.stopAtFirst) break;
  }
  return verdicts;
}

/** The facts clients can see, with addresses written as instance names. */
export function visible(result: SimResult, side: Side): Set<string> {
  const names = new Map([...side.cluster.names].map(([a, n]) => [a, n.replace(/(\[\d+\])\.\d+$/, '$1')]));
  const ctx = { relations: side.analysis.relations, names };
  const out = new Set<string>();
  for (const e of result.events) {
    if (e.kind === 'reply') out.add(`${names.get(e.client)} <- ${formatFact(e.relation, e.row, ctx)}`);
    else if (e.kind === 'output') out.add(`output ${formatFact(e.relation, e.row, ctx)}`);
  }
  return out;
}

function runProblems(r: SimResult, which: string): string[] {
  const out: string[] = [];
  if (r.end.reason !== 'quiescent' && r.clients.some((c) => c.completed < c.sent || c.sent === 0)) out.push(`the ${which} run ended by ${r.end.reason} before every request was answered`);
  const unanswered = r.clients.reduce((n, c) => n + (c.sent - c.completed), 0);
  const duplicates = r.clients.reduce((n, c) => n + c.duplicates + c.unexpected, 0);
  if (unanswered) out.push(`${unanswered} request(s) of the ${which} run got no reply`);
  if (duplicates) out.push(`${duplicates} duplicate or unexpected repl${duplicates === 1 ? 'y' : 'ies'} in the ${which} run`);
  for (const e of r.events) if (e.kind === 'fault') out.push(`the ${which} run had a node fault: ${e.message}`);
  return out;
}
