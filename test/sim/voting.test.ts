// Voting in the deterministic simulator: its properties on many seeds, on reliable and faulty
// networks, and proof that the checker fails on a broken variant of the protocol.

import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim/simulator.js';
import { checkVoting } from '../support/checkers/voting.js';
import { loadProtocol } from '../support/protocol.js';
import { reorderedPairs } from '../support/reordering.js';

/** Seeds of the main property run; `npm run test:long` raises it. */
const SEEDS = Number(process.env['DEDC_SEEDS'] ?? 200);

describe('voting', () => {
  it(`keeps its properties on ${SEEDS} seeds with random delays and reordering`, () => {
    const { analysis, cluster } = loadProtocol('voting');
    let reordered = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = simulate(analysis, cluster, { seed });
      expect(checkVoting(result, cluster), `seed ${seed}`).toEqual([]);
      expect(result.clients.reduce((n, c) => n + c.completed, 0), `seed ${seed}`).toBe(30);
      reordered += reorderedPairs(result);
    }
    // The network did reorder: messages between the same two nodes overtook each other.
    expect(reordered).toBeGreaterThan(SEEDS);
  });

  it('keeps its properties when each tick sends one batch per peer (50 seeds)', () => {
    const { analysis, cluster } = loadProtocol('voting');
    for (let seed = 1; seed <= 50; seed++) {
      const result = simulate(analysis, cluster, { seed, overrides: { batching: 'tick' } });
      expect(checkVoting(result, cluster), `seed ${seed}`).toEqual([]);
    }
  });

  it('stays safe with message loss, a partition and a crashed participant (60 seeds)', () => {
    const { analysis, cluster } = loadProtocol('voting');
    const [leader, p0, p1, p2] = cluster.nodes.map((n) => n.address);
    let unanswered = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const result = simulate(analysis, cluster, {
        seed,
        overrides: { drop: 0.05 },
      });
      const faulty = simulate(analysis, { ...cluster, faults: [
        { kind: 'partition', groups: [[leader!, p0!], [p1!, p2!]], at: 5_000, heal: 15_000 },
        { kind: 'crash', node: p2!, at: 20_000 },
      ] }, { seed });
      for (const r of [result, faulty]) {
        expect(checkVoting(r, cluster), `seed ${seed}`).toEqual([]);
        unanswered += r.clients.reduce((n, c) => n + c.sent - c.completed, 0);
      }
    }
    // Faults did bite: some commands lost their votes and were never answered.
    expect(unanswered).toBeGreaterThan(0);
  });

  it('has a checker that catches a leader replying before every participant voted', () => {
    const { analysis, cluster } = loadProtocol('voting', {
      edit: (t) => t.replace('allVoted(c, id, v) :- numVotes(n, c, id, v), numParticipants(n).', 'allVoted(c, id, v) :- numVotes(n, c, id, v), (n >= 2).'),
    });
    const problems = [1, 2, 3].flatMap((seed) => checkVoting(simulate(analysis, cluster, { seed }), cluster));
    expect(problems.some((p) => p.includes("before participant") && p.includes('vote'))).toBe(true);
  });

  it('has a checker that catches a leader answering a command twice', () => {
    const { analysis, cluster } = loadProtocol('voting', {
      edit: (t) => t.replace('votes(p, c, id, v) :+ votes(p, c, id, v), !answered(c, id).', 'votes(p, c, id, v) :+ votes(p, c, id, v).'),
    });
    const problems = checkVoting(simulate(analysis, cluster, { seed: 1 }), cluster);
    expect(problems.some((p) => /got [2-9] replies|duplicate/.test(p))).toBe(true);
  });
});
