// Steps compose: a role made by a batching rewrite can be partitioned by a later step when it
// sends the batches (each partition numbers its own), and the partition step refuses a role that
// receives an ordered batch stream, which one node must process.

import { describe, expect, it } from 'vitest';
import { divergences, rewriteFile } from '../support/rewrite.js';

const SEEDS = Number(process.env.DEDC_REWRITE_SEEDS ?? 200);
const collector = { decouple: 'leader', rules: ['collect', 'countAcks', 'quorum', 'complete', 'reply'], to: 'collector', kind: 'asymmetric' };
const deduper = { decouple: 'frontend', rules: ['remember', 'earlier', 'winner', 'first', 'again'], to: 'deduper', kind: 'state-machine' };

describe('composed steps', () => {
  it(`asymmetric decoupling, then the new role partitioned: verified over ${SEEDS} seeds`, () => {
    const r = rewriteFile('protocols/micro/asym-collect.ded', { steps: [collector, { partition: 'collector', partitions: 3 }] }, { workload: { clients: 2, requests: 5 } });
    expect(r.codes).toEqual([]);
    const keys = r.result.routing.partitioning[0]!.keys.map((k) => k.relation);
    expect(keys).toContain('ack');
    // The batch machinery is per node, and the acknowledgements are not rerouted.
    for (const name of r.result.routing.perNode) expect(keys).not.toContain(name);
    for (const name of r.result.routing.nodeAddressed) expect(keys).not.toContain(name);
    expect(divergences(r, SEEDS).bad).toEqual([]);
  }, 120_000);

  it('a role that receives batches cannot be partitioned afterwards: DED317', () => {
    const r = rewriteFile('protocols/micro/sm-dedup.ded', { steps: [deduper, { partition: 'deduper', partitions: 2 }] });
    expect(r.result.result).toBeUndefined();
    expect(r.codes.map((c) => c.slice(0, 6))).toEqual(['DED317']);
    // Bypassing the checks does not help: the stream is a mechanism's limit, not a precondition.
    const u = rewriteFile('protocols/micro/sm-dedup.ded', { steps: [deduper, { partition: 'deduper', partitions: 2 }] }, { unchecked: true });
    expect(u.codes.map((c) => c.slice(0, 6))).toEqual(['DED317']);
  });
});
