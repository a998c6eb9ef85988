// Faults against a real voting cluster (one `dedc node` process per node on 127.0.0.1) while
// closed-loop clients run: 10,000 hostile messages (random bytes, truncated, corrupted, wrongly
// authenticated, oversized, unauthenticated, text) at two nodes, and the leader's connection to a
// participant cut repeatedly through a TCP proxy: every request is still answered exactly once
// and the nodes' /metrics count every rejection. Then a participant's process is killed and
// restarted mid-run: no reply is duplicated, at most the requests in flight are lost (and time
// out), and the cluster serves on.

import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeFrame } from '../../host/frame.js';
import { metricSum, scrapeNode } from '../../host/scrape-metrics.js';
import { startProcessCluster, type ProcessCluster } from '../support/process-cluster.js';
import { closeSocket, sleep, within } from '../support/waits.js';

let running: ProcessCluster | undefined;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  await running?.stop();
  running = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TCP proxy in front of a node; cut() destroys every connection through it. */
function proxy(listenPort: number, targetPort: number): { server: Server; cut: () => number } {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]] as const) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  }).listen(listenPort, '127.0.0.1');
  return {
    server,
    cut: () => {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
  };
}

/** A pseudo-random generator, so a failing run can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function openSocket(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  ws.on('error', () => {});
  await within(new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  }), 5000, 'a raw socket to open');
  return ws;
}

/** Sends `count` hostile messages to a node; returns how many of them should be counted as rejected. */
async function barrage(port: number, secret: string, count: number, seed: number, maxPayload: number): Promise<number> {
  const random = rng(seed);
  let ws = await openSocket(port);
  const valid = (payload: Uint8Array) => encodeFrame({ kind: 'data', sender: 9_999n, seq: 1n, payload }, secret);
  for (let i = 0; i < count; i++) {
    const kind = i % 10;
    const bytes = new Uint8Array(8 + Math.floor(random() * 120)).map(() => Math.floor(random() * 256));
    if (kind === 9 && i % 1000 === 9) {
      // Oversized: a WebSocket message over the node's limit; the node closes this connection.
      ws.send(new Uint8Array(maxPayload + 1024));
      await new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())));
      ws = await openSocket(port);
      continue;
    }
    let message: Uint8Array | string;
    if (kind === 0) message = bytes; // random bytes
    else if (kind === 1) message = valid(bytes).subarray(0, 20 + Math.floor(random() * 40)); // truncated
    else if (kind === 2) message = encodeFrame({ kind: 'data', sender: 2n, seq: BigInt(i), payload: bytes }, 'not the cluster secret'); // wrong secret
    else if (kind === 3) {
      const f = valid(bytes); // corrupted payload
      f[48 + Math.floor(random() * (f.length - 48))]! ^= 0x5a;
      message = f;
    } else if (kind === 4) {
      const f = valid(bytes); // a length field that lies
      new DataView(f.buffer).setUint32(24, bytes.length + 1 + Math.floor(random() * 1000), true);
      message = f;
    } else if (kind === 5) message = valid(bytes); // authentic, but no hello on this connection
    else if (kind === 6) message = `text ${i}`; // a text message
    else if (kind === 7) {
      const f = valid(bytes); // an unknown version
      f[4] = 7;
      message = f;
    } else {
      const f = valid(bytes); // a forged header byte under the authenticator
      f[8 + Math.floor(random() * 8)]! ^= 1;
      message = f;
    }
    ws.send(message);
    if (i % 200 === 199) await sleep(5); // let the node breathe: this is a fault test, not a flood
  }
  await closeSocket(ws);
  return count;
}

async function rejectedAt(c: ProcessCluster, name: string): Promise<number> {
  const node = c.cluster.nodes.find((n) => n.name === name)!;
  const sample = await scrapeNode(node.address, c.endpoints.get(node.address)!);
  return metricSum(sample!.samples, 'dedc_frames_rejected_total');
}

describe('faults against voting processes', () => {
  it('10,000 hostile messages and cut connections: every request answered exactly once, every rejection counted', async () => {
    const realPort = 40_000 + Math.floor(Math.random() * 20_000);
    const proxyPort = realPort + 1;
    // participant[1] is reached through the proxy and listens behind it.
    const probe = await startProcessCluster('protocols/voting.ded');
    const deployment = { ...(probe.build.manifest.deployment as object), network: { nodes: { 'participant[1]': `127.0.0.1:${proxyPort}` } } };
    await probe.stop();
    const p = proxy(proxyPort, realPort);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          p.server.close(() => resolve());
          p.cut();
        }),
    );
    running = await startProcessCluster('protocols/voting.ded', {
      deploy: JSON.stringify(deployment),
      nodeArgs: (name) => (name === 'participant[1]' ? ['--listen', `127.0.0.1:${realPort}`] : []),
    });
    const c = running;
    const requests = 400;
    const loading = c.load({ requestsPerClient: requests, timeoutMs: 20_000 });
    await sleep(300);
    const cuts: number[] = [];
    const attacks = Promise.all([
      barrage(c.endpoints.get(c.cluster.nodes.find((n) => n.name === 'leader[0]')!.address)!.port, c.secret, 5_000, 1, 16 << 20),
      barrage(c.endpoints.get(c.cluster.nodes.find((n) => n.name === 'participant[0]')!.address)!.port, c.secret, 5_000, 2, 16 << 20),
      (async () => {
        for (let i = 0; i < 4; i++) {
          await sleep(250);
          cuts.push(p.cut());
        }
      })(),
    ]);
    const [[atLeader, atParticipant], report] = await Promise.all([attacks, loading]);
    const total = c.cluster.clients.length * requests;
    expect({ completed: report.completed, timeouts: report.timeouts, duplicates: report.duplicates, unexpected: report.unexpected }).toEqual({ completed: total, timeouts: 0, duplicates: 0, unexpected: 0 });
    expect(cuts.some((n) => n > 0)).toBe(true);
    // Every hostile message was rejected and counted, by the node it was sent to.
    expect(await rejectedAt(c, 'leader[0]')).toBe(atLeader);
    expect(await rejectedAt(c, 'participant[0]')).toBe(atParticipant);
    expect(await rejectedAt(c, 'participant[1]')).toBe(0);
    // And the cluster still serves.
    const after = await c.load({ requestsPerClient: 20 });
    expect({ completed: after.completed, timeouts: after.timeouts, outstanding: after.outstanding }).toEqual({ completed: c.cluster.clients.length * 20, timeouts: 0, outstanding: 0 });
  });

  it('a participant killed and restarted mid-run: no duplicate replies, only requests in flight lost, serving on', async () => {
    running = await startProcessCluster('protocols/voting.ded');
    const c = running;
    const requests = 300;
    const window = c.cluster.workload!.window;
    const loading = c.load({ requestsPerClient: requests, timeoutMs: 2_000 });
    await sleep(400);
    const victim = c.cluster.nodes.find((n) => n.name === 'participant[2]')!;
    await c.local.kill(victim.name, 'SIGKILL');
    await sleep(300);
    await c.local.startNode(victim);
    const report = await loading;
    const total = c.cluster.clients.length * requests;
    expect(report.duplicates).toBe(0);
    expect(report.unexpected).toBe(0);
    expect(report.completed + report.timeouts).toBe(total);
    expect(report.timeouts).toBeLessThanOrEqual(c.cluster.clients.length * window);
    expect(report.completed).toBeGreaterThan(total / 2);
    const after = await c.load({ requestsPerClient: 20 });
    expect({ completed: after.completed, timeouts: after.timeouts }).toEqual({ completed: c.cluster.clients.length * 20, timeouts: 0 });
  });
});
