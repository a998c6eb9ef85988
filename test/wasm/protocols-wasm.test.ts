// Every protocol, before and after each of its rewrite plans, on both back ends in the
// simulator: the same seeded runs must give identical traces (every send, delivery, tick,
// output and client reply, in order) on the interpreter and on the Wasm modules.

import { describe, expect, it } from 'vitest';
import { seedCount } from '../support/seeds.js';
import { clusterFor, rewriteFile } from '../support/rewrite.js';
import { protocolsDir } from '../support/protocol.js';
import { compiled, expectReplies, traceDifferences } from '../support/wasm.js';

const seeds = seedCount(100);
const light = { clients: 2, requests: 5 };

interface Case {
  readonly program: string;
  readonly plans: readonly string[];
  /** A lighter client workload for programs whose interpreter runs are slow. */
  readonly workload?: { clients: number; requests: number };
}

const cases: Case[] = [
  { program: 'voting', plans: ['voting-scalable'] },
  { program: '2pc', plans: ['2pc-scalable'] },
  { program: 'micro/rset', plans: ['micro/rset-decouple', 'micro/rset-partition'], workload: light },
  { program: 'micro/rset-monotonic', plans: ['micro/rset-monotonic'], workload: light },
  { program: 'micro/rset-functional', plans: ['micro/rset-functional'], workload: light },
  { program: 'micro/rset-dependencies', plans: ['micro/rset-dependencies'], workload: light },
  { program: 'micro/rset-partial', plans: ['micro/rset-partial'], workload: light },
  { program: 'micro/rset-scan', plans: ['micro/rset-scan'], workload: light },
  { program: 'micro/sm-dedup', plans: ['micro/sm-dedup'], workload: light },
  { program: 'micro/asym-collect', plans: ['micro/asym-collect'], workload: light },
];

const runs = cases.flatMap((c) => [
  { name: `${c.program} (base)`, program: c.program, plan: undefined as string | undefined, workload: c.workload },
  ...c.plans.map((p) => ({ name: `${c.program} + ${p}.plan.json`, program: c.program, plan: p, workload: c.workload })),
]);

describe(`protocols on both back ends (${seeds} seeds each)`, () => {
  it.each(runs)('$name', async ({ program, plan, workload }) => {
    // For the base program the plan is not used: rewriteFile still loads it with the workload.
    const r = rewriteFile(`${protocolsDir}${program}.ded`, plan ? `${protocolsDir}${plan}.plan.json` : { steps: [] }, workload ? { workload } : {});
    const out = plan ? r.result.result : { analysis: r.analysis, cluster: clusterFor(r.analysis, r.deployment) };
    if (!out) throw new Error(`the rewrite failed: ${r.codes.join('; ')}`);
    expectReplies(out.analysis, out.cluster);
    const modules = await compiled(out.analysis);
    expect(traceDifferences(out.analysis, out.cluster, modules, seeds)).toEqual([]);
  });
});
