// The Wasm back end in tests: compile a checked program once per test file (modules are cached
// by content hash, see vitest.config.ts), then run it beside the interpreter. Traces are
// compared event by event; the first difference is reported with its neighbours.

import { expect } from 'vitest';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Cluster } from '../../compiler/deploy/resolve-deployment.js';
import { compileProgram, wasmEngine, type CompiledProgram } from '../../engine/wasm/compile-program.js';
import { simulate, type SimOptions } from '../../sim/simulator.js';

export async function compiled(analysis: Analysis): Promise<CompiledProgram> {
  const result = await compileProgram(analysis);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return result.program;
}

const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

/** Runs seeds 1..n on both back ends; returns the seeds whose traces differ, with the first difference. */
export function traceDifferences(analysis: Analysis, cluster: Cluster, program: CompiledProgram, seeds: number, overrides?: SimOptions['overrides']): string[] {
  const engine = wasmEngine(program);
  const bad: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const ref = simulate(analysis, cluster, { seed, ...(overrides ? { overrides } : {}) });
    const wasm = simulate(analysis, cluster, { seed, engine, ...(overrides ? { overrides } : {}) });
    const a = ref.events.map(json);
    const b = wasm.events.map(json);
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (i < a.length || i < b.length) bad.push(`seed ${seed}: event ${i} of ${a.length}/${b.length}\n  interp ${a[i] ?? '(end)'}\n  wasm   ${b[i] ?? '(end)'}`);
    if (bad.length >= 3) break;
  }
  return bad;
}

/** Asserts the runs were not trivial: some client got replies, so equal traces mean something. */
export function expectReplies(analysis: Analysis, cluster: Cluster): void {
  const r = simulate(analysis, cluster, { seed: 1 });
  expect(r.clients.reduce((n, c) => n + c.completed, 0)).toBeGreaterThan(0);
}
