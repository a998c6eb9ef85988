// The one interface through which anything drives a node: the simulator and the network host
// push input batches, ask whether the node wants to tick, run a tick, and take its output
// batches. The reference interpreter implements it; the Wasm back end will too.

import type { Row } from '../compiler/values/value.js';

/** A node's or client's address: its number in the deployment. */
export type Address = bigint;

export interface Fact {
  readonly relation: string;
  readonly row: Row;
}

export interface Batch {
  readonly relation: string;
  readonly rows: readonly Row[];
}

export interface Message {
  readonly to: Address;
  readonly relation: string;
  readonly row: Row;
}

export interface RuntimeFault {
  readonly code: 'DED501';
  readonly message: string;
}

export interface TickOutput {
  /** The number of the tick that ran, from 0. */
  readonly tick: number;
  /** External facts (messages, client requests, timers) the tick consumed. */
  readonly inputs: number;
  /** `:~` facts, in a deterministic order: by destination, relation, row. */
  readonly sends: readonly Message[];
  /** Facts of `.output` relations that held in this tick, by relation and row. */
  readonly outputs: readonly Fact[];
  /** Facts appended to the durable log in this tick; a host writes them before sending. */
  readonly durable: readonly Fact[];
  /** Set when the tick was abandoned; the node's state is as before the tick. */
  readonly fault?: RuntimeFault;
}

export interface NodeSpec {
  readonly role: string;
  readonly address: Address;
  /** The node's `.static` facts, by relation. */
  readonly statics: ReadonlyMap<string, readonly Row[]>;
  /** Durable facts recovered from the log of an earlier life of this node. */
  readonly recovered?: readonly Fact[];
}

export interface NodeEngine {
  readonly role: string;
  readonly address: Address;
  /** Queues external facts for the next tick. Returns how many rows were rejected (bad shape). */
  push(batch: Batch): number;
  /** Whether the node has something to do: queued input, or state still changing. */
  wantsTick(): boolean;
  tick(): TickOutput;
}
