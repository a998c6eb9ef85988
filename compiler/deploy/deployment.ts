// A deployment, as read from a `.deploy.json` file (docs/language.md, "Deployments"): how many
// instances each role runs, the `.static` facts each node gets, timer periods, the client
// workload, the simulator's network and faults, and where each node listens when nodes run as
// processes (`network`). Values that depend on the cluster (an
// address, a count, the node's own address) stay symbolic here; resolve-deployment.ts turns
// them into facts for each node.

import type { SourceFile, Span } from '../source.js';
import type { Value } from '../values/value.js';

/** A cell of a static row. */
export type StaticCell =
  | { readonly kind: 'value'; readonly value: Value; readonly span: Span }
  /** The address of one instance of a role. */
  | { readonly kind: 'addr'; readonly role: string; readonly index: number; readonly span: Span }
  /** Every address of a role: the row is repeated once per instance. */
  | { readonly kind: 'all'; readonly role: string; readonly span: Span }
  /** The number of instances of a role. */
  | { readonly kind: 'count'; readonly role: string; readonly span: Span }
  /** The number of partitions of each instance of a role (1 if it is not partitioned). */
  | { readonly kind: 'partitions'; readonly role: string; readonly span: Span }
  /** The instance of a role with the same index as the receiving node's instance. */
  | { readonly kind: 'peer'; readonly role: string; readonly span: Span }
  /** The instance of a role with the same index as the row's `all` cell (pairs instances up). */
  | { readonly kind: 'same'; readonly role: string; readonly span: Span }
  /**
   * The receiving node's own address (for a partition: its instance's address, the address of
   * partition 0), its instance index, its partition number, or its own node address.
   */
  | { readonly kind: 'self'; readonly what: SelfWhat; readonly span: Span };

export type SelfWhat = 'addr' | 'index' | 'partition' | 'node';
export const selfWhats: readonly SelfWhat[] = ['addr', 'index', 'partition', 'node'];

/** A cell of a client request row. */
export type RequestCell =
  | { readonly kind: 'value'; readonly value: Value; readonly span: Span }
  /** A string in which `{client}` and `{seq}` are replaced. */
  | { readonly kind: 'template'; readonly text: string; readonly span: Span }
  | { readonly kind: 'client'; readonly what: 'addr' | 'index'; readonly span: Span }
  | { readonly kind: 'seq'; readonly span: Span }
  /** One of several values, picked per request by a stable hash of (client index, seq, column). */
  | { readonly kind: 'choose'; readonly choices: readonly (RequestCell & { kind: 'value' | 'template' })[]; readonly span: Span };

/** A role instance: `leader` (instance 0), `leader[2]`, or `leader[*]` (spread over all). */
export interface NodeRef {
  readonly role: string;
  readonly index: number | '*';
  readonly span: Span;
}

export interface Workload {
  readonly count: number;
  readonly requests: number;
  /** Requests a client keeps outstanding (a closed loop when 1). */
  readonly window: number;
  readonly target: NodeRef;
  readonly input: { readonly relation: string; readonly span: Span };
  readonly row: readonly RequestCell[];
  readonly rowSpan: Span;
  readonly reply: { readonly relation: string; readonly column: number | string; readonly span: Span };
  /**
   * Microseconds after which a client sends an unanswered request again, to the next instance
   * of the target role (clients of a protocol with a changing leader); none when undefined.
   */
  readonly retry?: number;
  readonly span: Span;
}

export type Fault =
  | { readonly kind: 'crash'; readonly node: NodeRef; readonly at: number; readonly restart?: number; readonly span: Span }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly NodeRef[])[]; readonly at: number; readonly heal?: number; readonly span: Span };

export interface SimSettings {
  /** Node-to-node message delay, microseconds, uniform in [min, max]. */
  readonly delay: readonly [number, number];
  /** Client-to-node and node-to-client delay. */
  readonly clientDelay: readonly [number, number];
  /** Time from a node having input to its tick, uniform in [min, max]. */
  readonly tickDelay: readonly [number, number];
  /** Probability that a node-to-node message is lost. */
  readonly drop: number;
  /** Simulated time after which the run stops. */
  readonly until: number;
  /** `message`: every message has its own delay; `tick`: a tick's messages to one node travel together. */
  readonly batching: 'message' | 'tick';
  readonly faults: readonly Fault[];
  readonly maxEvents: number;
}

/** A column named in `verify.compare`, where it was written. */
export interface NamedColumn {
  readonly name: string;
  readonly span: Span;
}

/**
 * How `dedc verify` compares the two runs. For each relation in `compare`, the multiset of its
 * client-visible facts projected onto the named columns (dropping the addressee of a reply), in
 * place of the exact facts; relations not listed are compared exactly.
 */
export interface VerifySettings {
  /** Relation to its columns; `span` is the relation's key in the file. */
  readonly compare: ReadonlyMap<string, { readonly columns: readonly NamedColumn[]; readonly span: Span }>;
}

/**
 * A key of `network.nodes`: `role` (only for a role with one instance, not partitioned),
 * `role[i]`, or `role[i].p` (partition p of instance i of a partitioned role).
 */
export interface NetworkNodeName {
  /** As written. */
  readonly text: string;
  readonly role: string;
  readonly index?: number;
  readonly partition?: number;
  readonly span: Span;
}

/** One entry of `network.nodes`: the node named by the key listens on host:port. */
export interface NetworkNodeEntry {
  readonly node: NetworkNodeName;
  /** Absent when the entry gives only a port: the node listens on `network.host`. */
  readonly host?: string;
  readonly port: number;
  /** The entry's value. */
  readonly span: Span;
}

/**
 * Where nodes listen when they run as processes: a default host, a base port (a node without an
 * entry listens on basePort + its address), and entries for single nodes.
 */
export interface NetworkSettings {
  readonly host?: { readonly value: string; readonly span: Span };
  readonly basePort?: { readonly value: number; readonly span: Span };
  readonly nodes: readonly NetworkNodeEntry[];
  readonly span: Span;
}

export interface Deployment {
  /** The file it was read from; undefined for the built-in default. */
  readonly source?: SourceFile;
  /** Instances of each role; a partitioned role runs `partitions` nodes per instance. */
  readonly roles: ReadonlyMap<string, { readonly instances: number; readonly partitions: number; readonly span?: Span }>;
  readonly statics: ReadonlyMap<string, { readonly rows: readonly (readonly StaticCell[])[]; readonly span: Span }>;
  readonly timers: ReadonlyMap<string, { readonly periodMicros: number; readonly span: Span }>;
  readonly clients?: Workload;
  readonly sim: SimSettings;
  readonly verify?: VerifySettings;
  readonly network?: NetworkSettings;
}

export const defaultSimSettings: SimSettings = {
  delay: [100, 5000],
  clientDelay: [100, 1000],
  tickDelay: [0, 50],
  drop: 0,
  until: 60_000_000,
  batching: 'message',
  faults: [],
  maxEvents: 2_000_000,
};
