// The deployment's clients over real sockets, for host tests: each client is a ProtocolClient
// connected to every node (so whichever node replies reaches it over its own connection),
// sends all its workload requests to its target node at once, and counts the replies per
// request number.

import type { Cluster } from '../../compiler/deploy/resolve-deployment.js';
import type { RelationEntry } from '../../compiler/ir/relation-table.js';
import type { Endpoint } from '../../host/node-host.js';
import { ProtocolClient } from '../../host/protocol-client.js';

export interface SocketClients {
  /** Per client address: request number -> replies received. */
  readonly replies: Map<bigint, Map<number, number>>;
  /** Waits (at most `ms`) until every request has a reply; returns how many have. */
  waitForReplies(ms: number): Promise<number>;
  close(): Promise<void>;
}

export async function startClients(cluster: Cluster, relations: readonly RelationEntry[], endpoints: ReadonlyMap<bigint, Endpoint>, secret: string): Promise<SocketClients> {
  const workload = cluster.workload!;
  const replies = new Map<bigint, Map<number, number>>();
  const nodes = new Map(cluster.nodes.map((n) => [n.address, endpoints.get(n.address)!]));
  const clients = cluster.clients.map((c) => {
    const got = new Map<number, number>();
    replies.set(c.address, got);
    const client = new ProtocolClient({
      address: c.address,
      secret,
      relations,
      nodes,
      onRows: (relation, rows) => {
        if (relation.name !== workload.reply) return;
        for (const row of rows) {
          const seq = Number(row[workload.replySeqColumn] as bigint);
          got.set(seq, (got.get(seq) ?? 0) + 1);
        }
      },
    });
    return { c, client };
  });
  await Promise.all(clients.map(({ client }) => client.ready()));
  for (const { c, client } of clients) {
    client.send(
      c.target,
      workload.input,
      Array.from({ length: workload.requests }, (_, i) => workload.request(c, i + 1)),
    );
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
      await Promise.all(clients.map(({ client }) => client.close()));
    },
  };
}
