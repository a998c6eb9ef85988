// Kernel speed: tuples per second of the Wasm back end against the reference interpreter, on
// join-heavy programs, side by side in one process with identical inputs driven through the
// NodeEngine interface (push the round's input batch, tick, take the outputs). Both engines'
// outputs and sends must be identical on every round, or the section fails.

import type { Analysis } from '../compiler/analyze/analysis.js';
import type { Row } from '../compiler/values/value.js';
import type { Batch, NodeEngine, NodeSpec, TickOutput } from '../engine/node-engine.js';
import type { CompiledProgram } from '../engine/wasm/compile-program.js';
import { Rng } from '../sim/rng.js';
import {
  atLeast,
  compileWasm,
  Deadline,
  holds,
  loadProgram,
  med,
  programsDir,
  progress,
  protocolNodes,
  protocolsDir,
  referenceNode,
  round,
  rowsKey,
  runIfMain,
  specOf,
  wasmNode,
  type BenchFlags,
  type Verdict,
} from './harness.js';

export const TUPLES_DEFINITION =
  'tuples = facts of one tick: input facts pushed + distinct facts the rules derive in the tick (every non-static, non-input relation at the fixpoint) + messages sent; counted once from the interpreter and the same for both engines, which must give identical outputs and sends';

const TARGET_RATIO = 20;
const STEP_LIMIT = 500_000_000;

/** One benchmark program and how to make the input of one round (one tick). */
interface Workload {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly role?: string;
  /** Statics of the node (from a deployment) when the program has any. */
  statics?(analysis: Analysis): ReadonlyMap<string, readonly Row[]>;
  /** The round's input: a size parameter and a seed. */
  input(size: number, seed: number): Batch[];
  /** Interpreter-sized input (one repetition of all rounds takes the interpreter about 1-2 s). */
  readonly size: number;
  readonly quickSize: number;
  readonly rounds: number;
  /** A size for a Wasm-only run showing its throughput on inputs the interpreter cannot take. */
  readonly scaleSize: number;
}

function randomGraph(relation: string, nodes: number, edges: number, seed: number): Batch[] {
  const rng = new Rng(seed);
  const seen = new Set<number>();
  const rows: Row[] = [];
  for (let tries = 0; rows.length < edges && tries < edges * 20; tries++) {
    const a = rng.int(0, nodes - 1);
    const b = rng.int(0, nodes - 1);
    if (a === b || seen.has(a * nodes + b)) continue;
    seen.add(a * nodes + b);
    rows.push([BigInt(a), BigInt(b)]);
  }
  return [{ relation, rows }];
}

/** `commands` client commands and every participant's vote on each, all in one tick. */
function votingReplay(commands: number, seed: number): Batch[] {
  const clientIn: Row[] = [];
  const votes: Row[] = [];
  for (let i = 0; i < commands; i++) {
    const client = BigInt(100 + (i % 7));
    const id = BigInt(seed * 1_000_000 + i);
    const payload = `cmd-${seed}-${i}`;
    clientIn.push([client, id, payload]);
    for (const p of [2n, 3n, 4n]) votes.push([p, client, id, payload]);
  }
  return [
    { relation: 'clientIn', rows: clientIn },
    { relation: 'vote', rows: votes },
  ];
}

const workloads: readonly Workload[] = [
  {
    name: 'transitive closure',
    file: `${programsDir}tc.ded`,
    description: 'path(a, c) :- path(a, b), edge(b, c); reach(a, count(b)); random graph of n nodes, 1.5n edges',
    input: (n, seed) => randomGraph('edge', n, Math.round(n * 1.5), seed),
    size: 100,
    quickSize: 60,
    rounds: 3,
    scaleSize: 1000,
  },
  {
    name: '3-way join (triangles)',
    file: `${programsDir}triangles.ded`,
    description: 'tri(a, b, c) :- e(a, b), e(b, c), e(a, c); count per a; random graph of n nodes, 6n edges',
    input: (n, seed) => randomGraph('e', n, n * 6, seed),
    size: 110,
    quickSize: 60,
    rounds: 5,
    scaleSize: 20_000,
  },
  {
    name: 'join + aggregation (degrees)',
    file: `${programsDir}degrees.ded`,
    description: 'out-degree, two-hop count, min/max successor degree per node; random graph of n nodes, 6n edges',
    input: (n, seed) => randomGraph('e', n, n * 6, seed),
    size: 140,
    quickSize: 80,
    rounds: 6,
    scaleSize: 20_000,
  },
  {
    name: 'voting leader replay',
    file: `${protocolsDir}voting.ded`,
    description: 'protocols/voting.ded role leader: n commands and 3 votes each in one tick (votes, count, reply)',
    role: 'leader',
    statics: (analysis) => {
      const statics = protocolNodes('voting', analysis).find((n) => n.role === 'leader')!.statics;
      if (rowsKey(statics.get('participants') ?? []) !== '2;3;4') throw new Error('voting.deploy.json: expected participants 2, 3, 4');
      return statics;
    },
    input: (n, seed) => votingReplay(n, seed),
    size: 400,
    quickSize: 200,
    rounds: 5,
    scaleSize: 20_000,
  },
];

interface RoundResult {
  readonly output: TickOutput;
  readonly seconds: number;
  /** The part spent in push() (for Wasm: checking and encoding rows, copying them in). */
  readonly pushSeconds: number;
}

/** Pushes the round's batches, ticks, and returns the output (decoded by the engine). */
function runRound(node: NodeEngine, batches: readonly Batch[]): RoundResult {
  const t0 = performance.now();
  for (const b of batches) node.push(b);
  const t1 = performance.now();
  const output = node.tick();
  return { output, seconds: (performance.now() - t0) / 1000, pushSeconds: (t1 - t0) / 1000 };
}

function outputKey(o: TickOutput): string {
  return [
    o.fault ? `fault ${o.fault.message}` : '',
    rowsKey(o.outputs.map((f) => [f.relation, ...f.row])),
    rowsKey(o.sends.map((m) => [m.to, m.relation, ...m.row])),
  ].join('|');
}

function sortedKey(o: TickOutput): string {
  const rows = [...o.outputs.map((f) => rowsKey([[f.relation, ...f.row]])), ...o.sends.map((m) => rowsKey([[m.to, m.relation, ...m.row]]))];
  return rows.sort().join(';');
}

export interface KernelRow {
  readonly program: string;
  readonly description: string;
  readonly size: number;
  readonly rounds: number;
  readonly inputFacts: number;
  readonly tuples: number;
  readonly interpreter: { readonly repetitions: number; readonly secondsPerRepetition: number; readonly tuplesPerSecond: number };
  readonly wasm: { readonly repetitions: number; readonly secondsPerRepetition: number; readonly tuplesPerSecond: number; readonly pushShare: number };
  readonly ratio: number;
  readonly outputsIdentical: boolean;
  readonly mismatch?: string;
  readonly verdict: Verdict;
  readonly wasmAtScale?: { readonly size: number; readonly inputFacts: number; readonly seconds: number; readonly inputFactsPerSecond: number; readonly outputFacts: number };
}

async function measure(w: Workload, flags: BenchFlags): Promise<KernelRow> {
  const section = `kernel ${w.name}`;
  const analysis = loadProgram(w.file);
  progress(section, 'compiling');
  const program = await compileWasm(analysis);
  const spec = specOf(analysis, w.role, w.statics?.(analysis) ?? new Map());
  const size = flags.quick ? w.quickSize : w.size;
  const rounds = flags.quick ? Math.max(1, Math.ceil(w.rounds / 2)) : w.rounds;
  const inputs = Array.from({ length: rounds }, (_, r) => w.input(size, 1000 + r));
  const inputFacts = inputs.reduce((s, bs) => s + bs.reduce((t, b) => t + b.rows.length, 0), 0);

  // Correctness pass: the interpreter's outputs are the oracle; it also counts the tuples.
  const ref = referenceNode(analysis, spec, STEP_LIMIT);
  ref.tick(); // tick 0 (statics)
  const wasm = wasmNode(program, spec, STEP_LIMIT);
  wasm.tick();
  const staticNames = new Set(spec.statics.keys());
  let tuples = 0;
  let identical = true;
  let mismatch: string | undefined;
  const interpreterSeconds: number[] = [];
  let firstRep = 0;
  for (let r = 0; r < rounds; r++) {
    const expected = runRound(ref, inputs[r]!);
    firstRep += expected.seconds;
    if (expected.output.fault) throw new Error(`${w.name}: the interpreter faulted: ${expected.output.fault.message}`);
    tuples += ref.databaseFacts().filter((f) => !staticNames.has(f.relation)).length + expected.output.sends.length;
    const got = runRound(wasm, inputs[r]!);
    if (outputKey(got.output) !== outputKey(expected.output)) {
      identical = false;
      const sameSet = sortedKey(got.output) === sortedKey(expected.output);
      mismatch ??= sameSet
        ? `round ${r}: same facts in a different order`
        : `round ${r}: interpreter ${expected.output.outputs.length} outputs / ${expected.output.sends.length} sends, wasm ${got.output.outputs.length} / ${got.output.sends.length}${got.output.fault ? ` (fault: ${got.output.fault.message})` : ''}`;
    }
  }
  interpreterSeconds.push(firstRep);
  progress(section, `size ${size}, ${rounds} rounds, ${inputFacts} input facts, ${tuples} tuples; interpreter ${firstRep.toFixed(2)} s; outputs ${identical ? 'identical' : `DIFFER (${mismatch})`}`);

  // More interpreter repetitions (full mode), within a time budget.
  const interpDeadline = new Deadline(flags.quick ? 0 : 8);
  for (let rep = 1; rep < (flags.quick ? 1 : 3) && !interpDeadline.expired(); rep++) {
    let s = 0;
    for (let r = 0; r < rounds; r++) s += runRound(ref, inputs[r]!).seconds;
    interpreterSeconds.push(s);
  }

  // Wasm: warm up (tier-up of the compiled code), then repeat the same rounds.
  for (let rep = 0; rep < 5; rep++) for (let r = 0; r < rounds; r++) runRound(wasm, inputs[r]!);
  const wasmSeconds: number[] = [];
  let wasmPush = 0;
  let wasmTotal = 0;
  const wasmDeadline = new Deadline(flags.quick ? 0.5 : 2);
  for (let rep = 0; rep < 200 && (rep < 7 || !wasmDeadline.expired()); rep++) {
    let s = 0;
    for (let r = 0; r < rounds; r++) {
      const res = runRound(wasm, inputs[r]!);
      s += res.seconds;
      wasmPush += res.pushSeconds;
    }
    wasmSeconds.push(s);
    wasmTotal += s;
  }
  const interp = med(interpreterSeconds);
  const wasmMed = med(wasmSeconds);
  const ratio = interp / wasmMed;
  progress(section, `interpreter ${(tuples / interp).toFixed(0)} tuples/s, wasm ${(tuples / wasmMed).toFixed(0)} tuples/s: ${ratio.toFixed(0)}x`);

  const wasmAtScale = flags.quick ? undefined : atScale(w, program, spec);
  return {
    program: w.name,
    description: w.description,
    size,
    rounds,
    inputFacts,
    tuples,
    interpreter: { repetitions: interpreterSeconds.length, secondsPerRepetition: round(interp, 4), tuplesPerSecond: Math.round(tuples / interp) },
    wasm: { repetitions: wasmSeconds.length, secondsPerRepetition: round(wasmMed, 6), tuplesPerSecond: Math.round(tuples / wasmMed), pushShare: round(wasmPush / wasmTotal, 3) },
    ratio: round(ratio, 1),
    outputsIdentical: identical,
    ...(mismatch ? { mismatch } : {}),
    verdict: { ...atLeast(ratio, TARGET_RATIO, 'x'), pass: identical && ratio >= TARGET_RATIO },
    ...(wasmAtScale ? { wasmAtScale } : {}),
  };
}

/** The Wasm engine alone on a much larger input: median of a few rounds, input facts per second. */
function atScale(w: Workload, program: CompiledProgram, spec: NodeSpec): KernelRow['wasmAtScale'] {
  const node = wasmNode(program, spec, STEP_LIMIT);
  node.tick();
  const seconds: number[] = [];
  let inputFacts = 0;
  let outputFacts = 0;
  const deadline = new Deadline(3);
  for (let r = 0; r < 5 && !deadline.expired(); r++) {
    const batches = w.input(w.scaleSize, 5000 + r);
    inputFacts = batches.reduce((t, b) => t + b.rows.length, 0);
    const res = runRound(node, batches);
    if (res.output.fault) throw new Error(`${w.name} at scale: ${res.output.fault.message}`);
    outputFacts = res.output.outputs.length + res.output.sends.length;
    seconds.push(res.seconds);
  }
  const s = med(seconds.slice(1).length ? seconds.slice(1) : seconds);
  progress(`kernel ${w.name}`, `wasm at size ${w.scaleSize}: ${inputFacts} input facts in ${(s * 1000).toFixed(1)} ms`);
  return { size: w.scaleSize, inputFacts, seconds: round(s, 5), inputFactsPerSecond: Math.round(inputFacts / s), outputFacts };
}

export interface KernelSpeedResult {
  readonly definition: string;
  readonly target: string;
  readonly rows: readonly KernelRow[];
  readonly verdict: Verdict;
}

export async function kernelSpeed(flags: BenchFlags): Promise<KernelSpeedResult> {
  const rows: KernelRow[] = [];
  for (const w of workloads) rows.push(await measure(w, flags));
  return {
    definition: TUPLES_DEFINITION,
    target: `Wasm >= ${TARGET_RATIO}x the interpreter in tuples per second, identical outputs`,
    rows,
    verdict: holds(
      rows.every((r) => r.verdict.pass),
      `every program >= ${TARGET_RATIO}x with identical outputs`,
    ),
  };
}

runIfMain(import.meta.url, kernelSpeed);
