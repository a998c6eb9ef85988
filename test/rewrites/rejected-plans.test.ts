// Plans that break a precondition are rejected with the right diagnostic, at least two per
// rewrite kind built; and with the checks bypassed (`unchecked`), the verifier finds a
// divergence for most of them: the checks protect against real bugs, and the test says which.

import { describe, expect, it } from 'vitest';
import { rewriteFile, verifyRewrite } from '../support/rewrite.js';

const VOTING = 'protocols/voting.ded';
const TWO_PC = 'protocols/2pc.ded';
const MATCHER = 'test/rewrites/programs/matcher.ded';
const RSET_SCAN = 'protocols/micro/rset-scan.ded';
const RSET_PARTIAL = 'protocols/micro/rset-partial.ded';
const PROGRAMS = 'test/rewrites/programs';
const collectors = { decouple: 'leader', rules: ['reply'], relations: ['votes', 'numVotes', 'allVoted', 'answered'], to: 'collector', kind: 'mutually-independent' };

interface Case {
  readonly name: string;
  readonly program: string;
  readonly steps: readonly object[];
  readonly code: string;
  /** Whether bypassing the check must lead to a divergence the verifier sees. */
  readonly diverges: boolean;
}

const cases: Case[] = [
  {
    name: 'mutually independent: commit rules without the vote collection they read',
    program: TWO_PC,
    steps: [{ decouple: 'coordinator', rules: ['sendCommit'], relations: ['commitNow'], to: 'committer', kind: 'mutually-independent' }],
    code: 'DED311',
    diverges: true,
  },
  {
    name: 'mutually independent: `answered`, which the vote persistence reads',
    program: VOTING,
    steps: [{ decouple: 'leader', relations: ['answered'], to: 'answers', kind: 'mutually-independent' }],
    code: 'DED311',
    diverges: true,
  },
  {
    name: 'functional: the vote count (an aggregate)',
    program: VOTING,
    steps: [{ decouple: 'leader', relations: ['numVotes'], to: 'counter', kind: 'functional' }],
    code: 'DED313',
    diverges: true,
  },
  {
    name: 'functional: voting yes (negation; joins two IDB relations)',
    program: TWO_PC,
    steps: [{ decouple: 'participant', rules: ['voteYes'], to: 'yesVoter', kind: 'functional' }],
    code: 'DED313',
    diverges: true,
  },
  {
    name: 'monotonic: deciding to abort (negation over a relation derived each tick)',
    program: TWO_PC,
    steps: [{ decouple: 'coordinator', rules: ['sendAbort', 'replyAborted'], relations: ['abortNow'], to: 'aborter', kind: 'monotonic' }],
    code: 'DED312',
    diverges: true,
  },
  {
    name: 'monotonic: reporting aborts (negation over the non-persisted `refuse`)',
    program: TWO_PC,
    steps: [{ decouple: 'participant', rules: ['outcomeAborted'], to: 'reporter', kind: 'monotonic' }],
    code: 'DED312',
    diverges: false,
  },
  {
    name: 'co-hashing: a join through arithmetic, no shared key',
    program: MATCHER,
    steps: [{ partition: 'back', partitions: 2, policy: 'co-hashing' }],
    code: 'DED315',
    diverges: true,
  },
  {
    name: 'co-hashing: collectors keyed by participant, but votes are counted across participants',
    program: VOTING,
    steps: [collectors, { partition: 'collector', partitions: 3, policy: 'co-hashing', keys: { vote: ['participant'] } }],
    code: 'DED315',
    diverges: true,
  },
  {
    name: 'dependencies: a join through arithmetic has no dependency either',
    program: MATCHER,
    steps: [{ partition: 'back', partitions: 2, policy: 'dependencies' }],
    code: 'DED316',
    diverges: true,
  },
  {
    name: 'dependencies: collectors keyed by participant',
    program: VOTING,
    steps: [collectors, { partition: 'collector', partitions: 3, policy: 'dependencies', keys: { vote: ['participant'] } }],
    code: 'DED316',
    diverges: true,
  },
  {
    name: 'state machine: the pairing remembers the previous tick with a `:+` rule that is not persistence',
    program: `${PROGRAMS}/sm-lag.ded`,
    steps: [{ decouple: 'front', rules: ['lag', 'pair'], to: 'pairer', kind: 'state-machine' }],
    code: 'DED314',
    diverges: true,
  },
  {
    name: 'state machine: the teller reads `log`, which the front keeps persisted (a batch in every tick)',
    program: `${PROGRAMS}/sm-log.ded`,
    steps: [{ decouple: 'front', rules: ['tally', 'answer'], to: 'teller', kind: 'state-machine' }],
    code: 'DED314',
    diverges: true,
  },
  {
    name: 'state machine: the front reads `refused`, which the memory derives (independence)',
    program: `${PROGRAMS}/sm-seen.ded`,
    steps: [{ decouple: 'front', rules: ['remember', 'again'], to: 'memory', kind: 'state-machine' }],
    code: 'DED310',
    diverges: true,
  },
  {
    name: 'asymmetric: the checker reads `request`, which the front derives (independence)',
    program: `${PROGRAMS}/asym-cycle.ded`,
    steps: [{ decouple: 'front', rules: ['check', 'audit'], to: 'checker', kind: 'asymmetric' }],
    code: 'DED310',
    diverges: true,
  },
  {
    name: 'asymmetric: the leader reads the persisted `acks`, an output of the collector that is not a state machine',
    program: `${PROGRAMS}/asym-acks.ded`,
    steps: [{ decouple: 'leader', rules: ['collect', 'report'], to: 'collector', kind: 'asymmetric' }],
    code: 'DED314',
    diverges: true,
  },
  {
    name: 'asymmetric: a quorum by negation over the non-persisted `short` (neither monotonic nor functional)',
    program: `${PROGRAMS}/asym-quorum.ded`,
    steps: [{ decouple: 'leader', rules: ['collect', 'countAcks', 'lacking', 'quorum', 'complete', 'reply'], to: 'collector', kind: 'asymmetric' }],
    code: 'DED312',
    diverges: false,
  },
  {
    name: 'partial: scan counts partitioned without sealing (a zero count bound only by replicated scans)',
    program: RSET_SCAN,
    steps: [{ partition: 'replica', partitions: 2, policy: 'partial', replicate: ['scanReq', 'scans'], coordinator: 'coordinator' }],
    code: 'DED316',
    diverges: true,
  },
  {
    name: 'partial: the replicated integer without `intUpdate`, the channel it is learnt from',
    program: RSET_PARTIAL,
    steps: [{ partition: 'replica', partitions: 2, policy: 'partial', replicate: ['replicaInts', 'knownInt', 'latestInt'] }],
    code: 'DED320',
    diverges: false,
  },
  {
    name: 'sealing: scan counts sealed, but the scans themselves partitioned (no replicated input to answer)',
    program: RSET_SCAN,
    steps: [{ partition: 'replica', partitions: 2, policy: 'partial', replicate: ['scanReq'], sealing: ['scanCount'] }],
    code: 'DED320',
    diverges: true,
  },
  {
    name: 'sealing: a count that reads only the replicated scans (every partition would claim every entry)',
    program: 'test/rewrites/programs/scan-constant.ded',
    steps: [{ partition: 'replica', partitions: 2, policy: 'partial', replicate: ['scanReq', 'scans'], sealing: ['scanCount'] }],
    code: 'DED320',
    diverges: true,
  },
];

describe('plans that break a precondition', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.code}`, () => {
      const r = rewriteFile(c.program, { steps: c.steps });
      expect(r.result.result).toBeUndefined();
      expect(r.codes.map((x) => x.slice(0, 6))).toContain(c.code);
      // Every problem points somewhere.
      for (const p of r.result.problems) expect(p.diagnostic.span).toBeDefined();
    });
  }

  it('bypassing the checks, the verifier finds a divergence for most of them', () => {
    const found: string[] = [];
    for (const c of cases) {
      const r = rewriteFile(c.program, { steps: c.steps }, { unchecked: true });
      // A rewrite whose result does not even check counts as caught.
      const diverged = !r.result.result || verifyRewrite(r, 30).some((v) => !v.ok);
      if (diverged) found.push(c.name);
      if (c.diverges) expect.soft(diverged, c.name).toBe(true);
    }
    // Which ones diverge, by name (see `diverges` above); at least half of them.
    expect(found.length).toBeGreaterThanOrEqual(cases.length / 2);
    expect(found).toEqual(cases.filter((c) => c.diverges).map((c) => c.name));
  }, 600_000);
});
