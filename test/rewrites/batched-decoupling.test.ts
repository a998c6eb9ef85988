// The decouplings that keep the order and grouping of ticks (TR A.4, A.5) on programs of their
// own, besides the microbenchmarks: state-machine decoupling of a ledger whose two inputs, a
// relation the old role derives and a channel it receives, travel in the same batches; and
// asymmetric decoupling of a vote collection that sends two relations back. Each plan applies,
// wires what it should, and the rewritten program gives clients and outputs exactly what the
// original gives, over many seeds (DEDC_REWRITE_SEEDS, 200 by default).

import { describe, expect, it } from 'vitest';
import { rewriteFile, divergences } from '../support/rewrite.js';

/** Two clients with five requests each per seed, so that 200 seeds stay fast. */
const LIGHT = { clients: 2, requests: 5 };
const SEEDS = Number(process.env['DEDC_REWRITE_SEEDS'] ?? 200);
const PROGRAMS = 'test/rewrites/programs';

interface Forwarding {
  readonly carries: string;
  readonly from: string;
  readonly to: string;
  readonly how: string;
}

const cases: { program: string; plan: string; roles: string[]; forwarding: Forwarding[]; unchanged: string[] }[] = [
  {
    program: `${PROGRAMS}/sm-ledger.ded`,
    plan: `${PROGRAMS}/sm-ledger.plan.json`,
    roles: ['leader', 'ledger', 'replica'],
    // Both inputs go through the leader, in its batches: the replicas' acks are not redirected.
    forwarding: [
      { carries: 'ack', from: 'leader', to: 'ledger', how: 'forward' },
      { carries: 'request', from: 'leader', to: 'ledger', how: 'forward' },
    ],
    unchanged: ['ackReq: ack@l(me, c, id) :~ storeReq(l, c, id), self(me).'],
  },
  {
    program: `${PROGRAMS}/asym-outcome.ded`,
    plan: `${PROGRAMS}/asym-outcome.plan.json`,
    roles: ['collector', 'leader', 'replica'],
    // Votes go to the collector directly; both decisions come back to the leader in batches.
    forwarding: [
      { carries: 'vote', from: 'leader', to: 'collector', how: 'redirect' },
      { carries: 'aborted', from: 'collector', to: 'leader', how: 'forward' },
      { carries: 'committed', from: 'collector', to: 'leader', how: 'forward' },
    ],
    unchanged: ['broadcast: storeReq@r(me, c, id, v) :~ clientIn(c, id, v), replicas(r), self(me).'],
  },
];

describe('state-machine and asymmetric decoupling', () => {
  for (const c of cases) {
    it(`${c.plan} applies and wires its inputs and outputs`, () => {
      const r = rewriteFile(c.program, c.plan);
      expect(r.codes).toEqual([]);
      const out = r.result.result!;
      expect(out.analysis.roles.map((x) => x.name).sort()).toEqual(c.roles);
      expect(r.result.routing.forwarding.map(({ carries, from, to, how }) => ({ carries, from, to, how }))).toEqual(c.forwarding);
      for (const rule of c.unchanged) expect(out.source.text).toContain(rule);
    });

    it(`${c.plan} keeps client-visible outputs over ${SEEDS} seeds`, () => {
      const r = rewriteFile(c.program, c.plan, { workload: LIGHT });
      const { verdicts, bad } = divergences(r, SEEDS);
      expect(bad).toEqual([]);
      expect(verdicts).toHaveLength(SEEDS);
    });
  }
});
