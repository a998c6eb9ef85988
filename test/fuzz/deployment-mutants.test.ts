// Malformed deployment files never crash dedc: mutants of the protocols' deployment files give
// a deployment or diagnostics (pointing inside the file), never an exception.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDeployment } from '../../compiler/deploy/read-deployment.js';
import { resolveDeployment } from '../../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../../compiler/source.js';
import { expectWellFormed } from '../support/fuzz-programs.js';
import { mutate } from '../support/mutate.js';
import { loadProtocol, protocolsDir } from '../support/protocol.js';

const MUTANTS = 400;

describe('mutated deployment files', () => {
  for (const name of ['voting', '2pc']) {
    it(`${name}: ${MUTANTS} mutants give a deployment or diagnostics, never an exception`, () => {
      const text = readFileSync(`${protocolsDir}${name}.deploy.json`, 'utf8');
      const { analysis } = loadProtocol(name);
      let rejected = 0;
      for (let seed = 1; seed <= MUTANTS; seed++) {
        const source = new SourceFile(`${name}.deploy.json`, mutate(text, seed));
        const read = readDeployment(source);
        expectWellFormed(read.diagnostics, source, `deployment mutant ${seed}`);
        if (!read.deployment) {
          rejected++;
          expect(read.diagnostics.some((d) => d.severity === 'error')).toBe(true);
          continue;
        }
        const resolved = resolveDeployment(read.deployment, analysis);
        expectWellFormed(resolved.diagnostics, source, `deployment mutant ${seed}`);
        if (!resolved.cluster) rejected++;
      }
      expect(rejected).toBeGreaterThan(MUTANTS / 2);
    });
  }
});
