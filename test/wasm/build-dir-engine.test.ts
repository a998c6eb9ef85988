// A build directory is all a host needs: build the scalable voting plan with `dedc build`'s
// function, read the directory back (checked manifest and modules), and run the rewritten
// program's nodes from those modules in the simulator: the same traces as the interpreter.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../assembly/build/build-program.js';
import { readBuild } from '../../assembly/build/read-build.js';
import { check } from '../../compiler/check.js';
import { readDeployment } from '../../compiler/deploy/read-deployment.js';
import { resolveDeployment } from '../../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../../compiler/source.js';
import { buildEngine } from '../../engine/wasm/compile-program.js';
import { simulate } from '../../sim/simulator.js';
import { protocolsDir } from '../support/protocol.js';

const dir = mkdtempSync(join(tmpdir(), 'dedc-build-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string) => new SourceFile(name, readFileSync(join(protocolsDir, name), 'utf8'));
const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

describe('a build directory runs as built', () => {
  it('runs the rewritten voting protocol from its modules, as the interpreter does', async () => {
    const built = await buildProgram(
      { program: file('voting.ded'), plan: file('voting-scalable.plan.json'), deployment: file('voting.deploy.json') },
      { outDir: dir },
    );
    expect(built.problems.map((p) => p.diagnostic.message)).toEqual([]);
    const read = readBuild(dir);
    if (!read.ok) throw new Error(read.diagnostics.map((d) => d.message).join('\n'));
    // The host's view: the program and deployment recorded in the directory.
    const program = check(new SourceFile('program.ded', readFileSync(join(dir, 'program.ded'), 'utf8')));
    const analysis = program.analysis!;
    const deployment = readDeployment(new SourceFile('deploy.json', JSON.stringify(read.build.manifest.deployment))).deployment!;
    const cluster = resolveDeployment(deployment, analysis).cluster!;
    expect(cluster.nodes.map((n) => n.role)).toEqual(expect.arrayContaining(['broadcaster', 'collector']));
    const engine = buildEngine(read.build);
    for (let seed = 1; seed <= 20; seed++) {
      const a = simulate(analysis, cluster, { seed });
      const b = simulate(analysis, cluster, { seed, engine });
      expect(b.events.map(json)).toEqual(a.events.map(json));
      expect(b.clients.reduce((n, c) => n + c.completed, 0)).toBeGreaterThan(0);
    }
  });
});
