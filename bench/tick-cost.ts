// The cost of a 1-tuple tick: push one fact, tick, take the outputs, on small roles (an echo,
// the voting participant). Measured through the NodeEngine interface (rows in, decoded rows out)
// and through the raw-records path a host uses (wire bytes in with pushRecords, the output's
// wire bytes out with outputBytes), in ns per tick: the median of several runs after warm-up.

import type { Analysis } from '../compiler/analyze/analysis.js';
import type { Row } from '../compiler/values/value.js';
import type { Batch, NodeEngine, NodeSpec } from '../engine/node-engine.js';
import type { CompiledProgram } from '../engine/wasm/compile-program.js';
import { decodeRecords, encodeRecord, RecordKind } from '../engine/wasm/records.js';
import {
  atMost,
  compileWasm,
  Deadline,
  loadProgram,
  med,
  programsDir,
  progress,
  protocolNodes,
  protocolsDir,
  referenceNode,
  round,
  runIfMain,
  specOf,
  wasmNode,
  type BenchFlags,
  type Verdict,
} from './harness.js';

const TARGET_NS = 2000;
const STEP_LIMIT = 2_000_000;

/** A small role and the one fact a tick receives (varied by i so that no tick repeats another). */
interface TickProgram {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly role?: string;
  statics?(analysis: Analysis): { address: bigint; statics: ReadonlyMap<string, readonly Row[]> };
  readonly relation: string;
  fact(i: number): Row;
  /** How many sends one tick must produce. */
  readonly sendsPerTick: number;
}

const programs: readonly TickProgram[] = [
  {
    name: 'echo',
    description: 'bench/programs/echo.ded: out@a(x) :~ in(a, x)',
    file: `${programsDir}echo.ded`,
    relation: 'in',
    fact: (i) => [7n, BigInt(i)],
    sendsPerTick: 1,
  },
  {
    name: 'voting participant',
    description: 'protocols/voting.ded role participant: vote@l(me, c, id, v) :~ voteReq(l, c, id, v), self(me)',
    file: `${protocolsDir}voting.ded`,
    role: 'participant',
    statics: (analysis) => {
      const node = protocolNodes('voting', analysis).find((n) => n.role === 'participant')!;
      return { address: node.address, statics: node.statics };
    },
    relation: 'voteReq',
    fact: (i) => [1n, 9n, BigInt(i), `cmd-${i & 1023}`],
    sendsPerTick: 1,
  },
];

export interface TickRow {
  readonly program: string;
  readonly path: string;
  readonly engine: 'wasm' | 'interpreter' | 'host';
  readonly ticksPerRun: number;
  readonly runs: number;
  readonly nsPerTick: number;
  readonly minNsPerTick: number;
  readonly maxNsPerTick: number;
  readonly verdict?: Verdict;
}

/** Runs `body(i)` for `ticks` iterations per run, `runs` times after a warm-up; ns per call. */
function timeRuns(ticks: number, runs: number, warmup: number, seconds: number, body: (i: number) => void): { ns: number[]; ticks: number } {
  for (let i = 0; i < warmup; i++) body(i);
  const ns: number[] = [];
  const deadline = new Deadline(seconds);
  let next = warmup;
  for (let r = 0; r < runs && (r < 3 || !deadline.expired()); r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ticks; i++) body(next++);
    ns.push(Number(process.hrtime.bigint() - t0) / ticks);
  }
  return { ns, ticks };
}

function rowOf(program: string, path: string, engine: TickRow['engine'], r: { ns: number[]; ticks: number }, judged: boolean): TickRow {
  const ns = med(r.ns);
  return {
    program,
    path,
    engine,
    ticksPerRun: r.ticks,
    runs: r.ns.length,
    nsPerTick: round(ns, 1),
    minNsPerTick: round(Math.min(...r.ns), 1),
    maxNsPerTick: round(Math.max(...r.ns), 1),
    ...(judged ? { verdict: atMost(ns, TARGET_NS, ' ns') } : {}),
  };
}

async function measureProgram(p: TickProgram, flags: BenchFlags): Promise<{ rows: TickRow[]; errors: string[] }> {
  const section = `tick ${p.name}`;
  const analysis = loadProgram(p.file);
  progress(section, 'compiling');
  const program: CompiledProgram = await compileWasm(analysis);
  const st = p.statics?.(analysis);
  const spec: NodeSpec = specOf(analysis, p.role, st?.statics ?? new Map(), st?.address ?? 1n);
  const ticks = flags.quick ? 50_000 : 200_000;
  const runs = flags.quick ? 3 : 7;
  const warmup = flags.quick ? 20_000 : 50_000;
  const rows: TickRow[] = [];
  const errors: string[] = [];
  const facts = Array.from({ length: 4096 }, (_, i) => p.fact(i));

  // 1. NodeEngine: push a batch of one row, tick, read the decoded sends.
  const node = wasmNode(program, spec, STEP_LIMIT);
  node.tick();
  let bad = 0;
  const engineRun = timeRuns(ticks, runs, warmup, flags.quick ? 3 : 10, (i) => {
    const batch: Batch = { relation: p.relation, rows: [facts[i & 4095]!] };
    node.push(batch);
    const out = node.tick();
    if (out.sends.length !== p.sendsPerTick) bad++;
  });
  if (bad) errors.push(`${p.name}: ${bad} NodeEngine ticks did not send exactly ${p.sendsPerTick} message(s)`);
  rows.push(rowOf(p.name, 'NodeEngine: push(batch of 1) + tick() + outputs', 'wasm', engineRun, true));
  progress(section, `NodeEngine ${rows.at(-1)!.nsPerTick} ns/tick`);

  // 2. Raw records: wire bytes in (encoded beforehand, as if received), tick, wire bytes out.
  const rel = program.plan.relations.find((r) => r.name === p.relation)!;
  const schema = { id: rel.id, types: rel.columns.map((c) => c.type) };
  const records = facts.map((row) => encodeRecord(RecordKind.message, schema, [row]));
  const raw = wasmNode(program, spec, STEP_LIMIT);
  raw.tick();
  let empty = 0;
  const rawRun = timeRuns(ticks, runs, warmup, flags.quick ? 3 : 10, (i) => {
    raw.pushRecords(records[i & 4095]!);
    raw.tick();
    if (raw.outputBytes().length === 0) empty++;
  });
  if (empty) errors.push(`${p.name}: ${empty} raw ticks gave no output bytes`);
  rows.push(rowOf(p.name, 'raw: pushRecords(bytes) + tick() + outputBytes()', 'wasm', rawRun, false));
  progress(section, `raw ${rows.at(-1)!.nsPerTick} ns/tick`);

  // 3. Raw records with the raw tick (tickRecords), so nothing is decoded into rows.
  const bare = wasmNode(program, spec, STEP_LIMIT);
  bare.tick();
  let failed = 0;
  const bareRun = timeRuns(ticks, runs, warmup, flags.quick ? 3 : 10, (i) => {
    bare.pushRecords(records[i & 4095]!);
    if (bare.tickRecords().fault) failed++;
    if (bare.outputBytes().length === 0) failed++;
  });
  if (failed) errors.push(`${p.name}: ${failed} bare ticks failed or gave no output bytes`);
  rows.push(rowOf(p.name, 'raw, no decoding: pushRecords(bytes) + tickRecords() + outputBytes()', 'wasm', bareRun, false));
  progress(section, `raw without decoding ${rows.at(-1)!.nsPerTick} ns/tick`);

  // 4. An empty tick (no input), through NodeEngine.
  const idle = wasmNode(program, spec, STEP_LIMIT);
  idle.tick();
  const idleRun = timeRuns(ticks, runs, warmup, flags.quick ? 2 : 5, () => {
    idle.tick();
  });
  rows.push(rowOf(p.name, 'empty tick: tick() with no input', 'wasm', idleRun, false));
  const idleRaw = wasmNode(program, spec, STEP_LIMIT);
  idleRaw.tick();
  let idleFailed = 0;
  const idleBareRun = timeRuns(ticks, runs, warmup, flags.quick ? 2 : 5, () => {
    if (idleRaw.tickRecords().fault) idleFailed++;
  });
  if (idleFailed) errors.push(`${p.name}: ${idleFailed} empty raw ticks failed`);
  rows.push(rowOf(p.name, 'empty tick, raw: tickRecords() with no input', 'wasm', idleBareRun, false));

  // 5. What the NodeEngine path adds on the host side, alone: encoding the pushed row, decoding the output.
  let sink = 0; // keeps the results alive, so the work is not optimised away
  const encodeRun = timeRuns(ticks, runs, warmup, flags.quick ? 2 : 5, (i) => {
    sink += encodeRecord(RecordKind.message, schema, [facts[i & 4095]!]).length;
  });
  rows.push(rowOf(p.name, 'part of push(): encodeRecord(1 row)', 'host', encodeRun, false));
  const outBytes = bare.outputBytes().slice();
  const typesOf = (id: number) => program.plan.relations[id]?.columns.map((c) => c.type);
  const decodeRun = timeRuns(ticks, runs, warmup, flags.quick ? 2 : 5, () => {
    sink += decodeRecords(outBytes, typesOf).length;
  });
  if (sink === 0) errors.push(`${p.name}: encoding or decoding produced nothing`);
  rows.push(rowOf(p.name, "part of tick(): decodeRecords(the tick's output)", 'host', decodeRun, false));
  progress(section, `encode ${rows.at(-2)!.nsPerTick} ns, decode ${rows.at(-1)!.nsPerTick} ns`);

  // 6. The interpreter, NodeEngine path, fewer ticks.
  const ref: NodeEngine = referenceNode(analysis, spec, STEP_LIMIT);
  ref.tick();
  let refBad = 0;
  const refRun = timeRuns(flags.quick ? 5_000 : 20_000, flags.quick ? 3 : 5, 5_000, flags.quick ? 3 : 6, (i) => {
    ref.push({ relation: p.relation, rows: [facts[i & 4095]!] });
    if (ref.tick().sends.length !== p.sendsPerTick) refBad++;
  });
  if (refBad) errors.push(`${p.name}: ${refBad} interpreter ticks did not send exactly ${p.sendsPerTick} message(s)`);
  rows.push(rowOf(p.name, 'NodeEngine: push(batch of 1) + tick() + outputs', 'interpreter', refRun, false));
  progress(section, `interpreter ${rows.at(-1)!.nsPerTick} ns/tick`);
  return { rows, errors };
}

export interface TickCostResult {
  readonly target: string;
  readonly rows: readonly TickRow[];
  readonly errors: readonly string[];
  readonly verdict: Verdict;
}

export async function tickCost(flags: BenchFlags): Promise<TickCostResult> {
  const rows: TickRow[] = [];
  const errors: string[] = [];
  for (const p of programs) {
    const r = await measureProgram(p, flags);
    rows.push(...r.rows);
    errors.push(...r.errors);
  }
  const judged = rows.filter((r) => r.verdict);
  return {
    target: `a 1-tuple tick through the node interface <= ${TARGET_NS} ns (Wasm)`,
    rows,
    errors,
    verdict: { target: `<= ${TARGET_NS} ns per 1-tuple tick, every program, and every tick's output as expected`, pass: errors.length === 0 && judged.every((r) => r.verdict!.pass) },
  };
}

runIfMain(import.meta.url, tickCost);
