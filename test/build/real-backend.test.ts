// `dedc build` with the real back end (lowering and code generation) on the voting protocol,
// directly and through the CLI. Skipped while lowerProgram or generateRole is still a stub
// that throws 'not yet'; it runs by itself once they land.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../assembly/build/build-program.js';
import { abiExports } from '../../assembly/build/manifest.js';
import { readBuild } from '../../assembly/build/read-build.js';
import { generateRole } from '../../assembly/codegen/generate-role.js';
import { check } from '../../compiler/check.js';
import { lowerProgram } from '../../compiler/ir/lower.js';
import { SourceFile } from '../../compiler/source.js';
import { buildInput, tempDir } from '../support/build-dir.js';
import { dedc } from '../support/run-cli.js';

delete process.env['DEDC_CACHE_DIR'];

/** False while the back end is a stub; any other exception is a real failure, reported by the test. */
function backendReady(): boolean {
  const analysis = check(new SourceFile('voting.ded', readFileSync('protocols/voting.ded', 'utf8'))).analysis!;
  try {
    generateRole(lowerProgram(analysis).plan, analysis.roles[0]!.name);
    return true;
  } catch (e) {
    return (e as Error).message !== 'not yet';
  }
}

describe.skipIf(!backendReady())('dedc build with the real back end', () => {
  const dir = tempDir();
  const shared = tempDir('dedc-cache-');

  it('builds protocols/voting.ded into modules that read back with the ABI exports', async () => {
    const result = await buildProgram(buildInput('protocols/voting.ded'), { outDir: dir, sharedCache: shared });
    expect(result.problems.map((p) => `${p.diagnostic.code} ${p.diagnostic.message}`)).toEqual([]);
    expect(result.ok).toBe(true);
    const read = readBuild(dir);
    expect(read.ok, JSON.stringify(read.diagnostics)).toBe(true);
    if (!read.ok) return;
    expect([...read.build.modules.keys()]).toEqual(['leader', 'participant']);
    for (const m of read.build.modules.values()) expect(WebAssembly.Module.exports(m).map((e) => e.name)).toEqual(expect.arrayContaining([...abiExports]));
  });

  it('through the CLI: progress on stderr, the summary on stdout, from the shared cache', () => {
    process.env['DEDC_CACHE_DIR'] = shared;
    const r = dedc(['build', 'protocols/voting.ded', '-o', join(tempDir(), 'out')]);
    delete process.env['DEDC_CACHE_DIR'];
    expect(r.stderr).toMatch(/^\[1\/2\] leader +cached \d+\.\d\ds\n\[2\/2\] participant +cached \d+\.\d\ds\n$/);
    expect(r.stdout).toMatch(/^built 2 roles into .*out \(0 compiled, 2 cached\) in \d+\.\ds\n$/);
    expect(r.status).toBe(0);
  });
});
