// Voting and 2PC, base and scalable plans, as real clusters: one `dedc node` process per node
// on 127.0.0.1, closed-loop clients in this process. Every request is answered exactly once
// with the reply the protocol promises (voting: the command's payload; 2PC: "committed" or
// "aborted" as the participants' refusal rule decides), and the same build runs with another
// partition count in its deployment, nothing recompiled.

import { afterEach, describe, expect, it } from 'vitest';
import { stableHash } from '../../compiler/values/hash.js';
import type { Row } from '../../compiler/values/value.js';
import type { ClusterClient } from '../../compiler/deploy/resolve-deployment.js';
import { startProcessCluster, type ProcessCluster } from '../support/process-cluster.js';

let running: ProcessCluster | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const REQUESTS = 25;

/** What the protocol promises each request: the reply row's non-sequence column. */
const promised: Record<string, (request: Row, participants: number) => string> = {
  voting: (request) => request[2] as string,
  '2pc': (request, participants) => {
    const h = stableHash(request[2]!);
    return Array.from({ length: participants }, (_, i) => (h + BigInt(i)) % 5n === 0n).some(Boolean) ? 'aborted' : 'committed';
  },
};

async function serveAndCheck(c: ProcessCluster, protocol: 'voting' | '2pc'): Promise<void> {
  const workload = c.cluster.workload!;
  const participants = new Set(c.cluster.nodes.filter((n) => n.role === 'participant').map((n) => n.index)).size;
  const replies = new Map<string, string[]>();
  const requests = new Map<string, Row>();
  const report = await c.load({
    requestsPerClient: REQUESTS,
    timeoutMs: 15_000,
    onReply: (client: ClusterClient, seq: number, row: Row) => {
      const key = `${client.address}/${seq}`;
      requests.set(key, workload.request(client, seq));
      replies.set(key, [...(replies.get(key) ?? []), row[1] as string]);
    },
  });
  const total = c.cluster.clients.length * REQUESTS;
  expect({ completed: report.completed, timeouts: report.timeouts, duplicates: report.duplicates, unexpected: report.unexpected, outstanding: report.outstanding }).toEqual({
    completed: total,
    timeouts: 0,
    duplicates: 0,
    unexpected: 0,
    outstanding: 0,
  });
  expect(replies.size).toBe(total);
  for (const [key, got] of replies) expect(got, key).toEqual([promised[protocol]!(requests.get(key)!, participants)]);
  if (protocol === '2pc') {
    const outcomes = [...replies.values()].map((r) => r[0]);
    expect(outcomes).toContain('committed');
    expect(outcomes).toContain('aborted');
  }
  // Every node served frames and none was rejected.
  for (const n of report.nodes) expect(n.framesRejected, n.name).toBe(0);
}

describe('protocols as one process per node', () => {
  it.each([
    ['voting', undefined],
    ['voting', 'protocols/voting-scalable.plan.json'],
    ['2pc', undefined],
    ['2pc', 'protocols/2pc-scalable.plan.json'],
  ] as const)('%s (plan %s): every request answered exactly once, as promised', async (protocol, plan) => {
    running = await startProcessCluster(`protocols/${protocol}.ded`, plan ? { plan } : {});
    await serveAndCheck(running, protocol);
  });

  it('the scalable voting build runs with other partition counts, nothing recompiled', async () => {
    const probe = await startProcessCluster('protocols/voting.ded', { plan: 'protocols/voting-scalable.plan.json' });
    const deployment = JSON.parse(JSON.stringify(probe.build.manifest.deployment)) as { roles: Record<string, { instances: number; partitions: number } | number> };
    const modules = [...probe.build.modules.keys()];
    await probe.stop();
    deployment.roles['participant'] = { instances: 3, partitions: 2 };
    deployment.roles['collector'] = { instances: 1, partitions: 4 };
    deployment.roles['broadcaster'] = { instances: 1, partitions: 1 };
    running = await startProcessCluster('protocols/voting.ded', { plan: 'protocols/voting-scalable.plan.json', deploy: JSON.stringify(deployment) });
    expect([...running.build.modules.keys()]).toEqual(modules);
    const count = (role: string) => running!.cluster.nodes.filter((n) => n.role === role).length;
    expect([count('participant'), count('collector'), count('broadcaster')]).toEqual([6, 4, 1]);
    await serveAndCheck(running, 'voting');
  });
});
