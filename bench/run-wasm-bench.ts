// The Wasm back end's benchmarks (issue 4), all in one run: each section runs as its own child
// process (a clean heap and JIT state), then the results go to bench/results/wasm.json, the
// Markdown tables to wasm.md and the plots to SVG files. `npm run bench:wasm` (a few minutes);
// `-- --quick` for a smoke run of about a minute and `-- --only kernelSpeed,tickCost` for some
// sections, both written to a temporary directory instead (or `--out DIR`).

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildTimeResult } from './build-time.js';
import { gitState, machineInfo, outputDir, parseFlags, progress, repoRoot, type GitState, type Machine, type Verdict } from './harness.js';
import type { GrowthResult } from './incremental-growth.js';
import type { KernelSpeedResult } from './kernel-speed.js';
import type { LeaderMemoryResult } from './leader-memory.js';
import { writePlots } from './plot.js';
import { renderReport } from './report.js';
import type { TickCostResult } from './tick-cost.js';

export type { Machine } from './harness.js';

export interface WasmBenchResults {
  readonly date: string;
  /** The commit measured, and whether the working tree had uncommitted changes (then the code measured is not exactly that commit). */
  readonly git?: GitState;
  readonly mode: 'full' | 'quick';
  readonly seconds: number;
  readonly machine: Machine;
  readonly sections: {
    readonly kernelSpeed?: KernelSpeedResult;
    readonly tickCost?: TickCostResult;
    readonly buildTime?: BuildTimeResult;
    readonly incrementalGrowth?: GrowthResult;
    readonly leaderMemory?: LeaderMemoryResult;
  };
  /** Sections that did not finish (crash or time limit), with the reason. */
  readonly failures: readonly { readonly section: string; readonly error: string }[];
  readonly verdicts: readonly { readonly section: string; readonly item: string; readonly verdict: Verdict }[];
}

type SectionKey = keyof WasmBenchResults['sections'];

const sections: readonly { key: SectionKey; file: string; limitSeconds: number }[] = [
  { key: 'kernelSpeed', file: 'kernel-speed.js', limitSeconds: 150 },
  { key: 'tickCost', file: 'tick-cost.js', limitSeconds: 150 },
  { key: 'buildTime', file: 'build-time.js', limitSeconds: 300 },
  { key: 'incrementalGrowth', file: 'incremental-growth.js', limitSeconds: 240 },
  { key: 'leaderMemory', file: 'leader-memory.js', limitSeconds: 240 },
];

/** Runs one section's module as a child process; resolves with its JSON result. */
function runSection(file: string, args: readonly string[], limitSeconds: number): Promise<unknown> {
  const script = fileURLToPath(new URL(file, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', script, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not finish within ${limitSeconds} s`));
    }, limitSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`${file} printed no JSON result`));
      }
    });
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]?.split(',') : undefined;
  const dir = outputDir(argv, flags.quick || only !== undefined);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const loadStart = loadavg()[0]!;
  const git = gitState();
  progress('bench', `${flags.quick ? 'quick' : 'full'} run; results to ${dir}`);

  const results: Partial<Record<SectionKey, unknown>> = {};
  const failures: { section: string; error: string }[] = [];
  for (const s of sections) {
    if (only && !only.includes(s.key)) continue;
    progress('bench', `section ${s.key}`);
    try {
      results[s.key] = await runSection(s.file, flags.quick ? ['--quick'] : [], s.limitSeconds);
    } catch (e) {
      failures.push({ section: s.key, error: (e as Error).message });
      progress('bench', `section ${s.key} FAILED: ${(e as Error).message}`);
    }
  }

  const sectionResults = results as WasmBenchResults['sections'];
  const verdicts = Object.entries(sectionResults).flatMap(([section, r]) => {
    const result = r as { verdict: Verdict; otherVerdicts?: { item: string; verdict: Verdict }[] };
    return [{ section, item: 'acceptance', verdict: result.verdict }, ...(result.otherVerdicts ?? []).map((o) => ({ section, ...o }))];
  });
  const all: WasmBenchResults = {
    date: new Date().toISOString(),
    mode: flags.quick ? 'quick' : 'full',
    ...(git ? { git } : {}),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    machine: machineInfo(loadStart),
    sections: sectionResults,
    failures,
    verdicts,
  };
  writeFileSync(join(dir, 'wasm.json'), `${JSON.stringify(all, null, 2)}\n`);
  writeFileSync(join(dir, 'wasm.md'), renderReport(all));
  const plots = await writePlots(all, dir);
  progress('bench', `wrote wasm.json, wasm.md, ${plots.join(', ')} to ${dir} in ${all.seconds} s`);
  for (const v of verdicts) progress('bench', `${v.verdict.pass ? 'PASS' : 'FAIL'} ${v.section} (${v.item}): ${v.verdict.target}`);
  for (const f of failures) progress('bench', `FAIL ${f.section}: ${f.error}`);
  // A missed acceptance target, a failed check or a section that did not finish makes the run
  // fail (the results are written all the same).
  if (failures.length || verdicts.some((v) => v.item === 'acceptance' && !v.verdict.pass)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
