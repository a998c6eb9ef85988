// The transport between node processes (host/transport.ts), in one process on 127.0.0.1 with
// ephemeral ports: ordered and intact delivery (from unaligned views too), refusal of text and
// oversized messages, reconnection with backoff after a peer restarts on the same port, the
// bounded queue, and close(); the server writing back on a connection (with its backpressure
// bound) and closing one; the PeerLink hooks (messages from the peer, state changes, cut()).
// Every wait is bounded; every socket is closed after each test.

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { backoffDelay, listen, PeerLink } from '../../host/transport.js';
import type { ConnectionId, InboundServer } from '../../host/transport.js';
import { closeSocket, sleep, waitFor } from '../support/waits.js';

const HOST = '127.0.0.1';

const servers: InboundServer[] = [];
const links: PeerLink[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
  for (const s of servers.splice(0)) s.close();
  await Promise.all(clients.splice(0).map(closeSocket));
});

interface Received {
  bytes: Uint8Array;
  from: ConnectionId;
}

function server(port = 0, maxPayloadLength?: number): { server: InboundServer; received: Received[]; closes: number[] } {
  const received: Received[] = [];
  const closes: number[] = [];
  const s = listen(
    { host: HOST, port, ...(maxPayloadLength !== undefined ? { maxPayloadLength } : {}) },
    (bytes, from) => received.push({ bytes, from }),
    (from) => closes.push(from),
  );
  servers.push(s);
  return { server: s, received, closes };
}

function link(port: number, options: ConstructorParameters<typeof PeerLink>[1] = {}): PeerLink {
  const l = new PeerLink(`ws://${HOST}:${port}/`, options);
  links.push(l);
  return l;
}

/**
 * A free port, found by Node (which binds and releases it without connections, so no
 * TIME_WAIT is left). The restart test needs a fixed port: uSockets binds port 0 without
 * SO_REUSEADDR, so an ephemeral port that had connections cannot be re-bound for a minute.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A port nothing listens on: bound once, then released. */
function deadPort(): number {
  const s = listen({ host: HOST, port: 0 }, () => {});
  const port = s.port;
  s.close();
  return port;
}

async function rawClient(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://${HOST}:${port}/`, { perMessageDeflate: false });
  clients.push(ws);
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  return ws;
}

/** Message i: 4-byte index then a pattern derived from it, length varying with i. */
function message(i: number): Uint8Array {
  const bytes = new Uint8Array(4 + ((i * 37) % 300));
  new DataView(bytes.buffer).setUint32(0, i, true);
  for (let k = 4; k < bytes.length; k++) bytes[k] = (i * 31 + k) & 0xff;
  return bytes;
}

describe('transport', () => {
  it('delivers messages in order and intact both ways, from unaligned views', async () => {
    const a = server();
    const b = server();
    const ab = link(b.server.port);
    const ba = link(a.server.port);
    const n = 300;
    const expected: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      // The first half goes out before the links are open (queued, then flushed), the second
      // half straight onto open sockets.
      if (i === n / 2) await waitFor(() => ab.linkState === 'open' && ba.linkState === 'open', 5000, 'open links');
      const m = message(i);
      expected.push(message(i));
      // Every third message is a Buffer at an odd offset in a larger pool and every third a
      // Uint8Array view at an odd offset: only the view's bytes may go out.
      let view: Uint8Array = m;
      if (i % 3 === 1) {
        const pool = Buffer.alloc(m.length + 11, 0xee);
        pool.set(m, 3);
        view = pool.subarray(3, 3 + m.length);
      } else if (i % 3 === 2) {
        const pool = new Uint8Array(m.length + 9).fill(0xdd);
        pool.set(m, 5);
        view = new Uint8Array(pool.buffer, 5, m.length);
      }
      expect(ab.send(view)).toBe(true);
      expect(ba.send(view)).toBe(true);
      // The link copies or frames before returning, so the caller may reuse its buffer.
      view.fill(0);
    }
    await waitFor(() => a.received.length === n && b.received.length === n, 5000, 'all messages');
    for (const side of [a, b]) {
      side.received.forEach((r, i) => {
        expect(r.bytes.byteOffset).toBe(0);
        expect(r.bytes.byteLength).toBe(r.bytes.buffer.byteLength);
        expect(Buffer.from(r.bytes).equals(Buffer.from(expected[i]!))).toBe(true);
      });
      expect(new Set(side.received.map((r) => r.from)).size).toBe(1);
      expect(side.server.counters.messages).toBe(n);
      expect(side.server.counters.bytes).toBe(expected.reduce((s, m) => s + m.length, 0));
      expect(side.server.counters.connectionsOpen).toBe(1);
      expect(side.server.counters.rejected).toBe(0);
    }
    for (const l of [ab, ba]) {
      expect(l.counters.queued).toBe(n / 2);
      expect(l.counters.sent).toBe(n);
      expect(l.counters.dropped).toBe(0);
      expect(l.counters.attempts).toBe(1);
      expect(l.linkState).toBe('open');
    }
  });

  it('rejects and counts a text message, and keeps the connection', async () => {
    const s = server();
    const ws = await rawClient(s.server.port);
    ws.send('not a frame');
    ws.send(Uint8Array.of(1, 2, 3));
    await waitFor(() => s.received.length === 1, 5000, 'the binary message');
    expect([...s.received[0]!.bytes]).toEqual([1, 2, 3]);
    expect(s.server.counters.rejected).toBe(1);
    expect(s.server.counters.messages).toBe(1);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses an oversized message and keeps serving others', async () => {
    const s = server(0, 1024);
    const good = link(s.server.port);
    expect(good.send(message(1))).toBe(true);
    await waitFor(() => s.received.length === 1, 5000, 'first message');

    const bad = await rawClient(s.server.port);
    const badClosed = new Promise<void>((resolve) => bad.once('close', () => resolve()));
    bad.send(new Uint8Array(4096));
    await badClosed;
    expect(s.server.counters.oversized).toBe(1);
    expect(s.server.counters.rejected).toBe(1);

    // Exactly the limit is still accepted, on the surviving connection and on a new one.
    expect(good.send(new Uint8Array(1024).fill(7))).toBe(true);
    const fresh = await rawClient(s.server.port);
    fresh.send(Uint8Array.of(9));
    await waitFor(() => s.received.length === 3, 5000, 'messages after the refusal');
    expect(s.received.map((r) => r.bytes.length).sort((x, y) => x - y)).toEqual([1, message(1).length, 1024]);
    expect(s.server.counters.connectionsOpen).toBe(2);
  });

  it('reconnects with backoff after the peer restarts on the same port, delivering the queue in order', async () => {
    const port = await freePort();
    let s = server(port);
    // Exclusive: a second server cannot share the port while the first one lives.
    expect(() => listen({ host: HOST, port }, () => {})).toThrow(/cannot listen/);
    let hellos = 0;
    const l = link(port, { hello: () => Uint8Array.of(0xff, ++hellos) });
    expect(l.send(message(0))).toBe(true);
    await waitFor(() => s.received.length === 2, 5000, 'hello and first message');
    expect([...s.received[0]!.bytes]).toEqual([0xff, 1]);

    s.server.close();
    await waitFor(() => l.linkState !== 'open', 5000, 'the link to notice');
    const n = 50;
    for (let i = 1; i <= n; i++) expect(l.send(message(i))).toBe(true);
    expect(l.pendingMessages).toBe(n);
    expect(l.counters.queued).toBe(n + 1); // message 0 went out before the link was open

    // While the peer is down the link retries, but backs off: a few attempts, not a spin.
    const before = l.counters.attempts;
    await sleep(400);
    const during = l.counters.attempts - before;
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(8);

    s = server(port);
    await waitFor(() => s.received.length === n + 1, 5000, 'the queued messages');
    expect([...s.received[0]!.bytes]).toEqual([0xff, 2]);
    const indices = s.received.slice(1).map((r) => new DataView(r.bytes.buffer).getUint32(0, true));
    expect(indices).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    s.received.slice(1).forEach((r, i) => expect(Buffer.from(r.bytes).equals(Buffer.from(message(i + 1)))).toBe(true));
    expect(new Set(s.received.map((r) => r.from)).size).toBe(1);
    expect(l.counters.reconnects).toBe(1);
    expect(l.pendingMessages).toBe(0);
    expect(l.counters.dropped).toBe(0);
    expect(l.counters.lost).toBe(0);
  });

  it('refuses sends when the queue is full, by count and by bytes, and counts the drops', () => {
    const port = deadPort();
    const byCount = link(port, { maxQueueMessages: 3 });
    for (let i = 0; i < 3; i++) expect(byCount.send(message(i))).toBe(true);
    expect(byCount.send(message(3))).toBe(false);
    expect(byCount.counters.dropped).toBe(1);
    expect(byCount.counters.queued).toBe(3);

    const byBytes = link(port, { maxQueueBytes: 10 });
    expect(byBytes.send(new Uint8Array(8))).toBe(true);
    expect(byBytes.send(new Uint8Array(3))).toBe(false);
    expect(byBytes.send(new Uint8Array(2))).toBe(true);
    expect(byBytes.send(new Uint8Array(11))).toBe(false);
    expect(byBytes.counters.dropped).toBe(2);
    expect(byBytes.pendingBytes).toBe(10);
  });

  it('stops reconnecting after close()', async () => {
    const l = link(deadPort(), { minBackoffMs: 20, maxBackoffMs: 40 });
    expect(l.send(message(0))).toBe(true);
    await waitFor(() => l.counters.attempts >= 3, 5000, 'a few attempts');
    await l.close();
    const attempts = l.counters.attempts;
    expect(l.linkState).toBe('closed');
    expect(l.counters.dropped).toBe(1); // the queued message, discarded
    expect(l.send(message(1))).toBe(false);
    expect(l.counters.dropped).toBe(2);
    await sleep(200);
    expect(l.counters.attempts).toBe(attempts);
  });

  it('closes an open link gracefully, after what it already sent', async () => {
    const s = server();
    const l = link(s.server.port);
    await waitFor(() => l.linkState === 'open', 5000, 'open');
    expect(l.send(message(5))).toBe(true);
    await l.close();
    await waitFor(() => s.closes.length === 1, 5000, 'the server to see the close');
    expect(s.received).toHaveLength(1);
    expect(s.server.counters.connectionsOpen).toBe(0);
    expect(s.server.counters.connectionsTotal).toBe(1);
  });

  it('sends back on an inbound connection', async () => {
    const s = server();
    const ws = await rawClient(s.server.port);
    const got = new Promise<Buffer>((resolve) => ws.once('message', (data) => resolve(data as Buffer)));
    ws.send(Uint8Array.of(42));
    await waitFor(() => s.received.length === 1, 5000, 'the request');
    expect(s.server.send(s.received[0]!.from, Uint8Array.of(43, 44))).toBe('sent');
    expect([...(await got)]).toEqual([43, 44]);
    expect(s.server.send(9999, Uint8Array.of(1))).toBe('closed');
    expect(s.server.counters).toMatchObject({ sent: 1, sentBytes: 2, sendRefused: 0 });
  });

  it("a PeerLink receives what the server sends back on the link's own connection", async () => {
    const s = server();
    const got: number[][] = [];
    const states: string[] = [];
    const l = link(s.server.port, { onMessage: (bytes) => got.push([...bytes]), onState: (st) => states.push(st) });
    expect(l.sendIfOpen(Uint8Array.of(1))).toBe(false); // not open yet: nothing written, nothing queued
    expect(l.pendingMessages).toBe(0);
    await waitFor(() => l.linkState === 'open', 5000, 'open');
    expect(l.sendIfOpen(Uint8Array.of(2))).toBe(true);
    await waitFor(() => s.received.length === 1, 5000, 'the message');
    const conn = s.received[0]!.from;
    expect(s.server.send(conn, Uint8Array.of(7, 8))).toBe('sent');
    expect(s.server.send(conn, Uint8Array.of(9))).toBe('sent');
    await waitFor(() => got.length === 2, 5000, 'the replies');
    expect(got).toEqual([[7, 8], [9]]);
    expect(l.counters.received).toBe(2);
    expect(states).toEqual(['connecting', 'open']);
  });

  it('cut() drops the connection and the link reconnects, with the hello first again', async () => {
    const s = server();
    let hellos = 0;
    const l = link(s.server.port, { hello: () => Uint8Array.of(0xff, ++hellos), minBackoffMs: 10, maxBackoffMs: 20 });
    expect(l.send(Uint8Array.of(1))).toBe(true); // queued: the link is not open yet
    await waitFor(() => s.received.length === 2, 5000, 'hello, then the queue');
    expect(s.received.map((r) => [...r.bytes])).toEqual([[0xff, 1], [1]]);
    expect(l.cut()).toBe(true);
    await waitFor(() => s.received.length === 3, 5000, 'the second connection');
    expect([...s.received[2]!.bytes]).toEqual([0xff, 2]);
    expect(s.received[2]!.from).not.toBe(s.received[0]!.from);
    expect(l.counters.reconnects).toBe(1);
    await l.close();
    expect(l.cut()).toBe(false);
  });

  it('closes one inbound connection, cut or graceful, and keeps the others and the counters', async () => {
    const s = server();
    const a = await rawClient(s.server.port);
    const b = await rawClient(s.server.port);
    const c = await rawClient(s.server.port);
    for (const [i, ws] of [a, b, c].entries()) ws.send(Uint8Array.of(i));
    await waitFor(() => s.received.length === 3, 5000, 'one message per client');
    const conn = (i: number) => s.received.find((r) => r.bytes[0] === i)!.from;
    const closeCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const aClosed = closeCode(a);
    const bClosed = closeCode(b);
    expect(s.server.closeConnection(conn(0))).toBe(true);
    expect(s.server.closeConnection(conn(1), { graceful: true })).toBe(true);
    // The close handler ran before closeConnection returned.
    expect(s.closes.sort()).toEqual([conn(0), conn(1)].sort());
    expect(s.server.counters).toMatchObject({ connectionsOpen: 1, connectionsTotal: 3, closedByServer: 2 });
    expect(await aClosed).toBe(1006); // cut: no close frame
    expect(await bClosed).toBe(1000);
    expect(s.server.closeConnection(conn(0))).toBe(false);
    expect(s.server.send(conn(0), Uint8Array.of(1))).toBe('closed');
    expect(s.server.send(conn(2), Uint8Array.of(5))).toBe('sent');
    expect(c.readyState).toBe(WebSocket.OPEN);
    expect(s.server.counters.closedByServer).toBe(2);
  });

  it('refuses to send past the buffered-bytes bound on a reader that does not read', async () => {
    let conn: ConnectionId | undefined;
    const s = listen({ host: HOST, port: 0, maxBackpressureBytes: 256 * 1024 }, (_, from) => (conn = from));
    servers.push(s);
    const ws = await rawClient(s.port);
    ws.pause(); // stop reading: the kernel buffers fill, then uWS's
    ws.send(Uint8Array.of(1));
    await waitFor(() => conn !== undefined, 5000, 'the connection id');
    const chunk = new Uint8Array(128 * 1024);
    let sent = 0;
    let result: string = 'sent';
    // Loopback kernel buffers hold a few MiB at most: 400 chunks (50 MiB) must hit the bound.
    for (let i = 0; i < 400 && result === 'sent'; i++) {
      result = s.send(conn!, chunk);
      if (result === 'sent') sent++;
      else break;
      if (i % 16 === 15) await sleep(1); // let uWS write what the kernel takes
    }
    expect(result).toBe('backpressure');
    expect(s.counters.sendRefused).toBe(1);
    expect(s.counters.sent).toBe(sent);
    expect(s.counters.sentBytes).toBe(sent * chunk.length);
    // Reading again drains it: every accepted message arrives, and sending works again.
    let got = 0;
    ws.on('message', () => got++);
    ws.resume();
    await waitFor(() => got === sent, 10_000, 'the accepted messages');
    await waitFor(() => s.send(conn!, Uint8Array.of(2)) === 'sent', 5000, 'sending to work again');
  });

  it('survives a throwing message handler', async () => {
    let calls = 0;
    const s = listen({ host: HOST, port: 0 }, () => {
      calls++;
      throw new Error('bad frame');
    });
    servers.push(s);
    const l = link(s.port);
    l.send(Uint8Array.of(1));
    l.send(Uint8Array.of(2));
    await waitFor(() => calls === 2, 5000, 'both messages');
    expect(s.counters.handlerErrors).toBe(2);
    expect(s.counters.connectionsOpen).toBe(1);
  });

  it('backs off exponentially with jitter between the bounds', () => {
    expect(backoffDelay(0, 50, 2000, () => 0)).toBe(50);
    expect(backoffDelay(0, 50, 2000, () => 0.999)).toBeLessThanOrEqual(50);
    expect(backoffDelay(3, 50, 2000, () => 0)).toBe(200);
    expect(backoffDelay(3, 50, 2000, () => 0.999)).toBeCloseTo(400, 0);
    for (let f = 0; f < 64; f++) {
      for (const r of [0, 0.25, 0.5, 0.999]) {
        const d = backoffDelay(f, 50, 2000, () => r);
        expect(d).toBeGreaterThanOrEqual(50);
        expect(d).toBeLessThanOrEqual(2000);
      }
    }
    expect(backoffDelay(20, 50, 2000, () => 0)).toBe(1000);
  });
});
