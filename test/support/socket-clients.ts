// The deployment's clients over real sockets, for host tests: each client listens on its own
// endpoint for replies, sends all its workload requests to its target node in one
// authenticated data frame, and counts the replies per request number.

import type { Cluster } from '../../compiler/deploy/resolve-deployment.js';
import type { RelationEntry } from '../../compiler/ir/relation-table.js';
import { decodeRecords, encodeRecord, RecordKind } from '../../engine/wasm/records.js';
import { decodeFrame, encodeFrame } from '../../host/frame.js';
import { listen, type InboundServer } from '../../host/inbound-server.js';
import type { Endpoint } from '../../host/node-host.js';
import { PeerLink } from '../../host/peer-link.js';

export interface SocketClients {
  /** Per client address: request number -> replies received. */
  readonly replies: Map<bigint, Map<number, number>>;
  /** Waits (at most `ms`) until every request has a reply; returns how many have. */
  waitForReplies(ms: number): Promise<number>;
  close(): Promise<void>;
}

export function startClients(cluster: Cluster, relations: readonly RelationEntry[], endpoints: ReadonlyMap<bigint, Endpoint>, secret: string): SocketClients {
  const workload = cluster.workload!;
  const input = relations.find((r) => r.name === workload.input)!;
  const reply = relations.find((r) => r.name === workload.reply)!;
  const replies = new Map<bigint, Map<number, number>>();
  const servers: InboundServer[] = [];
  const links: PeerLink[] = [];
  for (const c of cluster.clients) {
    const got = new Map<number, number>();
    replies.set(c.address, got);
    servers.push(
      listen({ ...endpoints.get(c.address)! }, (bytes) => {
        const d = decodeFrame(bytes, secret, { maxPayload: 1 << 24 });
        if (!d.ok || d.frame.kind !== 'data') return;
        for (const rec of decodeRecords(d.frame.payload, (id) => relations[id]?.columns.map((x) => x.type))) {
          if (rec.relation !== reply.id) continue;
          for (const row of rec.rows) {
            const seq = Number(row[workload.replySeqColumn] as bigint);
            got.set(seq, (got.get(seq) ?? 0) + 1);
          }
        }
      }),
    );
    const target = endpoints.get(c.target)!;
    const link = new PeerLink(`ws://${target.host}:${target.port}/`);
    links.push(link);
    const rows = Array.from({ length: workload.requests }, (_, i) => workload.request(c, i + 1));
    const payload = encodeRecord(RecordKind.message, { id: input.id, types: input.columns.map((x) => x.type) }, rows);
    link.send(encodeFrame({ kind: 'data', sender: c.address, seq: 1n, payload }, secret));
  }
  const expected = cluster.clients.length * workload.requests;
  const answered = () => [...replies.values()].reduce((n, m) => n + m.size, 0);
  return {
    replies,
    async waitForReplies(ms) {
      for (let waited = 0; waited < ms && answered() < expected; waited += 20) await new Promise((r) => setTimeout(r, 20));
      return answered();
    },
    async close() {
      for (const s of servers) s.close();
      await Promise.all(links.map((l) => l.close()));
    },
  };
}
