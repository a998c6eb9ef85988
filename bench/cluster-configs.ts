// What the cluster benchmark compares: three protocols (voting, 2PC, Paxos), each with its base
// plan and its scalable plan, each with per-tick (batched) or per-message frames; the paper's
// names, machine counts, throughputs and scaling factors (Chu et al., SIGMOD 2024; see
// ../../shared/docs/measuring.md); and the partition counts that give the paper's machine
// counts from the scalable plans (a deployment setting: the same build runs with them).

export type Protocol = 'voting' | '2pc' | 'paxos';
export type Plan = 'base' | 'scalable';
export type Frames = 'per-tick' | 'per-message';

export const protocols: readonly Protocol[] = ['voting', '2pc', 'paxos'];
export const plans: readonly Plan[] = ['base', 'scalable'];
/** The paper's setting (no batching) first: it is the main comparison. */
export const framesSettings: readonly Frames[] = ['per-message', 'per-tick'];

export interface ClusterConfig {
  /** `voting-base-tick`, `2pc-scalable-message`, ... */
  readonly key: string;
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly frames: Frames;
  /** The paper's name: Voting, ScalableVoting, 2PC, Scalable2PC, BasePaxos, ScalablePaxos. */
  readonly name: string;
}

export interface PaperNumbers {
  /** Scalable / base throughput, the headline factor. */
  readonly factor: number;
  readonly text: string;
  /** Commands per second and machines (one node per machine), base and scalable. */
  readonly base: { readonly throughput: number; readonly machines: number };
  readonly scalable: { readonly throughput: number; readonly machines: number };
}

export const protocolNames: Record<Protocol, string> = { voting: 'Voting', '2pc': '2PC', paxos: 'Paxos' };

export const planNames: Record<Protocol, Record<Plan, string>> = {
  voting: { base: 'Voting', scalable: 'ScalableVoting' },
  '2pc': { base: '2PC', scalable: 'Scalable2PC' },
  paxos: { base: 'BasePaxos', scalable: 'ScalablePaxos' },
};

export const paper: Record<Protocol, PaperNumbers> = {
  voting: { factor: 2, text: '2x (100k to 250k; artifact CSVs 107k to 249k, 2.3x)', base: { throughput: 100_000, machines: 4 }, scalable: { throughput: 250_000, machines: 26 } },
  '2pc': { factor: 5, text: '5x (30k to 160k; artifact CSVs 29.5k to 166k, 5.6x)', base: { throughput: 30_000, machines: 4 }, scalable: { throughput: 160_000, machines: 46 } },
  paxos: { factor: 3, text: '3x (50k to 150k; artifact CSVs 54k to 150k, 2.8x)', base: { throughput: 50_000, machines: 8 }, scalable: { throughput: 150_000, machines: 29 } },
};

/**
 * Partitions of every partitioned role of the scalable plan, for the paper's machine counts:
 * ScalableVoting 1 leader + 5 broadcasters + 5 collectors + 3 x 5 participants = 26; Scalable2PC
 * 1 coordinator + 5 each of vote requesters, committers and enders + 3 x 5 participants and
 * ackers = 46; ScalablePaxos keeps its plan's 3 (2 proposers, 2 x 3 of each proxy, 3 x 3
 * acceptors, 3 coordinators, 3 replicas = 29).
 */
export const paperPartitions: Record<Protocol, number> = { voting: 5, '2pc': 5, paxos: 3 };

/**
 * Timer periods the bench sets in every deployment it runs, beside the partition counts (the
 * program's declared periods otherwise). Paxos declares `beat` 10 ms and `resend` 100 ms: at the
 * few hundred commands per second this machine reaches on loopback (the paper: 150,000), a
 * heartbeat and an execution report from every replica to every proposer each 10 ms are several
 * frames per command at the proposer, work that is per second, not per command; and a resend
 * period below the latency re-proposes every slot in flight again each period (measured at
 * 32 x 4: 15 p2a per command instead of 3). So the bench runs Paxos with `beat` 100 ms (the
 * leader timeout counts beats) and `resend` 2 s. Each window counts the tuples sent per
 * relation, which shows what is left of both (p2a, heartbeat, executedUpTo).
 */
export const benchTimers: Record<Protocol, Readonly<Record<string, string>>> = { voting: {}, '2pc': {}, paxos: { beat: '100ms', resend: '2s' } };

/**
 * Statics the bench sets. Paxos: proposer 0 runs for leader at its first beat, proposer i after
 * (i + 1) x timeoutBeats beats without a heartbeat. A 37-node start takes up to a minute here,
 * long enough for proposer 1's 40 beats (4 s) to pass before proposer 0 is elected, and then
 * proposer 1 leads and proposer 0 forwards every client command to it (an extra hop the paper's
 * BasePaxos does not have; one run measured so). With 600 beats proposer 1 waits 2 minutes.
 * Each window counts `forwarded` tuples: none when proposer 0 leads.
 */
export const benchStatics: Record<Protocol, Readonly<Record<string, unknown>>> = { voting: {}, '2pc': {}, paxos: { timeoutBeats: [[600]] } };

export const configKey = (protocol: Protocol, plan: Plan, frames: Frames): string => `${protocol}-${plan}-${frames === 'per-tick' ? 'tick' : 'message'}`;

/** Every configuration, per protocol, per frames setting (the main one first), base then scalable. */
export const allConfigs: readonly ClusterConfig[] = protocols.flatMap((protocol) =>
  framesSettings.flatMap((frames) => plans.map((plan) => ({ key: configKey(protocol, plan, frames), protocol, plan, frames, name: planNames[protocol][plan] }))),
);

export const framesLabel = (frames: Frames): string => (frames === 'per-tick' ? 'per-tick (batched)' : 'per-message (unbatched)');
