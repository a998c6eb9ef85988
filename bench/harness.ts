// What every benchmark section shares: command-line flags (--quick, --json), progress lines on
// stderr, time-bounded loops, loading and compiling a program, building nodes of both engines,
// timing statistics and verdicts, and what a results file records (the machine, the commit, where
// it goes). A section module runs alone as a child process of run-wasm-bench.ts and prints its
// result as JSON on stdout (so each starts with a clean heap); run-cluster-bench.ts uses the
// flags, progress, statistics and results helpers.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, quantile } from 'simple-statistics';
import type { Analysis } from '../compiler/analyze/analysis.js';
import { check } from '../compiler/check.js';
import { readDeployment } from '../compiler/deploy/read-deployment.js';
import { resolveDeployment, type ClusterNode } from '../compiler/deploy/resolve-deployment.js';
import { renderDiagnostics } from '../compiler/diagnostics/render.js';
import { SourceFile } from '../compiler/source.js';
import type { Row } from '../compiler/values/value.js';
import type { NodeSpec } from '../engine/node-engine.js';
import { ReferenceNode } from '../engine/reference/reference-node.js';
import type { CompiledProgram } from '../engine/wasm/compile-program.js';
import { WasmNode } from '../engine/wasm/wasm-node.js';

/** The repository root (this file runs from dist/bench/). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const programsDir = `${repoRoot}bench/programs/`;
export const protocolsDir = `${repoRoot}protocols/`;

export interface BenchFlags {
  /** Smaller sizes, for a smoke run of about a minute. */
  readonly quick: boolean;
}

export function parseFlags(argv: readonly string[] = process.argv.slice(2)): BenchFlags {
  return { quick: argv.includes('--quick') };
}

const started = performance.now();

/** A progress line on stderr, with the seconds since the process started. */
export function progress(section: string, message: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${section}: ${message}\n`);
}

/** A wall-clock budget for a loop that also has a count bound. */
export class Deadline {
  private readonly end: number;
  constructor(readonly seconds: number) {
    this.end = performance.now() + seconds * 1000;
  }
  expired(): boolean {
    return performance.now() > this.end;
  }
}

/** A measured value against its target. */
export interface Verdict {
  readonly target: string;
  readonly pass: boolean;
}

export function atLeast(value: number, target: number, unit = ''): Verdict {
  return { target: `>= ${target}${unit}`, pass: value >= target };
}

export function atMost(value: number, target: number, unit = ''): Verdict {
  return { target: `<= ${target}${unit}`, pass: value <= target };
}

/** A check that has no number: it holds or it does not. */
export function holds(ok: boolean, what: string): Verdict {
  return { target: what, pass: ok };
}

export function med(xs: readonly number[]): number {
  return xs.length ? median([...xs]) : NaN;
}

export function pct(xs: readonly number[], p: number): number {
  return xs.length ? quantile([...xs], p) : NaN;
}

export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Checks a program; throws with rendered diagnostics when it has errors. */
export function loadProgram(path: string): Analysis {
  const source = new SourceFile(path.slice(path.lastIndexOf('/') + 1), readFileSync(path, 'utf8'));
  const result = check(source);
  if (!result.ok || !result.analysis) throw new Error(`${path} does not check:\n${renderDiagnostics(result.diagnostics, source)}`);
  return result.analysis;
}

/**
 * Compiles every role of a checked program at -O3, with no cache; throws on diagnostics. The
 * compiler is imported only here, so a process that loads built modules does not hold it.
 * `profile`: a profiling build, with per-rule counters (`WasmNode.profile()`).
 */
export async function compileWasm(analysis: Analysis, options: { readonly profile?: boolean } = {}): Promise<CompiledProgram> {
  const { compileProgram } = await import('../engine/wasm/compile-program.js');
  const compiled = await compileProgram(analysis, { optimizeLevel: 3, cacheDir: '', profile: options.profile ?? false });
  if (!compiled.ok) throw new Error(`compilation failed: ${compiled.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return compiled.program;
}

/** A node of a program's only (or given) role, with no statics unless given. */
export function specOf(analysis: Analysis, role?: string, statics: ReadonlyMap<string, readonly Row[]> = new Map(), address = 1n): NodeSpec {
  return { role: role ?? analysis.roles[0]!.name, address, statics };
}

export function referenceNode(analysis: Analysis, spec: NodeSpec, stepLimit: number): ReferenceNode {
  return new ReferenceNode(analysis, spec, { stepLimit });
}

export function wasmNode(program: CompiledProgram, spec: NodeSpec, stepLimit: number): WasmNode {
  const module = program.modules.get(spec.role);
  if (!module) throw new Error(`no module for role ${spec.role}`);
  return new WasmNode(module, program.plan.relations, spec, { stepLimit });
}

/** A protocol's default deployment, resolved: its nodes with their statics. */
export function protocolNodes(name: string, analysis: Analysis): readonly ClusterNode[] {
  const source = new SourceFile(`${name}.deploy.json`, readFileSync(`${protocolsDir}${name}.deploy.json`, 'utf8'));
  const read = readDeployment(source);
  if (!read.deployment) throw new Error(renderDiagnostics(read.diagnostics, source));
  const resolved = resolveDeployment(read.deployment, analysis);
  if (!resolved.cluster) throw new Error(renderDiagnostics(resolved.diagnostics, source));
  return resolved.cluster.nodes;
}

/** Rows as one comparable string (bigints printed as numbers, strings quoted). */
export function rowsKey(rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => r.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(',')).join(';');
}

/** Forces a full garbage collection when node runs with --expose-gc. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}

/**
 * Runs `run` and prints its result as JSON on stdout when this module is the process's entry
 * point (a child of run-wasm-bench.ts); does nothing when the module is imported.
 */
export function runIfMain(moduleUrl: string, run: (flags: BenchFlags) => Promise<unknown>): void {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(entry).href !== moduleUrl) return;
  run(parseFlags()).then(
    (result) => process.stdout.write(`${JSON.stringify(result, bigintJson)}\n`),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

export function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

export interface Machine {
  readonly cpu: string;
  /** From /proc/cpuinfo: the per-core cache ("cache size") and the clock when the run started. */
  readonly cacheSize?: string;
  readonly mhz?: number;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started and ended (the machine is shared). */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** The commit measured, and whether the working tree had uncommitted changes (then the code measured is not exactly that commit). */
export interface GitState {
  readonly commit: string;
  readonly dirty: boolean;
}

export function gitState(): GitState | undefined {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' });
  if (rev.status !== 0 || status.status !== 0) return undefined;
  return { commit: rev.stdout.trim(), dirty: status.stdout.trim().length > 0 };
}

/** A field of the first processor in /proc/cpuinfo, when there is one. */
function cpuinfo(field: string): string | undefined {
  try {
    const m = new RegExp(`^${field}\\s*:\\s*(.+)$`, 'm').exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m?.[1]?.trim();
  } catch {
    return undefined; // not Linux
  }
}

/** The machine, with the 1-minute load average at the start of the run (`loadStart`) and now. */
export function machineInfo(loadStart: number): Machine {
  return {
    cpu: cpuinfo('model name') ?? cpus()[0]?.model ?? 'unknown',
    ...(cpuinfo('cache size') ? { cacheSize: cpuinfo('cache size')! } : {}),
    ...(cpuinfo('cpu MHz') ? { mhz: Math.round(Number(cpuinfo('cpu MHz'))) } : {}),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: { start: Math.round(loadStart * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
  };
}

/** bench/results only for a full run of everything; smoke and partial runs go elsewhere (or to `--out DIR`). */
export function outputDir(argv: readonly string[], partial: boolean): string {
  const at = argv.indexOf('--out');
  if (at >= 0 && argv[at + 1]) return argv[at + 1]!;
  return partial ? join(tmpdir(), 'dedc-bench-quick') : join(repoRoot, 'bench', 'results');
}
