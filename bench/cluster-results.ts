// The shape of bench/results/cluster.json: what run-cluster-bench.ts writes and cluster-report.ts
// and cluster-plot.ts read. A measured window is a RunRecord (one closed-loop load on a running
// cluster); summaries, factors, batching and the latency curves are computed from them
// (cluster-summary.ts); the profiles, the shortfalls and the steady-state run have their own
// records. Every number is a plain JSON number (NaN where a value is missing).

import type { ClusterConfig, Frames, Plan, Protocol } from './cluster-configs.js';
import type { DeploymentCheck } from './cluster-build.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { GitState, Machine } from './harness.js';
import type { CoreUse } from './proc-readings.js';
import type { RuleProfileRun } from './rule-profile.js';
import type { SteadyRun } from './steady-state.js';

export type { ClusterConfig, Frames, Plan, Protocol } from './cluster-configs.js';
export type { CoreUse } from './proc-readings.js';

export interface LoadSettings {
  /** The main load: the same for every configuration, base and scalable alike. */
  readonly clients: number;
  readonly window: number;
  /**
   * Warm-up of a cluster once it has started, before its first measured window: the main load
   * from other client addresses, until this many commands are answered or the time limit passes.
   */
  readonly warmupCommands: number;
  readonly warmupLimitMs: number;
  /** Each measured window's own unmeasured start (its clients connect and fill their windows). */
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  /** Main-load windows per configuration, per frames setting. */
  readonly repetitions: Readonly<Record<Frames, number>>;
  /** The Figure 7 curves: these client counts at this window, on the clusters of this frames setting. */
  readonly curve: { readonly frames: Frames; readonly clients: readonly number[]; readonly window: number; readonly warmupMs: number; readonly durationMs: number };
  /**
   * The steady-state run: these configurations, this long (after an unmeasured start of
   * `warmupMs`, longer than a window's: the load it follows was lighter), memory sampled this often.
   */
  readonly steady: { readonly configs: readonly string[]; readonly seconds: number; readonly warmupMs: number; readonly sampleSeconds: number; readonly edgeSeconds: number };
}

export interface NodeRun {
  readonly name: string;
  readonly role: string;
  readonly cpuMs: number;
  readonly cpuMicrosPerCommand: number;
  readonly ticksPerCommand: number;
  readonly framesInPerCommand: number;
  readonly framesOutPerCommand: number;
  readonly framesRejected: number;
  /** From /proc/<pid> over the measured window: the share of its CPU time spent in the kernel, and context switches per command. */
  readonly systemShare?: number;
  readonly voluntarySwitchesPerCommand?: number;
  readonly involuntarySwitchesPerCommand?: number;
}

/** main: the main load, counted in the medians; curve: a Figure 7 point; steady: the long window; profile: under the profiler. */
export type RunKind = 'main' | 'curve' | 'steady' | 'profile';

export interface HostCounters {
  readonly sendsDropped: number;
  readonly retransmitted: number;
  readonly tickFaults: number;
  readonly duplicateFrames: number;
  readonly framesRejected: number;
}

export interface Warmup {
  /** How long until the cluster answered its first command (a probe of one request at a time). */
  readonly readySeconds?: number;
  readonly commands: number;
  readonly seconds: number;
  readonly timeouts: number;
  readonly duplicates: number;
  readonly late: number;
  readonly unexpected: number;
}

/** One measured window: a closed-loop load on a running cluster. */
export interface RunRecord {
  readonly config: string;
  readonly kind: RunKind;
  readonly repetition: number;
  readonly clients: number;
  readonly window: number;
  /** The cluster it ran on (one per configuration and frames setting, or per profile), and which of its windows it was, from 1. */
  readonly session: number;
  readonly order: number;
  readonly basePort: number;
  readonly nodes: number;
  /** The cluster's start (every node process until each listens), s, and its warm-up. */
  readonly startSeconds: number;
  readonly warmup: Warmup;
  /** Set when the window did not complete (a node did not start or died, the load failed). */
  readonly error?: string;
  readonly throughput: number;
  readonly completed: number;
  readonly measuredSeconds: number;
  /** µs. */
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number; readonly mean: number };
  readonly timeouts: number;
  readonly duplicates: number;
  /** Replies that came after their request had timed out. */
  readonly late: number;
  readonly unexpected: number;
  readonly refused: number;
  readonly outstanding: number;
  /** Highest CPU per command first. */
  readonly nodeCosts: readonly NodeRun[];
  /** The costliest node, and how many commands each of its ticks carried (commands / its ticks). */
  readonly bottleneck: { readonly name: string; readonly role: string; readonly cpuMicrosPerCommand: number; readonly commandsPerTick: number };
  /** Commands per second with a core per node: 1e6 / the bottleneck's µs per command. */
  readonly bound: number;
  /** CPU µs per command over every node. */
  readonly totalCpuMicrosPerCommand: number;
  /** Frames every node sent, per command (replies to clients included). */
  readonly framesOutPerCommand: number;
  readonly cores?: CoreUse;
  /** From the nodes' /metrics over the measured window, and since the cluster started. */
  readonly host: HostCounters;
  readonly hostSinceStart: HostCounters;
  /** Tuples sent per relation over every node, per command, in the measured window (Paxos's p1a and p1bEntry show a leader election). */
  readonly sentPerCommand: Readonly<Record<string, number>>;
  /** Nodes that exited while the cluster ran, and how. */
  readonly nodeExits: readonly string[];
  /** Nodes that did not exit with status 0 when the cluster stopped (on its last window). */
  readonly unclean: readonly string[];
  /** Lines the nodes printed besides "listening" and "stopped" (warnings) during this window, the first few, and how many. */
  readonly logLines: readonly string[];
  readonly logLineCount: number;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface ConfigSummary {
  readonly config: string;
  readonly name: string;
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly frames: Frames;
  readonly nodes: number;
  readonly runs: number;
  readonly failedRuns: number;
  readonly throughput: Spread;
  readonly p50Micros: Spread;
  readonly p99Micros: Spread;
  readonly bottleneckMicros: Spread;
  /** 1e6 / the median bottleneck cost. */
  readonly bound: number;
  /** The bottleneck node of each run, with how many runs it was the bottleneck in. */
  readonly bottlenecks: readonly { readonly name: string; readonly role: string; readonly runs: number }[];
  readonly bottleneckCommandsPerTick: Spread;
  readonly totalCpuMicrosPerCommand: Spread;
  readonly framesOutPerCommand: Spread;
  /** Each node's median over the runs, highest first. */
  readonly nodeCosts: readonly (NodeRun & { readonly min: number; readonly max: number })[];
  readonly anomalies: { readonly timeouts: number; readonly duplicates: number; readonly late: number; readonly unexpected: number; readonly refused: number; readonly sendsDropped: number; readonly retransmitted: number; readonly tickFaults: number; readonly nodeExits: number; readonly logLines: number };
  /** Medians over the runs. */
  readonly cores?: Omit<CoreUse, 'seconds'>;
}

export interface Factor {
  readonly protocol: Protocol;
  readonly frames: Frames;
  readonly base: string;
  readonly scalable: string;
  readonly baseNodes: number;
  readonly scalableNodes: number;
  readonly baseBottleneck: string;
  readonly scalableBottleneck: string;
  readonly baseBottleneckMicros: number;
  readonly scalableBottleneckMicros: number;
  /** Base bottleneck cost / scalable bottleneck cost (medians, same load): the factor of the bounds. */
  readonly factor: number;
  /** The same factor per repetition (each base window and the scalable window after it). */
  readonly perRepetition: readonly number[];
  readonly paper: { readonly factor: number; readonly text: string };
  /** Whether the factor reaches the paper's. */
  readonly reached: boolean;
  readonly baseBound: number;
  readonly scalableBound: number;
  /** Scalable / base: total CPU per command over every node (what the rewrite costs in work). */
  readonly totalCpuRatio: number;
  /** Scalable / base: the loopback throughput this 2-core machine achieved (not the scaling). */
  readonly throughputRatio: number;
  /** Commands per tick at each bottleneck: how much the two batched. */
  readonly baseCommandsPerTick: number;
  readonly scalableCommandsPerTick: number;
}

export interface BatchingRow {
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly name: string;
  readonly tick: string;
  readonly message: string;
  readonly tickBottleneckMicros: number;
  readonly messageBottleneckMicros: number;
  /** Per-message bottleneck cost / per-tick. */
  readonly costRatio: number;
  readonly tickThroughput: number;
  readonly messageThroughput: number;
  /** Per-tick throughput / per-message. */
  readonly throughputRatio: number;
  readonly tickFramesPerCommand: number;
  readonly messageFramesPerCommand: number;
  readonly tickTotalCpu: number;
  readonly messageTotalCpu: number;
}

/** A configuration's Figure 7 curve (and its main load): throughput, latency and the bottleneck's cost at each load. */
export interface LatencyCurve {
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly config: string;
  readonly name: string;
  readonly points: readonly {
    readonly clients: number;
    readonly window: number;
    readonly kind: RunKind;
    readonly throughput: number;
    readonly p50Micros: number;
    readonly p99Micros: number;
    readonly bottleneckMicros: number;
    readonly bottleneck: string;
    readonly commandsPerTick: number;
    readonly totalCpuMicrosPerCommand: number;
  }[];
}

export interface ProfileRun {
  readonly config: string;
  readonly run: RunRecord;
  readonly node: string;
  readonly summary?: ProfileSummary;
  readonly error?: string;
}

/** A protocol whose factor falls short of the paper's: where the scalable plan's bottleneck is and what it spends its CPU on. */
export interface Shortfall {
  readonly protocol: Protocol;
  readonly frames: Frames;
  readonly factor: number;
  readonly paperFactor: number;
  readonly config: string;
  readonly name: string;
  readonly node: string;
  readonly role: string;
  readonly cpuMicrosPerCommand: number;
  /** The bottleneck node's data frames in and out per command, and its CPU per data frame. */
  readonly framesPerCommand: number;
  readonly microsPerFrame: number;
  /** The base plan's bottleneck, for comparison. */
  readonly base: { readonly node: string; readonly cpuMicrosPerCommand: number; readonly framesPerCommand: number; readonly microsPerFrame: number };
  /** Base bottleneck's frames per command / the scalable bottleneck's: the factor if a frame cost the same in both plans. */
  readonly frameFactor: number;
  /** The share of the node's CPU in its Wasm module (the rules), from the V8 profile. */
  readonly wasmShare?: number;
  /** The hottest rule on the node (simulated run of the profiling build), with its share of the node's rule time. */
  readonly rule?: { readonly label: string; readonly text: string; readonly share: number; readonly microsPerCommand: number };
  /** Time in all the node's rules per command (simulated), against its measured CPU per command. */
  readonly rulesMicrosPerCommand?: number;
  /** The V8 profile's categories for that node, when it was profiled. */
  readonly cpu?: readonly { readonly category: string; readonly share: number }[];
}

export interface ClusterBenchResults {
  readonly date: string;
  readonly git?: GitState;
  readonly mode: 'full' | 'quick';
  readonly seconds: number;
  readonly machine: Machine;
  readonly load: LoadSettings;
  /** The frames setting of the main comparison (the paper's: per-message). */
  readonly mainFrames: Frames;
  /** How the runs were set up, in words (for the report). */
  readonly setup: readonly string[];
  /** Each build against the paper's machine count. */
  readonly deployments: readonly DeploymentCheck[];
  readonly configs: readonly ClusterConfig[];
  /** Every measured window, in the order they ran (profiled ones in `profiles`). */
  readonly runs: readonly RunRecord[];
  readonly summaries: readonly ConfigSummary[];
  readonly factors: readonly Factor[];
  readonly batching: readonly BatchingRow[];
  readonly curves: readonly LatencyCurve[];
  readonly profiles: readonly ProfileRun[];
  readonly ruleProfiles: readonly RuleProfileRun[];
  readonly shortfalls: readonly Shortfall[];
  readonly steady: readonly SteadyRun[];
  /** Runs not made (the time limit), and other problems of the run as a whole. */
  readonly notes: readonly string[];
}
