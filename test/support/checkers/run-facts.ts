// Helpers for property checkers: the events of a simulated run, grouped the way checkers ask.

import type { Cluster } from '../../../compiler/deploy/resolve-deployment.js';
import type { Row } from '../../../compiler/values/value.js';
import type { SimResult } from '../../../sim/simulator.js';

export interface Sent {
  readonly time: number;
  readonly from: bigint;
  readonly to: bigint;
  readonly row: Row;
}

export interface RunFacts {
  readonly result: SimResult;
  readonly cluster: Cluster;
  /** Messages sent, by relation. */
  sent(relation: string): Sent[];
  /** Messages received by nodes, by relation. */
  received(relation: string): { time: number; at: bigint; row: Row }[];
  /** Output facts, by relation. */
  outputs(relation: string): { time: number; node: bigint; row: Row }[];
  addressesOf(role: string): bigint[];
  name(address: bigint): string;
  /** True if the run had crashes, partitions or message loss. */
  readonly faulty: boolean;
}

export function runFacts(result: SimResult, cluster: Cluster): RunFacts {
  const events = result.events;
  return {
    result,
    cluster,
    sent: (relation) => events.flatMap((e) => (e.kind === 'send' && e.relation === relation ? [{ time: e.time, from: e.from, to: e.to, row: e.row }] : [])),
    received: (relation) => events.flatMap((e) => (e.kind === 'receive' && e.relation === relation ? [{ time: e.time, at: e.at, row: e.row }] : [])),
    outputs: (relation) => events.flatMap((e) => (e.kind === 'output' && e.relation === relation ? [{ time: e.time, node: e.node, row: e.row }] : [])),
    addressesOf: (role) => cluster.nodes.filter((n) => n.role === role).map((n) => n.address),
    name: (a) => cluster.names.get(a) ?? `#${a}`,
    faulty: result.settings.drop > 0 || events.some((e) => e.kind === 'crash' || e.kind === 'partition' || e.kind === 'fault' || e.kind === 'drop'),
  };
}

/** Requests sent by clients (when first sent: a retried request is one request), with the replies each got. */
export function requestsAndReplies(result: SimResult): { client: bigint; seq: number; time: number; row: Row; replies: { time: number; row: Row }[] }[] {
  const requests = new Map<string, { client: bigint; seq: number; time: number; row: Row; replies: { time: number; row: Row }[] }>();
  for (const e of result.events) {
    if (e.kind === 'request' && !requests.has(`${e.client}/${e.seq}`)) requests.set(`${e.client}/${e.seq}`, { client: e.client, seq: e.seq, time: e.time, row: e.row, replies: [] });
  }
  for (const e of result.events) {
    if (e.kind === 'reply' && e.seq !== undefined) requests.get(`${e.client}/${e.seq}`)?.replies.push({ time: e.time, row: e.row });
  }
  return [...requests.values()];
}
