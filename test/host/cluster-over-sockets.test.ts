// A whole cluster over real sockets in one process: every node a NodeHost (its Wasm module, a
// uWebSockets.js server, reliable ws links, authenticated frames) on 127.0.0.1, and the
// deployment's clients as ProtocolClients sending the workload's requests. Voting, base and scalable,
// on the same host code: every request gets exactly one reply. Garbage frames sent to a node
// are rejected and counted while it keeps serving, and the counters are served as Prometheus
// text on the node's port.

import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Cluster } from '../../compiler/deploy/resolve-deployment.js';
import { compileProgram } from '../../engine/wasm/compile-program.js';
import { encodeFrame } from '../../host/frame.js';
import { NodeHost, type Endpoint } from '../../host/node-host.js';
import { PeerLink } from '../../host/peer-link.js';
import { clusterFor, rewriteFile } from '../support/rewrite.js';
import { protocolsDir } from '../support/protocol.js';
import { startClients } from '../support/socket-clients.js';

const secret = 'test cluster secret';
const host = '127.0.0.1';
let closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

/** Fixed ports (uWebSockets.js keeps a port-0 port busy after close): a random base per run. */
let nextPort = 20_000 + Math.floor(Math.random() * 20_000);

async function runCluster(analysis: Analysis, cluster: Cluster): Promise<{ replies: Map<bigint, Map<number, number>>; hosts: NodeHost[] }> {
  const compiled = await compileProgram(analysis);
  if (!compiled.ok) throw new Error(compiled.diagnostics.map((d) => d.message).join('\n'));
  const endpoints = new Map<bigint, Endpoint>();
  for (const n of cluster.nodes) endpoints.set(n.address, { host, port: nextPort++ });
  const hosts = cluster.nodes.map(
    (n) =>
      new NodeHost({
        module: compiled.program.modules.get(n.role)!,
        relations: compiled.program.plan.relations,
        spec: { role: n.role, address: n.address, statics: n.statics },
        timers: n.timers,
        listen: endpoints.get(n.address)!,
        endpoints,
        secret,
      }),
  );
  closers.push(() => Promise.all(hosts.map((h) => h.stop())).then(() => undefined));
  const clients = await startClients(cluster, compiled.program.plan.relations, endpoints, secret);
  closers.push(() => clients.close());
  await clients.waitForReplies(10_000);
  const replies = clients.replies;
  return { replies, hosts };
}

function expectExactlyOnce(replies: Map<bigint, Map<number, number>>, requests: number): void {
  for (const got of replies.values()) {
    expect([...got.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: requests }, (_, i) => i + 1));
    expect([...got.values()].every((n) => n === 1)).toBe(true);
  }
}

describe('voting over sockets, every node a NodeHost', () => {
  it('base: every request answered exactly once; garbage frames are rejected and counted', async () => {
    const r = rewriteFile(`${protocolsDir}voting.ded`, { steps: [] });
    const cluster = clusterFor(r.analysis, r.deployment);
    const { replies, hosts } = await runCluster(r.analysis, cluster);
    expectExactlyOnce(replies, cluster.workload!.requests);
    // Garbage at the leader: random bytes, a frame signed with another secret, a truncated frame.
    const leader = hosts[cluster.nodes.findIndex((n) => n.role === 'leader')]!;
    const link = new PeerLink(`ws://${host}:${leader.port}/`);
    closers.push(() => link.close());
    const good = encodeFrame({ kind: 'ping', sender: 99n, seq: 1n, payload: new Uint8Array(8) }, secret);
    link.send(new Uint8Array([1, 2, 3, 4, 5]));
    link.send(encodeFrame({ kind: 'data', sender: 99n, seq: 2n, payload: new Uint8Array(8) }, 'another secret'));
    link.send(good.subarray(0, 30));
    for (let waited = 0; waited < 5_000 && leader.stats().frames.rejected['bad-auth'] === 0; waited += 20) await new Promise((r) => setTimeout(r, 20));
    const rejected = leader.stats().frames.rejected;
    expect(rejected['bad-magic'] + rejected['bad-auth'] + rejected['truncated']).toBe(3);
    // The same counters, as Prometheus text on the node's own port.
    const text = await (await fetch(`http://${host}:${leader.port}/metrics`)).text();
    const sample = (name: string, extra = '') => Number(new RegExp(`^dedc_${name}\\{role="leader",address="\\d+"${extra}\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(sample('frames_rejected_total', ',reason="bad-auth"')).toBe(rejected['bad-auth']);
    expect(sample('frames_rejected_total', ',reason="bad-magic"')).toBe(rejected['bad-magic']);
    expect(sample('ticks_total')).toBe(leader.stats().counters.ticks);
    expect(sample('frames_out_total')).toBeGreaterThan(0);
    expect(sample('cpu_seconds_total')).toBeGreaterThan(0);
    // Tuples per relation: every request came in once, and each participant voted on each.
    const requests = cluster.clients.length * cluster.workload!.requests;
    const participants = cluster.nodes.filter((n) => n.role === 'participant').length;
    expect(sample('tuples_total', ',direction="in",relation="clientIn"')).toBe(requests);
    expect(sample('tuples_total', ',direction="in",relation="vote"')).toBe(requests * participants);
    expect(sample('tuples_total', ',direction="sent",relation="voteReq"')).toBe(requests * participants);
    expect(sample('tuples_total', ',direction="sent",relation="clientOut"')).toBe(requests);
  });

  it('scalable plan on the same host code: every request answered exactly once', async () => {
    const r = rewriteFile(`${protocolsDir}voting.ded`, `${protocolsDir}voting-scalable.plan.json`);
    const out = r.result.result!;
    const { replies } = await runCluster(out.analysis, out.cluster);
    expectExactlyOnce(replies, out.cluster.workload!.requests);
  });
});
