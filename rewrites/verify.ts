// Verification by simulation: run the original and the rewritten program on the same client
// workload and seed, under random delays and reordering, and compare what clients can see: the
// replies they receive and the `.output` facts. Addresses are compared by node name (a
// partition stands for its instance), since a rewrite inserts roles and shifts addresses.
// For the programs here the sets must be equal once the runs are quiescent. A relation that the
// original's deployment lists under `verify.compare` is compared instead as the multiset of its
// facts projected onto the listed columns (for replies whose values legitimately depend on the
// order in which requests arrive, such as which of several duplicates is "first").

import type { Analysis } from '../compiler/analyze/analysis.js';
import type { Cluster } from '../compiler/deploy/resolve-deployment.js';
import type { SimSettings } from '../compiler/deploy/deployment.js';
import { simulate, type SimResult } from '../sim/simulator.js';
import { formatFact, formatValue } from '../sim/trace.js';
import type { Row } from '../compiler/values/value.js';

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

/** Relation to the names of the columns it is compared by; relations not listed are compared exactly. */
export type Projections = ReadonlyMap<string, readonly string[]>;

/** A multiset of client-visible facts, each written as text, with its multiplicity. */
export type Visible = ReadonlyMap<string, number>;

export function verify(original: Side, rewritten: Side, options: VerifyOptions): SeedVerdict[] {
  const verdicts: SeedVerdict[] = [];
  // The original's deployment says how to compare; the rewrite copies it, so the rewritten
  // program must have the same relations and columns.
  const projections: Projections = original.cluster.verify?.compare ?? new Map();
  const mismatch = projectionProblems(projections, rewritten);
  for (const seed of options.seeds) {
    const a = simulate(original.analysis, original.cluster, { seed, ...(options.overrides ? { overrides: options.overrides } : {}) });
    const b = simulate(rewritten.analysis, rewritten.cluster, { seed, ...(options.overrides ? { overrides: options.overrides } : {}) });
    const { missing, extra } = compareVisible(visible(a, original, projections), visible(b, rewritten, projections));
    const problems = [...mismatch, ...runProblems(a, 'original'), ...runProblems(b, 'rewritten')];
    const verdict: SeedVerdict = { seed, ok: !missing.length && !extra.length && !problems.length, missing, extra, problems, original: a, rewritten: b };
    verdicts.push(verdict);
    options.onSeed?.(verdict);
    if (!verdict.ok && options.stopAtFirst) break;
  }
  return verdicts;
}

/**
 * The facts clients can see, with addresses written as instance names: each distinct reply
 * (`client[0] <- clientOut(1, "a")`) and each distinct `.output` fact (`output done(1)`) once.
 * A relation in `projections` is written instead as its projection onto the named columns
 * (`any client <- clientOut(payload: "a", verdict: "first")`, `output done(n: 1)`), counted once
 * per distinct fact it comes from, so the replies to two clients that differ only in the
 * addressee or in a column left out count twice.
 */
export function visible(result: SimResult, side: Side, projections: Projections = new Map()): Map<string, number> {
  const names = new Map([...side.cluster.names].map(([a, n]) => [a, n.replace(/(\[\d+\])\.\d+$/, '$1')]));
  const ctx = { relations: side.analysis.relations, names };
  const exact = new Map<string, { relation: string; row: Row; reply: boolean }>();
  for (const e of result.events) {
    if (e.kind === 'reply') exact.set(`${names.get(e.client)} <- ${formatFact(e.relation, e.row, ctx)}`, { relation: e.relation, row: e.row, reply: true });
    else if (e.kind === 'output') exact.set(`output ${formatFact(e.relation, e.row, ctx)}`, { relation: e.relation, row: e.row, reply: false });
  }
  const out = new Map<string, number>();
  for (const [text, fact] of exact) {
    const columns = projections.get(fact.relation);
    const key = columns ? projected(fact.relation, fact.row, fact.reply, columns, side, names) : text;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function projected(relation: string, row: Row, reply: boolean, columns: readonly string[], side: Side, names: ReadonlyMap<bigint, string>): string {
  const info = side.analysis.relations.get(relation)?.columns ?? [];
  const cells = columns.map((name) => {
    const i = info.findIndex((c) => c.name === name);
    return `${name}: ${i < 0 || i >= row.length ? '?' : formatValue(row[i]!, info[i]!.type === 'addr', names)}`;
  });
  return `${reply ? 'any client <- ' : 'output '}${relation}(${cells.join(', ')})`;
}

/**
 * What only `a` has and what only `b` has, sorted. A fact that both have, but not equally often
 * (only possible for projected relations), is listed with both counts.
 */
export function compareVisible(a: Visible, b: Visible): { missing: string[]; extra: string[] } {
  const missing: string[] = [];
  const extra: string[] = [];
  const note = (fact: string, na: number, nb: number) => (na === 1 && nb === 0) || (na === 0 && nb === 1) ? fact : `${fact} (${na} in the original, ${nb} in the rewritten run)`;
  for (const [fact, na] of a) {
    const nb = b.get(fact) ?? 0;
    if (na > nb) missing.push(note(fact, na, nb));
  }
  for (const [fact, nb] of b) {
    const na = a.get(fact) ?? 0;
    if (nb > na) extra.push(note(fact, na, nb));
  }
  return { missing: missing.sort(), extra: extra.sort() };
}

/** Relations or columns of the comparison that the rewritten program lacks. */
function projectionProblems(projections: Projections, side: Side): string[] {
  const out: string[] = [];
  for (const [relation, columns] of projections) {
    const info = side.analysis.relations.get(relation);
    if (!info) out.push(`the rewritten program has no relation \`${relation}\` to compare`);
    else for (const c of columns) if (!info.columns.some((col) => col.name === c)) out.push(`the rewritten program's \`${relation}\` has no column \`${c}\` to compare`);
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
