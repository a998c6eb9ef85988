// Reliable channels over the transport (host/reliable-link.ts, host/inbound-sessions.ts), in one
// process on 127.0.0.1: 1,000 frames delivered exactly once and in order while the connection is
// cut from the server side and, through a TCP proxy, mid-frame in both directions; a restarted
// sender (new incarnation) delivered afresh; replayed frames dropped and counted; acks releasing
// the buffer; the bound; replies over the inbound connection; ready() waiting for the hello's ack;
// and the receiver's rules (coalesced acks, stale incarnations, refusals) without sockets.
// Every wait is bounded; every socket is closed after each test.

import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, incarnationPayload, readIncarnation, type Frame } from '../../host/frame.js';
import { InboundSessions, listen, PeerLink, ReliableLink, newIncarnation } from '../../host/transport.js';
import type { ConnectionId, InboundServer, InboundSessionsOptions, ReliableLinkOptions, SendResult } from '../../host/transport.js';
import { closeSocket, sleep, waitFor, within } from '../support/waits.js';

const HOST = '127.0.0.1';
const SECRET = 'reliable test secret';
const LIMITS = { maxPayload: 1 << 20 };
const SENDER = 41n;
const NODE = 7n;

const servers: InboundServer[] = [];
const sessionsList: InboundSessions[] = [];
const links: (ReliableLink | PeerLink)[] = [];
const sockets: WebSocket[] = [];
const proxies: Server[] = [];

afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close().catch(() => {})));
  for (const s of sessionsList.splice(0)) s.close();
  for (const s of servers.splice(0)) s.close();
  await Promise.all(sockets.splice(0).map(closeSocket));
  await Promise.all(proxies.splice(0).map((p) => new Promise<void>((resolve) => p.close(() => resolve()))));
});

/**
 * Listens on a random fixed port in 20000-60000 (uws-pack keeps a port-0 port unusable for a
 * minute after close), retrying a few times if it is taken.
 */
function listenSomewhere(...args: Parameters<typeof listen> extends [unknown, ...infer R] ? R : never): InboundServer {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    try {
      const s = listen({ host: HOST, port, log: () => {} }, ...args);
      servers.push(s);
      return s;
    } catch (err) {
      if (attempt >= 20) throw err;
    }
  }
}

interface Receiver {
  server: InboundServer;
  sessions: InboundSessions;
  /** Message indices delivered, in order. */
  got: number[];
  url: string;
}

/** A node's receiving side: an inbound server feeding InboundSessions. */
function receiver(options: Partial<InboundSessionsOptions> = {}, onData?: (frame: Frame, conn: ConnectionId, r: Receiver) => void): Receiver {
  const r = {} as Receiver;
  r.got = [];
  r.sessions = new InboundSessions({
    secret: SECRET,
    maxPayload: LIMITS.maxPayload,
    address: NODE,
    send: (conn, bytes) => r.server.send(conn, bytes),
    onData: (frame, conn) => {
      r.got.push(index(frame.payload));
      onData?.(frame, conn, r);
    },
    ...options,
  });
  sessionsList.push(r.sessions);
  r.server = listenSomewhere(
    (bytes, conn) => r.sessions.handle(bytes, conn),
    (conn) => r.sessions.closed(conn),
  );
  r.url = `ws://${HOST}:${r.server.port}/`;
  return r;
}

function reliable(url: string, options: Partial<ReliableLinkOptions> = {}): ReliableLink {
  const l = new ReliableLink(url, { sender: SENDER, secret: SECRET, incarnation: newIncarnation(), minBackoffMs: 10, maxBackoffMs: 50, ...options });
  links.push(l);
  return l;
}

async function rawClient(url: string): Promise<{ ws: WebSocket; frames: Frame[] }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  sockets.push(ws);
  ws.on('error', () => {});
  const frames: Frame[] = [];
  ws.on('message', (data) => {
    const d = decodeFrame(data as Buffer, SECRET, LIMITS);
    if (d.ok) frames.push({ ...d.frame, payload: d.frame.payload.slice() });
  });
  await within(new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  }), 5000, 'the raw client to connect');
  return { ws, frames };
}

/** Payload i: 4-byte index then a pattern, length varying with i. */
function payload(i: number): Uint8Array {
  const bytes = new Uint8Array(4 + ((i * 37) % 300));
  new DataView(bytes.buffer).setUint32(0, i, true);
  for (let k = 4; k < bytes.length; k++) bytes[k] = (i * 31 + k) & 0xff;
  return bytes;
}

function index(p: Uint8Array): number {
  const i = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true);
  expect(Buffer.from(p).equals(Buffer.from(payload(i)))).toBe(true);
  return i;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function hello(sender: bigint, incarnation: bigint | undefined): Uint8Array {
  const body = incarnation === undefined ? new Uint8Array(0) : incarnationPayload(incarnation);
  return encodeFrame({ kind: 'hello', sender, seq: 0n, payload: body }, SECRET);
}

function data(sender: bigint, seq: bigint, i: number): Uint8Array {
  return encodeFrame({ kind: 'data', sender, seq, payload: payload(i) }, SECRET);
}

/**
 * A TCP proxy in front of `port` that cuts every connection pair after `everyBytes` bytes in
 * either direction (counted separately), in the middle of the chunk that crosses the mark: half
 * the chunk is forwarded, then both sockets are destroyed. Frames in flight (and acks coming
 * back) are lost, and a frame can arrive cut in two.
 */
async function cuttingProxy(port: number, everyBytes: { up: number; down: number }): Promise<{ port: number; cuts: () => number }> {
  let cuts = 0;
  let upBytes = 0;
  let downBytes = 0;
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(port, HOST);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const cut = () => {
      if (!pairs.delete(pair)) return;
      cuts++;
      client.destroy();
      upstream.destroy();
    };
    const forward = (from: Socket, to: Socket, dir: 'up' | 'down') => {
      from.on('data', (chunk: Buffer) => {
        if (!pairs.has(pair)) return;
        const before = dir === 'up' ? upBytes : downBytes;
        const after = before + chunk.length;
        if (dir === 'up') upBytes = after;
        else downBytes = after;
        const mark = everyBytes[dir];
        if (Math.floor(after / mark) > Math.floor(before / mark)) {
          to.write(chunk.subarray(0, chunk.length >> 1));
          cut();
        } else to.write(chunk);
      });
      from.on('error', () => {});
      from.on('close', () => {
        if (pairs.delete(pair)) {
          client.destroy();
          upstream.destroy();
        }
      });
    };
    forward(client, upstream, 'up');
    forward(upstream, client, 'down');
  });
  proxies.push(server);
  // Destroying the pairs on close lets server.close() finish.
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
    return close(cb);
  }) as typeof server.close;
  await new Promise<void>((resolve) => server.listen(0, HOST, () => resolve()));
  return { port: (server.address() as AddressInfo).port, cuts: () => cuts };
}

describe('reliable links over sockets', () => {
  it('delivers 1,000 frames exactly once and in order while the server and the sender cut the connection', async () => {
    const cutAt = new Set([163, 341, 342, 517, 700, 888]);
    let cuts = 0;
    const r = receiver({}, (frame, conn, rr) => {
      // Cut in the middle of a batch, from inside the handler: the frames after this one on
      // the wire are lost, and the ones delivered this turn were never acknowledged.
      if (cutAt.has(rr.got.length)) {
        cuts++;
        expect(rr.server.closeConnection(conn, { graceful: rr.got.length === 517 })).toBe(true);
      }
    });
    const l = reliable(r.url);
    const n = 1000;
    let senderCuts = 0;
    for (let i = 0; i < n; i++) {
      expect(l.send(payload(i))).toBe(true);
      // The sender kills its own socket too, right after writing a batch.
      if (((i >= 260 && senderCuts === 0) || (i >= 610 && senderCuts === 1)) && l.linkState === 'open') senderCuts += l.cut() ? 1 : 0;
      if (i % 25 === 24) await sleep(2);
    }
    await waitFor(() => r.got.length >= n && l.pendingMessages === 0, 20_000, 'every frame delivered and acknowledged');
    await sleep(50); // a late duplicate would show up here
    expect(r.got).toEqual(range(n));
    expect(cuts).toBe(cutAt.size);
    expect(r.sessions.counters.delivered).toBe(n);
    expect(r.sessions.deliveredFrom(SENDER)).toBe(BigInt(n));
    expect(l.counters).toMatchObject({ sent: n, acked: n, dropped: 0, badAcks: 0 });
    expect(senderCuts).toBe(2);
    // Each server cut is on a connection of its own; a sender cut may hit one the server has
    // just cut (before the sender noticed), so it need not add a reconnect.
    expect(l.counters.reconnects).toBeGreaterThanOrEqual(cutAt.size);
    // The frames after each cut point were written and lost, so they went out again.
    expect(l.counters.retransmitted).toBeGreaterThan(0);
    expect(l.lastAcked).toBe(BigInt(n));
    expect(r.server.counters.closedByServer).toBe(cutAt.size);
    expect(r.sessions.counters.hellos).toBe(l.counters.reconnects + 1);
  });

  it('delivers 1,000 frames exactly once and in order through a proxy that cuts mid-frame both ways', async () => {
    const r = receiver();
    const proxy = await cuttingProxy(r.server.port, { up: 23_000, down: 600 });
    const l = reliable(`ws://${HOST}:${proxy.port}/`);
    const n = 1000;
    for (let i = 0; i < n; i++) {
      expect(l.send(payload(i))).toBe(true);
      if (i % 20 === 19) await sleep(3);
    }
    await waitFor(() => r.got.length >= n && l.pendingMessages === 0, 30_000, 'every frame delivered and acknowledged');
    await sleep(50);
    expect(r.got).toEqual(range(n));
    expect(proxy.cuts()).toBeGreaterThanOrEqual(5);
    expect(l.counters.reconnects).toBeGreaterThanOrEqual(5);
    expect(l.counters.retransmitted).toBeGreaterThan(0);
    expect(l.counters).toMatchObject({ sent: n, acked: n, dropped: 0 });
    // Frames cut in two never reach the decoder (uWS sees a broken connection), so nothing is refused.
    expect(r.sessions.counters.delivered).toBe(n);
  });

  it('delivers a restarted sender (new incarnation, sequence from 1 again), not dropping it as duplicates', async () => {
    const r = receiver();
    const first = reliable(r.url, { incarnation: 1n });
    for (let i = 0; i < 10; i++) expect(first.send(payload(i))).toBe(true);
    await waitFor(() => r.got.length === 10 && first.pendingMessages === 0, 5000, 'the first run');
    await first.close();
    const second = reliable(r.url, { incarnation: 2n });
    await within(second.ready(), 5000, 'the restarted sender to be ready');
    for (let i = 10; i < 20; i++) expect(second.send(payload(i))).toBe(true);
    await waitFor(() => r.got.length === 20 && second.pendingMessages === 0, 5000, 'the second run');
    expect(r.got).toEqual(range(20));
    expect(second.lastSent).toBe(10n);
    expect(r.sessions.counters).toMatchObject({ restarts: 1, duplicates: 0, delivered: 20, stale: 0 });
    expect(r.sessions.deliveredFrom(SENDER)).toBe(10n);
  });

  it('drops and counts frames replayed on another connection; refuses wrong senders and stale incarnations', async () => {
    const r = receiver();
    const l = reliable(r.url, { incarnation: 77n });
    for (let i = 0; i < 5; i++) expect(l.send(payload(i))).toBe(true);
    await waitFor(() => r.got.length === 5 && l.pendingMessages === 0, 5000, 'the frames');

    // Someone replays the hello and two captured data frames on a new connection.
    const { ws, frames } = await rawClient(r.url);
    ws.send(hello(SENDER, 77n));
    ws.send(data(SENDER, 3n, 2));
    ws.send(data(SENDER, 5n, 4));
    ws.send(data(SENDER + 1n, 6n, 5)); // not the sender this connection is bound to
    await waitFor(() => r.sessions.counters.duplicates === 2 && r.sessions.counters.wrongSender === 1, 5000, 'the replays to be counted');
    // The hello was acknowledged with what was delivered: everything, so nothing is replayed.
    await waitFor(() => frames.length >= 1, 5000, 'an ack');
    expect(frames.every((f) => f.kind === 'ack' && f.seq === 5n && f.sender === NODE && readIncarnation(f.payload) === 77n)).toBe(true);
    expect(r.sessions.connectionOf(SENDER)).not.toBeUndefined();

    // A new incarnation takes over; the old incarnation's connections are stale from now on.
    const { ws: next } = await rawClient(r.url);
    next.send(hello(SENDER, 78n));
    await waitFor(() => r.sessions.counters.restarts === 1, 5000, 'the new incarnation');
    ws.send(data(SENDER, 6n, 5));
    expect(l.send(payload(5))).toBe(true);
    await waitFor(() => r.sessions.counters.stale === 2, 5000, 'stale frames counted');
    expect(r.got).toEqual(range(5));
    expect(r.sessions.counters.delivered).toBe(5);
  });

  it('after the hello\'s ack, writes the unacknowledged frames in order, then new ones; cuts a connection whose acks stop', async () => {
    const got: { frame: Frame; conn: ConnectionId }[] = [];
    const s = listenSomewhere((bytes, conn) => {
      const d = decodeFrame(bytes, SECRET, LIMITS);
      if (d.ok) got.push({ frame: { ...d.frame, payload: d.frame.payload.slice() }, conn });
    });
    const ack = (seq: bigint) => encodeFrame({ kind: 'ack', sender: NODE, seq, payload: incarnationPayload(3n) }, SECRET);
    const l = reliable(`ws://${HOST}:${s.port}/`, { incarnation: 3n, ackTimeoutMs: 150 });
    for (let i = 0; i < 5; i++) expect(l.send(payload(i))).toBe(true);
    await waitFor(() => got.length === 1, 5000, 'the hello');
    await sleep(50);
    expect(got).toHaveLength(1); // nothing but the hello until it is acknowledged
    // The receiver already has 1 and 2 (from an earlier connection): only 3..5 go out.
    expect(s.send(got[0]!.conn, ack(2n))).toBe('sent');
    await waitFor(() => got.length === 4, 5000, 'the replay');
    expect(l.send(payload(5))).toBe(true);
    await waitFor(() => got.length === 5, 5000, 'the new frame');
    expect(got.map((g) => [g.frame.kind, g.frame.seq])).toEqual([['hello', 0n], ['data', 3n], ['data', 4n], ['data', 5n], ['data', 6n]]);
    expect(l.pendingMessages).toBe(4);
    expect(l.counters.retransmitted).toBe(0); // 3..5 had not been written before

    // No ack comes for them: after ackTimeoutMs the link gives the connection up and reconnects.
    await waitFor(() => got.length === 6, 5000, 'a new connection');
    expect(l.counters.ackTimeouts).toBe(1);
    expect(got[5]!.frame.kind).toBe('hello');
    expect(got[5]!.conn).not.toBe(got[0]!.conn);
    expect(s.send(got[5]!.conn, ack(4n))).toBe('sent');
    await waitFor(() => got.length === 8, 5000, 'the second replay');
    expect(got.slice(6).map((g) => g.frame.seq)).toEqual([5n, 6n]);
    expect(l.counters.retransmitted).toBe(2);
    expect(s.send(got[5]!.conn, ack(6n))).toBe('sent');
    await waitFor(() => l.pendingMessages === 0, 5000, 'the last ack');
    await sleep(300);
    expect(l.counters.ackTimeouts).toBe(1); // nothing unacknowledged: no timeout
    expect(l.linkState).toBe('open');
  });

  it('acks release the buffer, coalesced', async () => {
    const r = receiver();
    const l = reliable(r.url);
    await within(l.ready(), 5000, 'ready');
    for (let i = 0; i < 200; i++) expect(l.send(payload(i))).toBe(true);
    expect(l.pendingMessages).toBe(200);
    expect(l.pendingBytes).toBeGreaterThan(200 * 48);
    await waitFor(() => l.pendingMessages === 0, 5000, 'the acks');
    expect(l.pendingBytes).toBe(0);
    expect(l.counters.acked).toBe(200);
    expect(l.lastAcked).toBe(200n);
    // 200 frames written in one turn arrive in a few reads: far fewer acks than frames.
    expect(r.sessions.counters.acksSent).toBeLessThan(100);
    expect(l.counters.retransmitted).toBe(0);
  });

  it('refuses sends over the bound (unacknowledged frames count), and takes them again once acked', async () => {
    const nowhere = `ws://${HOST}:${20000 + Math.floor(Math.random() * 40000)}/`;
    const byCount = reliable(nowhere, { maxMessages: 3 });
    for (let i = 0; i < 3; i++) expect(byCount.send(payload(1))).toBe(true);
    expect(byCount.send(payload(1))).toBe(false);
    expect(byCount.counters).toMatchObject({ sent: 3, dropped: 1 });
    const byBytes = reliable(nowhere, { maxBytes: 2 * (48 + 41) });
    expect(byBytes.send(payload(1))).toBe(true); // 41 bytes of payload
    expect(byBytes.send(payload(1))).toBe(true);
    expect(byBytes.send(new Uint8Array(0))).toBe(false);
    expect(byBytes.pendingBytes).toBe(2 * (48 + 41));
    expect(byBytes.counters.dropped).toBe(1);

    const r = receiver();
    const live = reliable(r.url, { maxMessages: 3 });
    await within(live.ready(), 5000, 'ready');
    for (let i = 0; i < 3; i++) expect(live.send(payload(i))).toBe(true);
    expect(live.send(payload(3))).toBe(false); // written, but not yet acknowledged
    await waitFor(() => live.pendingMessages === 0, 5000, 'the acks');
    expect(live.send(payload(3))).toBe(true);
    await waitFor(() => r.got.length === 4, 5000, 'the frames');
    expect(r.got).toEqual([0, 1, 2, 3]);
    await live.close();
    expect(live.send(payload(4))).toBe(false);
  });

  it("sends a reply over the sender's own connection to its onFrame", async () => {
    const r = receiver();
    const replies: Frame[] = [];
    const l = reliable(r.url, { onFrame: (f) => replies.push({ ...f, payload: f.payload.slice() }) });
    await within(l.ready(), 5000, 'ready');
    expect(r.sessions.connectionOf(SENDER)).not.toBeUndefined();
    const reply = encodeFrame({ kind: 'data', sender: NODE, seq: 1n, payload: payload(9) }, SECRET);
    expect(r.sessions.sendTo(SENDER, reply)).toBe(true);
    expect(r.sessions.sendTo(SENDER + 1n, reply)).toBe(false); // no connection from that address
    // A forged reply is refused and counted by the link, not handed over.
    r.server.send(r.sessions.connectionOf(SENDER)!, encodeFrame({ kind: 'data', sender: NODE, seq: 2n, payload: payload(1) }, 'wrong'));
    expect(r.sessions.sendTo(SENDER, encodeFrame({ kind: 'ping', sender: NODE, seq: 3n, payload: new Uint8Array(0) }, SECRET))).toBe(true);
    await waitFor(() => replies.length === 2 && l.frames.rejected['bad-auth'] === 1, 5000, 'the replies');
    expect(replies.map((f) => [f.kind, f.seq])).toEqual([['data', 1n], ['ping', 3n]]);
    expect(index(replies[0]!.payload)).toBe(9);
    expect(l.counters.received).toBe(2);
    await l.close();
    await waitFor(() => r.sessions.connectionOf(SENDER) === undefined, 5000, 'the connection to be forgotten');
    expect(r.sessions.sendTo(SENDER, reply)).toBe(false);
  });

  it('ready() resolves only after the hello of the current connection is acknowledged', async () => {
    const got: { frame: Frame; conn: ConnectionId }[] = [];
    const s = listenSomewhere((bytes, conn) => {
      const d = decodeFrame(bytes, SECRET, LIMITS);
      if (d.ok) got.push({ frame: { ...d.frame, payload: d.frame.payload.slice() }, conn });
    });
    const l = reliable(`ws://${HOST}:${s.port}/`, { incarnation: 5n });
    let ready = 0;
    void l.ready().then(() => ready++, () => {});
    await waitFor(() => got.length === 1, 5000, 'the hello');
    const { frame, conn } = got[0]!;
    expect(frame.kind).toBe('hello');
    expect(frame.sender).toBe(SENDER);
    expect(readIncarnation(frame.payload)).toBe(5n);
    await sleep(100);
    expect(ready).toBe(0);
    expect(l.isReady).toBe(false);
    const ack = (seq: bigint, incarnation: bigint) => encodeFrame({ kind: 'ack', sender: NODE, seq, payload: incarnationPayload(incarnation) }, SECRET);
    // An ack for another incarnation, or acknowledging frames never sent, does not count.
    expect(s.send(conn, ack(0n, 6n))).toBe('sent');
    expect(s.send(conn, ack(1n, 5n))).toBe('sent');
    await waitFor(() => l.counters.badAcks === 2, 5000, 'the bad acks');
    await sleep(50);
    expect(ready).toBe(0);
    expect(s.send(conn, ack(0n, 5n))).toBe('sent');
    await waitFor(() => ready === 1, 5000, 'ready');
    expect(l.isReady).toBe(true);
    await within(l.ready(), 1000, 'ready again');

    // A new connection needs its own hello acknowledged.
    expect(s.closeConnection(conn)).toBe(true);
    await waitFor(() => got.length === 2, 5000, 'the second hello');
    expect(l.isReady).toBe(false);
    let again = 0;
    void l.ready().then(() => again++, () => {});
    await sleep(50);
    expect(again).toBe(0);
    expect(s.send(got[1]!.conn, ack(0n, 5n))).toBe('sent');
    await waitFor(() => again === 1, 5000, 'ready after the reconnect');

    // Closing rejects a pending ready().
    expect(s.closeConnection(got[1]!.conn)).toBe(true);
    await waitFor(() => !l.isReady, 5000, 'the link to notice');
    const pending = l.ready();
    await l.close();
    await expect(pending).rejects.toThrow(/closed/);
  });

  it('delivers frames from a plain PeerLink (hello without an incarnation) without deduplication', async () => {
    const r = receiver();
    const p = new PeerLink(r.url, { hello: () => hello(SENDER, undefined) });
    links.push(p);
    expect(p.send(data(SENDER, 1n, 0))).toBe(true);
    expect(p.send(data(SENDER, 1n, 1))).toBe(true);
    await waitFor(() => r.got.length === 2, 5000, 'the frames');
    expect(r.got).toEqual([0, 1]);
    expect(r.sessions.counters).toMatchObject({ unsequenced: 2, delivered: 0, acksSent: 0 });
    expect(r.sessions.connectionOf(SENDER)).not.toBeUndefined(); // replies can still reach it
  });
});

describe('inbound sessions without sockets', () => {
  function fake(options: Partial<InboundSessionsOptions> = {}) {
    const sent: { conn: ConnectionId; frame: Frame }[] = [];
    const delivered: { seq: bigint; conn: ConnectionId }[] = [];
    const log: string[] = [];
    let result: SendResult = 'sent';
    const sessions = new InboundSessions({
      secret: SECRET,
      maxPayload: LIMITS.maxPayload,
      address: NODE,
      send: (conn, bytes) => {
        if (result === 'sent') {
          const d = decodeFrame(bytes, SECRET, LIMITS);
          if (d.ok) sent.push({ conn, frame: d.frame });
        }
        return result;
      },
      onData: (frame, conn) => delivered.push({ seq: frame.seq, conn }),
      log: (line) => log.push(line),
      ackDelayMs: 0, // acks in the same turn, unless a test asks otherwise
      ...options,
    });
    sessionsList.push(sessions);
    return { sessions, sent, delivered, log, setResult: (r: SendResult) => (result = r) };
  }
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('coalesces acks: one per connection per turn, cumulative (ackDelayMs 0)', async () => {
    const f = fake({ ackDelayMs: 0 });
    f.sessions.handle(hello(SENDER, 9n), 1);
    for (let s = 1n; s <= 100n; s++) f.sessions.handle(data(SENDER, s, Number(s)), 1);
    f.sessions.handle(hello(SENDER + 1n, 4n), 2);
    expect(f.sent).toHaveLength(0);
    await turn();
    expect(f.sent.map((a) => [a.conn, a.frame.kind, a.frame.seq, readIncarnation(a.frame.payload)])).toEqual([
      [1, 'ack', 100n, 9n],
      [2, 'ack', 0n, 4n],
    ]);
    f.sessions.handle(data(SENDER, 50n, 50), 1); // a duplicate is acknowledged too (the sender may release)
    await turn();
    expect(f.sent).toHaveLength(3);
    expect(f.sessions.counters).toMatchObject({ delivered: 100, duplicates: 1, acksSent: 3 });
  });

  it('delays data acks by ackDelayMs, so one covers the frames of that time; hellos are acked at once', async () => {
    const f = fake({ ackDelayMs: 30 });
    f.sessions.handle(hello(SENDER, 9n), 1);
    await turn();
    expect(f.sent.map((a) => a.frame.seq)).toEqual([0n]);
    for (let s = 1n; s <= 10n; s++) {
      f.sessions.handle(data(SENDER, s, Number(s)), 1);
      await turn();
    }
    expect(f.sent).toHaveLength(1); // still waiting
    await waitFor(() => f.sent.length === 2, 2000, 'the delayed ack');
    expect(f.sent[1]!.frame.seq).toBe(10n);
  });

  it('retries an ack refused for backpressure, and forgets a closed connection', async () => {
    const f = fake();
    f.setResult('backpressure');
    f.sessions.handle(hello(SENDER, 9n), 1);
    f.sessions.handle(data(SENDER, 1n, 1), 1);
    await turn();
    expect(f.sessions.counters.acksDeferred).toBe(1);
    f.setResult('sent');
    await waitFor(() => f.sent.length === 1, 2000, 'the retried ack');
    expect(f.sent[0]!.frame.seq).toBe(1n);
    f.sessions.handle(data(SENDER, 2n, 2), 1);
    f.sessions.closed(1);
    await turn();
    expect(f.sent).toHaveLength(1); // no ack to a closed connection
    expect(f.sessions.connectionOf(SENDER)).toBeUndefined();
    // The sender's state survives the connection: its resend on a new one is a duplicate.
    f.sessions.handle(hello(SENDER, 9n), 3);
    f.sessions.handle(data(SENDER, 2n, 2), 3);
    expect(f.sessions.counters.duplicates).toBe(1);
    expect(f.sessions.connectionOf(SENDER)).toBe(3);
  });

  it('keeps the most recent live connection of each sender', () => {
    const f = fake();
    f.sessions.handle(hello(SENDER, 1n), 1);
    f.sessions.handle(hello(SENDER, 1n), 2);
    expect(f.sessions.connectionOf(SENDER)).toBe(2);
    f.sessions.closed(2);
    expect(f.sessions.connectionOf(SENDER)).toBe(1);
    f.sessions.handle(hello(SENDER + 5n, 1n), 1); // a connection rebound to another sender
    expect(f.sessions.connectionOf(SENDER)).toBeUndefined();
    expect(f.sessions.connectionOf(SENDER + 5n)).toBe(1);
  });

  it('refuses unsequenced data when asked to, counts bad frames by reason, and rate-limits the log', () => {
    const f = fake({ acceptUnsequenced: false, logIntervalMs: 60_000 });
    f.sessions.handle(data(SENDER, 1n, 1), 1);
    f.sessions.handle(hello(SENDER, undefined), 2);
    f.sessions.handle(data(SENDER, 1n, 1), 2);
    for (let i = 0; i < 50; i++) f.sessions.handle(Uint8Array.of(1, 2, 3), 3);
    f.sessions.handle(encodeFrame({ kind: 'data', sender: SENDER, seq: 1n, payload: payload(1) }, 'wrong'), 3);
    f.sessions.handle(encodeFrame({ kind: 'ping', sender: SENDER, seq: 0n, payload: new Uint8Array(0) }, SECRET), 3);
    expect(f.delivered).toHaveLength(0);
    expect(f.sessions.counters).toMatchObject({ refusedUnsequenced: 2, unsequenced: 0, ignored: 1, hellos: 1 });
    expect(f.sessions.frames.rejected).toMatchObject({ 'bad-magic': 50, 'bad-auth': 1 });
    expect(f.sessions.frames.accepted).toBe(4);
    expect(f.log).toHaveLength(1);
  });

  it('a stale incarnation is dropped even when its sequence is new', () => {
    const f = fake();
    f.sessions.handle(hello(SENDER, 1n), 1);
    f.sessions.handle(data(SENDER, 1n, 1), 1);
    f.sessions.handle(hello(SENDER, 2n), 2);
    f.sessions.handle(data(SENDER, 2n, 2), 1); // the old run's connection
    f.sessions.handle(data(SENDER, 1n, 3), 2); // the new run starts at 1
    expect(f.delivered).toEqual([{ seq: 1n, conn: 1 }, { seq: 1n, conn: 2 }]);
    expect(f.sessions.counters).toMatchObject({ stale: 1, restarts: 1, delivered: 2, duplicates: 0 });
  });
});
