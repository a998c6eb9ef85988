// No slowdown with stored state: bench/programs/growth.ded adds one fact per tick to a
// persisted relation until it holds 1,000,000 facts, with a monotone self-join over it whose
// fan-out per new fact is constant. The tick that adds the millionth batch (fact) must cost at
// most 1.5x the tick that adds the thousandth. The two windows of ticks around those points run
// interleaved in short blocks on two nodes (so the shared machine's noise hits both alike), and
// the ratio is the median over repeated runs. growth-probe.ded adds a per-tick rule reading the
// kept join, measured the same way (one run). Next to the time, the work per tick: a profiling
// build of each program, grown the same way on one more node, counts the tuples the rules read
// and add over the same windows, so that the report tells algorithmic growth (more work per
// tick) from the memory hierarchy's (the same work on tables much larger than the caches).

import { readdirSync, readFileSync } from 'node:fs';
import { ruleOrder } from '../assembly/codegen/generate-role.js';
import type { Analysis } from '../compiler/analyze/analysis.js';
import type { Row } from '../compiler/values/value.js';
import type { CompiledProgram } from '../engine/wasm/compile-program.js';
import type { WasmNode } from '../engine/wasm/wasm-node.js';
import {
  atMost,
  collectGarbage,
  compileWasm,
  Deadline,
  loadProgram,
  med,
  pct,
  programsDir,
  progress,
  round,
  runIfMain,
  specOf,
  wasmNode,
  type BenchFlags,
  type Verdict,
} from './harness.js';

/**
 * Fact k links to fact k - D: linked(k, k - 2D) exists from k = D on. D is below the first tick
 * of the window at the small point (SMALL - HALF_WINDOW), so that every tick of both windows
 * finds its partner and does the same work (with D = 1000, the ticks adding facts 500 to 1,000
 * found none: the profiling build counted 5 tuples per tick there against 6 later).
 */
const D = 100;
const TARGET_RATIO = 1.5;
/** The small point: the thousandth batch. */
const SMALL = 1000;
/** Ticks on each side of a point in its window. */
const HALF_WINDOW = 500;
/** Ticks of one node in a row while the two windows run interleaved. */
const BLOCK = 20;
/** Ticks run on a throwaway node before measuring. */
const WARMUP = 3000;
const STEP_LIMIT = 2_000_000;

export interface WindowStats {
  /** Facts stored after the tick at the window's centre. */
  readonly facts: number;
  readonly ticks: number;
  readonly medianNs: number;
  readonly meanNs: number;
  readonly p90Ns: number;
  readonly maxNs: number;
  /** The single tick that adds fact number `facts`, unsmoothed. */
  readonly singleTickNs: number;
  /** push() + tick() + outputs, median over the window. */
  readonly medianWithPushNs: number;
}

/** The large node's memory after the tick that added fact number `facts`. */
export interface MemoryPoint {
  readonly facts: number;
  readonly wasmBytes: number;
  readonly relationBytes: number;
}

/** One rule's work per tick over a window. */
export interface RuleWork {
  /** The rule's label, or its source text. */
  readonly rule: string;
  readonly tuplesIn: number;
  readonly tuplesOut: number;
  /** Time inside the rule per tick, by the profiling build's clock: a mean (slow ticks included) with the clock's own calls, so informative only. */
  readonly ns: number;
}

/** The work per tick over the window of ticks centred on a point, from a profiling build's counters. */
export interface WorkWindow {
  readonly facts: number;
  readonly ticks: number;
  /** Rows the rules' scans and index lookups read, per tick (summed over the rules). */
  readonly tuplesInPerTick: number;
  /** Rows the rules added (new facts, sends), per tick. */
  readonly tuplesOutPerTick: number;
  /** tuplesInPerTick + tuplesOutPerTick. */
  readonly workPerTick: number;
  /** Time inside the rules per tick in the profiling build (a mean, its clock calls included; one node, not interleaved: informative only, not in the Markdown). */
  readonly ruleNsPerTick: number;
  readonly rules: readonly RuleWork[];
}

export interface GrowthWork {
  readonly measured: string;
  readonly small: WorkWindow;
  readonly large: WorkWindow;
  /** large.workPerTick / small.workPerTick: 1.00x when the plan does the same work per tick whatever the state size. */
  readonly ratio: number;
  readonly ticks: number;
  readonly seconds: number;
  /** A fault, a wrong output or a time limit on the profiling node (not part of the verdict). */
  readonly errors: readonly string[];
}

/** A cache of cpu0, from /sys/devices/system/cpu/cpu0/cache/index*. */
export interface CacheLevel {
  readonly level: number;
  readonly type: string;
  readonly bytes: number;
  /** The CPUs sharing it (shared_cpu_list). */
  readonly sharedCpus?: string;
}

export interface GrowthRun {
  readonly program: string;
  readonly timed: string;
  readonly ticks: number;
  readonly seconds: number;
  /** Independent runs (fresh nodes each); the statistics are medians over them. */
  readonly runs: number;
  readonly perRunRatios: readonly number[];
  /** The window around the thousandth fact, on the small node, interleaved with `large`. */
  readonly small: WindowStats;
  readonly large: WindowStats;
  readonly ratio: number;
  /** The same with push() included (the whole cost of adding the batch through the node interface). */
  readonly ratioWithPush: number;
  readonly singleTickRatio: number;
  /** The same ratio on the large node alone: its own window at 1,000 facts, measured early in its growth (not side by side). */
  readonly sequentialRatio: number;
  /** Median tick around sizes on the way up (the large node alone, sequential: noisier). */
  readonly curve: readonly WindowStats[];
  /** The slowest single ticks of the first run (hash-table growth, garbage collection), slowest first. */
  readonly slowestTicks: readonly { readonly facts: number; readonly ns: number }[];
  readonly errors: readonly string[];
  /** The large node of the first run, after the ticks adding fact 1,000 and the last point's fact; bytes per fact at the latter. */
  readonly memory: { readonly small: MemoryPoint; readonly large: MemoryPoint; readonly bytesPerFact: number };
  /** Work per tick at both points (profiling build, separate node): informative, not part of the verdict. */
  readonly work: GrowthWork;
  readonly verdict: Verdict;
}

export interface GrowthResult {
  readonly batch: string;
  /** The acceptance measurement: the monotone join alone, to 1,000,000 facts. */
  readonly monotone: GrowthRun;
  /** The same state read each tick by a per-tick rule (one run). */
  readonly probe: GrowthRun;
  /** The machine's caches, to set against the working set. */
  readonly caches: readonly CacheLevel[];
  /** The acceptance item: the monotone join. */
  readonly verdict: Verdict;
  readonly otherVerdicts: readonly { readonly item: string; readonly verdict: Verdict }[];
}

interface RunOptions {
  readonly name: string;
  readonly file: string;
  /** Facts at the large point; that node goes HALF_WINDOW ticks further. */
  readonly total: number;
  readonly seconds: number;
  readonly runs: number;
  /** The time limit of the profiling node's growth. */
  readonly workSeconds: number;
  /** Whether the program is growth-probe.ded, whose every tick must output one `got` row. */
  readonly probe: boolean;
}

/** A node being grown one fact per tick, with the time of each tick: index i added fact i. */
class Grower {
  readonly node: WasmNode;
  readonly tickNs: Float64Array;
  readonly pushNs: Float64Array;
  n = 0;
  outputErrors = 0;
  readonly errors: string[] = [];
  /** Memory (and, in a profiling build, the rule counters) after the ticks in `snapshotAt`, by facts stored. */
  readonly memoryAt = new Map<number, MemoryPoint>();
  readonly profileAt = new Map<number, readonly Counters[]>();

  constructor(
    program: CompiledProgram,
    analysis: Analysis,
    readonly last: number,
    private readonly probe: boolean,
    private readonly snapshotAt: ReadonlySet<number> = new Set(),
  ) {
    this.node = wasmNode(program, specOf(analysis), STEP_LIMIT);
    this.node.tick();
    this.tickNs = new Float64Array(last + 1);
    this.pushNs = new Float64Array(last + 1);
  }

  /** Adds the next fact in its own tick; false once the node faulted or is full. */
  step(): boolean {
    if (this.n >= this.last || this.errors.length) return false;
    const k = this.n; // the fact this tick adds; after it, n + 1 facts are stored
    const row: Row = [BigInt(k), BigInt(k - D)];
    const t0 = process.hrtime.bigint();
    this.node.push({ relation: 'add', rows: [row] });
    const t1 = process.hrtime.bigint();
    const out = this.node.tick();
    const t2 = process.hrtime.bigint();
    this.n++;
    this.tickNs[this.n] = Number(t2 - t1);
    this.pushNs[this.n] = Number(t1 - t0);
    if (this.snapshotAt.has(this.n)) this.snapshot();
    if (out.fault) {
      this.errors.push(`tick adding fact ${this.n}: ${out.fault.message}`);
      return false;
    }
    // growth-probe.ded: each new fact k >= D must give exactly got(k, k - 2D).
    const expect = this.probe && k >= D ? 1 : 0;
    if (out.outputs.length !== expect || (expect && out.outputs[0]!.row[1] !== BigInt(k - 2 * D))) this.outputErrors++;
    return true;
  }

  private snapshot(): void {
    const { wasmBytes, relationBytes } = this.node.memory();
    this.memoryAt.set(this.n, { facts: this.n, wasmBytes, relationBytes });
    const counters = this.node.profile();
    if (counters) this.profileAt.set(this.n, counters);
  }

  /** The carried facts must be every added fact and exactly the links k -> k - 2D. */
  check(): string[] {
    let facts = 0;
    let links = 0;
    let wrong = 0;
    for (const f of this.node.carriedFacts()) {
      if (f.relation === 'facts') facts++;
      else if (f.relation === 'linked') {
        links++;
        if ((f.row[1] as bigint) !== (f.row[0] as bigint) - BigInt(2 * D) || (f.row[0] as bigint) < BigInt(D)) wrong++;
      }
    }
    const errors = [...this.errors];
    if (this.outputErrors) errors.push(`${this.outputErrors} ticks output other than the expected got row`);
    if (facts !== this.n) errors.push(`after ${this.n} ticks: ${facts} facts carried, expected ${this.n}`);
    const expected = Math.max(0, this.n - D);
    if (links !== expected || wrong) errors.push(`after ${this.n} ticks: ${links} linked facts (${wrong} wrong), expected ${expected}`);
    return errors;
  }

  window(facts: number): WindowStats {
    const from = Math.max(1, facts - HALF_WINDOW);
    const to = Math.min(this.n, facts + HALF_WINDOW);
    const w = Array.from(this.tickNs.subarray(from, to + 1));
    const wp = Array.from({ length: to - from + 1 }, (_, i) => this.tickNs[from + i]! + this.pushNs[from + i]!);
    return {
      facts,
      ticks: w.length,
      medianNs: med(w),
      meanNs: w.reduce((s, x) => s + x, 0) / w.length,
      p90Ns: pct(w, 0.9),
      maxNs: Math.max(...w),
      singleTickNs: this.tickNs[Math.min(facts, this.n)]!,
      medianWithPushNs: med(wp),
    };
  }

  slowest(k: number): { facts: number; ns: number }[] {
    const top: { facts: number; ns: number }[] = [];
    for (let i = 1; i <= this.n; i++) {
      const ns = this.tickNs[i]!;
      if (top.length < k || ns > top[top.length - 1]!.ns) {
        top.push({ facts: i, ns });
        top.sort((a, b) => b.ns - a.ns);
        if (top.length > k) top.pop();
      }
    }
    return top;
  }
}

interface Counters {
  readonly tuplesIn: number;
  readonly tuplesOut: number;
  readonly ms: number;
}

interface OneRun {
  readonly small: Grower;
  readonly large: Grower;
  readonly seconds: number;
  readonly errors: string[];
}

/**
 * One run: the large node grows alone to just before its window; a fresh small node grows to
 * just before the thousandth fact; then both windows run interleaved, one tick each in turn.
 */
function runOnce(o: RunOptions, program: CompiledProgram, analysis: Analysis, deadline: Deadline, label: string): OneRun {
  const section = `growth ${o.name}`;
  const started = performance.now();
  const large = new Grower(program, analysis, o.total + HALF_WINDOW, o.probe, new Set([SMALL, o.total]));
  const report = Math.max(1, Math.floor(o.total / 5));
  while (large.n < o.total - HALF_WINDOW - 1 && !deadline.expired() && large.step()) {
    if (large.n % report === 0) progress(section, `${label}${large.n} facts, last tick ${(large.tickNs[large.n]! / 1000).toFixed(2)} µs`);
  }
  const small = new Grower(program, analysis, SMALL + HALF_WINDOW, o.probe);
  while (small.n < SMALL - HALF_WINDOW - 1 && small.step());
  collectGarbage();
  // Interleaved in blocks of BLOCK ticks: short enough that both windows see the same machine
  // (other processes, frequency), long enough that each node keeps its own working set in cache.
  for (let i = 0; i <= 2 * HALF_WINDOW + 1 && !deadline.expired(); i += BLOCK) {
    for (let j = 0; j < BLOCK; j++) small.step();
    for (let j = 0; j < BLOCK; j++) large.step();
  }
  const seconds = (performance.now() - started) / 1000;
  const errors = [...small.check().map((e) => `small node: ${e}`), ...large.check()];
  if (large.n < large.last && !errors.length) errors.push(`only ${large.n} of ${large.last} ticks ran within ${o.seconds} s`);
  return { small, large, seconds, errors };
}

/** The first and last tick of the window centred on a point (the ticks adding those facts). */
function windowBounds(facts: number): { from: number; to: number } {
  return { from: Math.max(1, facts - HALF_WINDOW), to: facts + HALF_WINDOW };
}

/** Counter differences over a window, per tick, by rule. */
function workWindow(g: Grower, facts: number, labels: readonly string[]): WorkWindow | undefined {
  const { from, to } = windowBounds(facts);
  const before = g.profileAt.get(from - 1);
  const after = g.profileAt.get(to);
  if (!before || !after) return undefined;
  const ticks = to - from + 1;
  const rules = after.map((a, k) => ({
    rule: labels[k] ?? `rule ${k}`,
    tuplesIn: round((a.tuplesIn - before[k]!.tuplesIn) / ticks, 3),
    tuplesOut: round((a.tuplesOut - before[k]!.tuplesOut) / ticks, 3),
    ns: round(((a.ms - before[k]!.ms) * 1e6) / ticks, 0),
  }));
  const tuplesIn = round(rules.reduce((t, r) => t + r.tuplesIn, 0), 3);
  const tuplesOut = round(rules.reduce((t, r) => t + r.tuplesOut, 0), 3);
  return { facts, ticks, tuplesInPerTick: tuplesIn, tuplesOutPerTick: tuplesOut, workPerTick: round(tuplesIn + tuplesOut, 3), ruleNsPerTick: round(rules.reduce((t, r) => t + r.ns, 0), 0), rules };
}

/**
 * The work per tick: a profiling build grown on one node, one fact per tick like the timed
 * nodes, its per-rule counters read before and after each window. Counting needs no
 * interleaving or repetition (the counts do not depend on the machine).
 */
function measureWork(o: RunOptions, program: CompiledProgram, analysis: Analysis, seconds: number): GrowthWork {
  const section = `growth ${o.name}`;
  const started = performance.now();
  const deadline = new Deadline(seconds);
  const points = [SMALL, o.total];
  const at = new Set(points.flatMap((p) => [windowBounds(p).from - 1, windowBounds(p).to]));
  const warm = new Grower(program, analysis, WARMUP, o.probe); // as for the timed nodes, so that the clock of the early ticks is not taken while tiering up
  while (warm.step());
  const g = new Grower(program, analysis, o.total + HALF_WINDOW, o.probe, at);
  const rp = program.plan.roles.find((r) => r.role === specOf(analysis).role)!;
  const labels = ruleOrder(rp).map((r) => r.label ?? r.text);
  const report = Math.max(1, Math.floor(o.total / 5));
  while (g.n < g.last && !deadline.expired() && g.step()) {
    if (g.n % report === 0) progress(section, `profiling node: ${g.n} facts`);
  }
  const errors = [...g.errors];
  if (g.outputErrors) errors.push(`${g.outputErrors} ticks output other than the expected got row`);
  if (g.n < g.last && !g.errors.length) errors.push(`only ${g.n} of ${g.last} ticks ran within ${seconds} s`);
  const counters = g.profileAt.values().next().value as readonly Counters[] | undefined;
  if (counters && counters.length !== labels.length) errors.push(`the profiling build has ${counters.length} rule counters, the plan ${labels.length} rules`);
  const empty = (facts: number): WorkWindow => ({ facts, ticks: 0, tuplesInPerTick: NaN, tuplesOutPerTick: NaN, workPerTick: NaN, ruleNsPerTick: NaN, rules: [] });
  const small = workWindow(g, SMALL, labels) ?? empty(SMALL);
  const large = workWindow(g, o.total, labels) ?? empty(o.total);
  const ratio = round(large.workPerTick / small.workPerTick, 3);
  progress(section, `work per tick (tuples in + out, profiling build): ${small.workPerTick} at ${SMALL} facts, ${large.workPerTick} at ${o.total}: ratio ${ratio}${errors.length ? `; ERRORS: ${errors.join('; ')}` : ''}`);
  return {
    measured: `a profiling build (compileProgram with profile: true) on one more node, grown the same way; its per-rule counters read before and after the same windows of ${2 * HALF_WINDOW + 1} ticks: tuples in = rows the rules' scans and index lookups read, tuples out = rows they add`,
    small,
    large,
    ratio,
    ticks: g.n,
    seconds: round((performance.now() - started) / 1000, 1),
    errors: errors.map((e) => `profiling node: ${e}`),
  };
}

/** cpu0's caches, from sysfs (Linux); none elsewhere. */
function cpuCaches(): CacheLevel[] {
  const dir = '/sys/devices/system/cpu/cpu0/cache';
  const bytes = (size: string) => {
    const m = /^(\d+)\s*([KMG]?)/i.exec(size);
    return m ? Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] || ' ').toUpperCase()) : NaN;
  };
  try {
    return readdirSync(dir)
      .filter((d) => /^index\d+$/.test(d))
      .flatMap((d) => {
        const read = (f: string) => {
          try {
            return readFileSync(`${dir}/${d}/${f}`, 'utf8').trim();
          } catch {
            return undefined;
          }
        };
        const level = read('level');
        const size = read('size');
        if (!level || !size) return [];
        const shared = read('shared_cpu_list');
        return [{ level: Number(level), type: read('type') ?? 'Unified', bytes: bytes(size), ...(shared ? { sharedCpus: shared } : {}) }];
      })
      .sort((a, b) => a.level - b.level || a.type.localeCompare(b.type));
  } catch {
    return [];
  }
}

/** Each statistic's median over the runs. */
function medianWindow(ws: readonly WindowStats[]): WindowStats {
  const m = (k: keyof WindowStats) => round(med(ws.map((w) => w[k])), 0);
  return { facts: ws[0]!.facts, ticks: ws[0]!.ticks, medianNs: m('medianNs'), meanNs: m('meanNs'), p90Ns: m('p90Ns'), maxNs: m('maxNs'), singleTickNs: m('singleTickNs'), medianWithPushNs: m('medianWithPushNs') };
}

async function grow(o: RunOptions): Promise<GrowthRun> {
  const section = `growth ${o.name}`;
  const analysis = loadProgram(o.file);
  progress(section, 'compiling');
  const program = await compileWasm(analysis);
  progress(section, 'compiling the profiling build');
  const profiling = await compileWasm(analysis, { profile: true });
  // Warm up the JavaScript and Wasm code on a throwaway node (compiled code is shared by every
  // instance of the module), so that the early ticks measured are not still being optimised.
  const warm = new Grower(program, analysis, WARMUP, o.probe);
  while (warm.step());

  const deadline = new Deadline(o.seconds);
  const runs: OneRun[] = [];
  for (let r = 0; r < o.runs && (r === 0 || !deadline.expired()); r++) {
    collectGarbage();
    runs.push(runOnce(o, program, analysis, deadline, o.runs > 1 ? `run ${r + 1}: ` : ''));
  }
  const errors = runs.flatMap((run, r) => run.errors.map((e) => (runs.length > 1 ? `run ${r + 1}: ${e}` : e)));
  const small = medianWindow(runs.map((run) => run.small.window(SMALL)));
  const large = medianWindow(runs.map((run) => run.large.window(o.total)));
  const points: number[] = [];
  for (let p = SMALL; p <= o.total; p *= 10) for (const m of [1, 2, 5]) if (p * m <= o.total) points.push(p * m);
  if (points.at(-1) !== o.total) points.push(o.total);
  const curve = points.map((p) => medianWindow(runs.map((run) => run.large.window(p))));
  const perRunRatios = runs.map((run) => round(run.large.window(o.total).medianNs / run.small.window(SMALL).medianNs, 3));
  const ratio = med(perRunRatios);
  const first = runs[0]!.large;
  const noMemory = (facts: number): MemoryPoint => ({ facts, wasmBytes: NaN, relationBytes: NaN });
  const memSmall = first.memoryAt.get(SMALL) ?? noMemory(SMALL);
  const memLarge = first.memoryAt.get(o.total) ?? noMemory(o.total);
  progress(
    section,
    `median tick at ${SMALL} facts ${small.medianNs} ns, at ${o.total} facts ${large.medianNs} ns (interleaved): ratio ${ratio.toFixed(2)} (runs: ${perRunRatios.join(', ')})${errors.length ? `; ERRORS: ${errors.join('; ')}` : ''}`,
  );
  // After the timed runs, so that its node's memory is not in the way of theirs.
  const work = measureWork(o, profiling, analysis, o.workSeconds);
  return {
    program: o.file.slice(o.file.indexOf('bench/')),
    timed: `tick() alone (the Wasm tick, plus decoding its output when there is one: growth-probe.ded's got row), per tick; medians over windows of ${2 * HALF_WINDOW + 1} ticks centred on each point, the two windows run interleaved on two nodes, ${BLOCK} ticks at a time; the ratio is the median over ${runs.length} run${runs.length > 1 ? 's' : ''}`,
    ticks: first.n,
    seconds: round(runs.reduce((s, run) => s + run.seconds, 0), 1),
    runs: runs.length,
    perRunRatios,
    small,
    large,
    ratio: round(ratio, 3),
    ratioWithPush: round(med(runs.map((run) => run.large.window(o.total).medianWithPushNs / run.small.window(SMALL).medianWithPushNs)), 3),
    singleTickRatio: round(large.singleTickNs / small.singleTickNs, 3),
    sequentialRatio: round(curve.at(-1)!.medianNs / curve[0]!.medianNs, 3),
    curve,
    slowestTicks: first.slowest(5),
    errors,
    memory: { small: memSmall, large: memLarge, bytesPerFact: round(memLarge.relationBytes / memLarge.facts, 1) },
    work,
    verdict: { ...atMost(ratio, TARGET_RATIO, 'x'), pass: errors.length === 0 && ratio <= TARGET_RATIO },
  };
}

export async function incrementalGrowth(flags: BenchFlags): Promise<GrowthResult> {
  const monotone = await grow({
    name: 'monotone join',
    file: `${programsDir}growth.ded`,
    total: flags.quick ? 100_000 : 1_000_000,
    seconds: flags.quick ? 30 : 120,
    runs: flags.quick ? 1 : 3,
    workSeconds: flags.quick ? 15 : 60,
    probe: false,
  });
  const probe = await grow({
    name: 'per-tick probe',
    file: `${programsDir}growth-probe.ded`,
    total: flags.quick ? 100_000 : 1_000_000,
    // A per-tick rule that rescanned the stored relation every tick would make this run quadratic:
    // the time limit then stops it, and the section reports how far it got.
    seconds: flags.quick ? 20 : 45,
    runs: 1,
    workSeconds: flags.quick ? 15 : 60,
    probe: true,
  });
  return {
    batch: `1 fact per tick (fact k = add(k, k - ${D})), so the thousandth batch is the thousandth fact and the millionth batch the millionth fact; each tick adds one facts row and (once more than ${D} facts are stored, so in every tick of both windows) one linked row, whatever the state size`,
    monotone,
    probe,
    caches: cpuCaches(),
    verdict: { target: `monotone join (growth.ded): tick at ${monotone.large.facts} facts <= ${TARGET_RATIO}x the tick at ${SMALL}`, pass: monotone.verdict.pass },
    otherVerdicts: [
      {
        item: 'per-tick rule reading the stored join (growth-probe.ded; not an acceptance item)',
        verdict: { target: `tick at ${probe.large.facts} facts <= ${TARGET_RATIO}x the tick at ${SMALL}`, pass: probe.verdict.pass },
      },
    ],
  };
}

runIfMain(import.meta.url, incrementalGrowth);
