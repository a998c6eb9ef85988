// Two-phase commit in the deterministic simulator: atomicity, abort on a no vote and
// completion on many seeds; safety under loss, partitions and crashes with restarts; and
// proof that the checker fails on broken variants of the protocol.

import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim/simulator.js';
import { checkTwoPhaseCommit } from '../support/checkers/two-phase-commit.js';
import { loadProtocol } from '../support/protocol.js';
import { reorderedPairs } from '../support/reordering.js';

/** Seeds of the main property run; `npm run test:long` raises it. */
const SEEDS = Number(process.env['DEDC_SEEDS'] ?? 200);

describe('two-phase commit', () => {
  it(`is atomic, aborts on a no vote and completes every transaction on ${SEEDS} seeds with reordering`, () => {
    const { analysis, cluster } = loadProtocol('2pc');
    let aborted = 0;
    let committed = 0;
    let reordered = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = simulate(analysis, cluster, { seed });
      expect(checkTwoPhaseCommit(result, cluster), `seed ${seed}`).toEqual([]);
      for (const e of result.events) {
        if (e.kind === 'output' && e.relation === 'decision') (e.row[2] === 'commit' ? committed++ : aborted++);
      }
      reordered += reorderedPairs(result);
    }
    // Both outcomes happened, and often: the property checks were not vacuous.
    expect(aborted).toBeGreaterThan(5 * SEEDS);
    expect(committed).toBeGreaterThan(5 * SEEDS);
    expect(reordered).toBeGreaterThan(SEEDS);
  });

  it('stays atomic with message loss, partitions and crashes with restarts (60 seeds)', () => {
    const { analysis, cluster } = loadProtocol('2pc');
    const [coordinator, p0, p1] = cluster.nodes.map((n) => n.address);
    let restarts = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const lossy = simulate(analysis, cluster, { seed, overrides: { drop: 0.05 } });
      const faulty = simulate(analysis, { ...cluster, faults: [
        { kind: 'crash', node: p0!, at: 4_000, restart: 12_000 },
        { kind: 'crash', node: coordinator!, at: 25_000, restart: 30_000 },
        { kind: 'partition', groups: [[coordinator!, p1!]], at: 35_000, heal: 45_000 },
      ] }, { seed });
      for (const r of [lossy, faulty]) expect(checkTwoPhaseCommit(r, cluster), `seed ${seed}`).toEqual([]);
      restarts += faulty.events.filter((e) => e.kind === 'restart').length;
    }
    expect(restarts).toBe(120);
  });

  it('reloads durable state after a restart: a coordinator that logged a commit does not decide again', () => {
    const { analysis, cluster } = loadProtocol('2pc', { clients: 1, requests: 20, window: 4 });
    const coordinator = cluster.nodes[0]!.address;
    for (let seed = 1; seed <= 20; seed++) {
      // Crash the coordinator right after its first commit is logged, and restart it soon after.
      const calm = simulate(analysis, cluster, { seed });
      const firstLog = calm.events.find((e) => e.kind === 'durable' && e.node === coordinator && e.relation === 'committing');
      expect(firstLog, `seed ${seed}`).toBeDefined();
      const crashAt = firstLog!.time + 1;
      const result = simulate(analysis, { ...cluster, faults: [{ kind: 'crash', node: coordinator, at: crashAt, restart: crashAt + 500 }] }, { seed });
      expect(result.events.some((e) => e.kind === 'restart' && e.node === coordinator), `seed ${seed}`).toBe(true);
      // The checker rejects a second decision for a transaction, and a commit it forgot.
      expect(checkTwoPhaseCommit(result, cluster), `seed ${seed}`).toEqual([]);
    }
  });

  it('has a checker that catches a coordinator committing on a majority of yes votes', () => {
    const { analysis, cluster } = loadProtocol('2pc', {
      edit: (t) => t.replace('commitNow(c, tx) :- yesVotes(n, c, tx), numParticipants(n), !committing(c, tx).', 'commitNow(c, tx) :- yesVotes(n, c, tx), (n >= 2), !committing(c, tx).'),
    });
    const problems = [1, 2, 3].flatMap((seed) => checkTwoPhaseCommit(simulate(analysis, cluster, { seed }), cluster));
    expect(problems.some((p) => p.includes('although a participant voted no') || p.startsWith('atomicity'))).toBe(true);
  });

  it('has a checker that catches participants that forget aborts overtaken by reordering', () => {
    const { analysis, cluster } = loadProtocol('2pc', {
      edit: (t) =>
        t
          .replace('prepared(c, tx) :+ voteReq(_, c, tx, _), !refuse(c, tx), !knownAborted(c, tx).', 'prepared(c, tx) :+ voteReq(_, c, tx, _), !refuse(c, tx).')
          .replace(/outcomeAborted:[^.]*\./, 'outcomeAborted: outcome(me, c, tx, "aborted") :- abort(c, tx), prepared(c, tx), self(me).'),
    });
    const problems = Array.from({ length: 20 }, (_, i) => i + 1).flatMap((seed) => checkTwoPhaseCommit(simulate(analysis, cluster, { seed }), cluster));
    expect(problems.some((p) => p.includes('did not abort it'))).toBe(true);
  });
});
