// The scalable plans of paper §5.2 apply, and the rewritten programs give clients exactly what
// the originals give, over many seeds (DEDC_REWRITE_SEEDS, 200 by default; more in
// `npm run test:long`). Also pins the shape of the result: the roles the paper names exist.

import { describe, expect, it } from 'vitest';
import { rewriteFile, divergences } from '../support/rewrite.js';

const SEEDS = Number(process.env['DEDC_REWRITE_SEEDS'] ?? 200);

const cases = [
  { program: 'protocols/voting.ded', plan: 'protocols/voting-scalable.plan.json', roles: ['leader', 'broadcaster', 'collector', 'participant'] },
  { program: 'protocols/2pc.ded', plan: 'protocols/2pc-scalable.plan.json', roles: ['coordinator', 'voteRequester', 'ender', 'committer', 'participant', 'acker'] },
];

describe('scalable plans', () => {
  for (const c of cases) {
    it(`${c.plan} applies and has the paper's roles`, () => {
      const r = rewriteFile(c.program, c.plan);
      expect(r.codes).toEqual([]);
      expect(r.result.result!.analysis.roles.map((x) => x.name).sort()).toEqual([...c.roles].sort());
      // Every role but the one clients write to is partitioned.
      const partitioned = r.result.routing.partitioning.map((p) => p.role).sort();
      expect(partitioned).toEqual(c.roles.slice(1).sort());
    });

    it(`${c.plan} keeps client-visible outputs over ${SEEDS} seeds`, () => {
      const r = rewriteFile(c.program, c.plan);
      const { verdicts, bad } = divergences(r, SEEDS);
      expect(bad).toEqual([]);
      expect(verdicts).toHaveLength(SEEDS);
    });
  }
});
