// The body of the program fuzz tests: mutants of a protocol each give success or diagnostics,
// never an exception; diagnostics point inside the file and render; programs that still check
// are formatted and simulated briefly (with a small work limit per tick).

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { check } from '../../compiler/check.js';
import { codes } from '../../compiler/diagnostics/codes.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import { defaultDeployment, resolveDeployment } from '../../compiler/deploy/resolve-deployment.js';
import { formatParsed } from '../../compiler/parse/format.js';
import { SourceFile } from '../../compiler/source.js';
import { ReferenceNode } from '../../engine/reference/reference-node.js';
import { simulate } from '../../sim/simulator.js';
import { mutate } from './mutate.js';
import { protocolsDir } from './protocol.js';

export function expectWellFormed(ds: readonly Diagnostic[], source: SourceFile, label: string): void {
  for (const d of ds) {
    expect(d.code in codes, `${label}: unknown code ${d.code}`).toBe(true);
    if (d.span) {
      expect(d.span.start, label).toBeGreaterThanOrEqual(0);
      expect(d.span.end, label).toBeLessThanOrEqual(source.text.length);
      expect(d.span.start, label).toBeLessThanOrEqual(d.span.end);
    }
  }
  expect(() => renderDiagnostics(ds, source)).not.toThrow();
}

export function fuzzProgram(name: string, mutants: number): { failing: number; passing: number } {
  const text = readFileSync(`${protocolsDir}${name}.ded`, 'utf8');
  let failing = 0;
  let passing = 0;
  for (let seed = 1; seed <= mutants; seed++) {
    const mutant = mutate(text, seed);
    const label = `${name} mutant ${seed}`;
    const source = new SourceFile(`${name}-mutant.ded`, mutant);
    let result;
    try {
      result = check(source);
    } catch (e) {
      throw new Error(`${label} threw: ${(e as Error).stack}\n--- mutant ---\n${mutant}`);
    }
    expectWellFormed(result.diagnostics, source, label);
    if (!result.ok) {
      failing++;
      expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
      continue;
    }
    passing++;
    expect(formatParsed(result.parsed).ok, label).toBe(true);
    const resolved = resolveDeployment(defaultDeployment(), result.analysis!);
    if (!resolved.cluster) continue;
    expect(() =>
      simulate(result.analysis!, resolved.cluster!, {
        seed,
        engine: (a, spec) => new ReferenceNode(a, spec, { stepLimit: 20_000 }),
        overrides: { maxEvents: 500, until: 20_000 },
      }),
    ).not.toThrow();
  }
  return { failing, passing };
}
