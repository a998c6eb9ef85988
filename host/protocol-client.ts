// A client of a running cluster, as a library: it has an address like a node, opens one
// authenticated link to each node it talks to (the ones it sends requests to and the ones that
// reply to it), and receives the replies addressed to it over those same connections, so a
// client listens on no port. Requests are `.input` facts sent as records in data frames.
//
//   const client = new ProtocolClient({ address, secret, relations, nodes, onRows });
//   await client.ready();                       // every node has acknowledged the hello
//   client.send(leader, 'clientIn', [[address, 1n, 'cmd']]);

import { randomBytes } from 'node:crypto';
import type { RelationEntry } from '../compiler/ir/relation-table.js';
import type { Row } from '../compiler/values/value.js';
import { decodeRecords, encodeRecord, RecordKind } from '../engine/wasm/records.js';
import type { Frame } from './frame.js';
import type { Endpoint } from './node-host.js';
import { ReliableLink } from './reliable-link.js';

export interface ProtocolClientOptions {
  /** The client's own address: requests carry it, replies are addressed to it. */
  readonly address: bigint;
  readonly secret: string;
  /** The build's relation table (manifest.relations). */
  readonly relations: readonly RelationEntry[];
  /** Every node to connect to, by address. */
  readonly nodes: ReadonlyMap<bigint, Endpoint>;
  /** Called with the rows of each record addressed to this client. */
  readonly onRows: (relation: RelationEntry, rows: Row[]) => void;
  readonly log?: (line: string) => void;
}

export class ProtocolClient {
  private readonly links = new Map<bigint, ReliableLink>();
  /** Requests refused because a link's bound was reached. */
  refused = 0;

  constructor(private readonly options: ProtocolClientOptions) {
    const incarnation = randomBytes(8).readBigUInt64LE();
    for (const [address, at] of options.nodes) {
      this.links.set(
        address,
        new ReliableLink(`ws://${endpointHost(at.host)}:${at.port}/`, {
          sender: options.address,
          secret: options.secret,
          incarnation,
          onFrame: (frame) => this.receive(frame),
          ...(options.log ? { log: options.log } : {}),
        }),
      );
    }
  }

  /** Resolves when every node has acknowledged this client's hello. */
  async ready(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.ready()));
  }

  /** Sends rows of an input relation to a node; false if refused (unknown node, full queue). */
  send(node: bigint, relation: string, rows: readonly Row[]): boolean {
    const entry = this.options.relations.find((r) => r.name === relation);
    const link = this.links.get(node);
    if (!entry || !link) throw new Error(`internal: no ${entry ? `link to node ${node}` : `relation ${relation}`}`);
    const ok = link.send(encodeRecord(RecordKind.message, { id: entry.id, types: entry.columns.map((c) => c.type) }, rows));
    if (!ok) this.refused++;
    return ok;
  }

  private receive(frame: Frame): void {
    if (frame.kind !== 'data') return;
    const relations = this.options.relations;
    let records;
    try {
      records = decodeRecords(frame.payload, (id) => relations[id]?.columns.map((c) => c.type));
    } catch {
      this.options.log?.('a reply frame held a malformed record');
      return;
    }
    for (const rec of records) this.options.onRows(relations[rec.relation]!, rec.rows);
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.close()));
  }
}

/** IPv6 literals go in brackets in a URL. */
export function endpointHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
