// The receiving half of reliable channels (host/reliable-link.ts), used by a node with its
// inbound server: every message is decoded and authenticated (refusals counted by reason and
// logged, rate-limited); a hello binds its connection to the sender and the sender's
// incarnation; data frames are delivered once each, in order, per sender (a sequence number at
// or below what was delivered is a duplicate: dropped and counted); cumulative acks go back on
// the connection, at most one per connection per event-loop turn. The live connection of each
// sender is kept, so a node can send to a client (which listens on no port) over the
// connection the client opened.
//
// Data frames on a connection without an incarnation-carrying hello (a plain PeerLink) are
// delivered without deduplication and counted as `unsequenced`, unless `acceptUnsequenced` is
// false, when they are refused and counted as `refusedUnsequenced`.

import {
  countFrame, decodeFrame, encodeFrame, incarnationPayload, newFrameCounters, readIncarnation,
  type Frame, type FrameCounters,
} from './frame.js';
import type { ConnectionId, SendResult } from './inbound-server.js';

export interface InboundSessionsOptions {
  readonly secret: string | Uint8Array;
  /** Largest payload accepted (frame.ts FrameLimits). */
  readonly maxPayload: number;
  /** Writes on a connection: the inbound server's send. */
  readonly send: (conn: ConnectionId, bytes: Uint8Array) => SendResult;
  /** Each data frame delivered (once per sequence number per sender incarnation). The payload is
   * a view of the message bytes the server handed over. */
  readonly onData: (frame: Frame, conn: ConnectionId) => void;
  /** A connection bound to a sender by its hello. */
  readonly onHello?: (sender: bigint, conn: ConnectionId) => void;
  /** How long data frames wait for their (cumulative) ack, ms; 0 acks in the same turn. Default 5. */
  readonly ackDelayMs?: number;
  /** The sender field of acks: this node's address. Default 0. */
  readonly address?: bigint;
  /** Deliver data frames from connections without a sequenced hello (default true). */
  readonly acceptUnsequenced?: boolean;
  readonly log?: (line: string) => void;
  /** At most one log line per this many ms; the rest are counted into the next line. Default 1000. */
  readonly logIntervalMs?: number;
}

export interface InboundSessionsCounters {
  /** Hellos taken (connections bound). */
  hellos: number;
  /** Hellos naming a new incarnation of a sender already known (a restarted sender). */
  restarts: number;
  /** Data frames handed to onData after the sequence check. */
  delivered: number;
  /** Data frames at or below the sender's delivered sequence: dropped. */
  duplicates: number;
  /** Data frames on a connection bound to an incarnation the sender has since replaced: dropped. */
  stale: number;
  /** Data frames whose sender differs from their connection's hello: dropped. */
  wrongSender: number;
  /** Data frames without a sequenced hello, delivered without deduplication. */
  unsequenced: number;
  /** Data frames without a sequenced hello, refused (acceptUnsequenced false). */
  refusedUnsequenced: number;
  /** Ping and ack frames, which need no action here. */
  ignored: number;
  /** Ack frames written. */
  acksSent: number;
  /** Ack writes refused for backpressure (retried shortly). */
  acksDeferred: number;
}

interface Binding {
  readonly sender: bigint;
  /** Undefined for a hello without an incarnation. */
  readonly incarnation: bigint | undefined;
}

interface SenderState {
  incarnation: bigint;
  delivered: bigint;
}

const ACK_RETRY_MS = 20;
/** Data frames are acknowledged at most this long after they arrive (cumulative acks). */
const DEFAULT_ACK_DELAY_MS = 5;

export class InboundSessions {
  readonly counters: InboundSessionsCounters = {
    hellos: 0, restarts: 0, delivered: 0, duplicates: 0, stale: 0, wrongSender: 0, unsequenced: 0, refusedUnsequenced: 0, ignored: 0, acksSent: 0, acksDeferred: 0,
  };
  /** Frames decoded, accepted and refused by reason. */
  readonly frames: FrameCounters = newFrameCounters();

  private readonly bindings = new Map<ConnectionId, Binding>();
  /** Per sender, its bound connections, the most recently bound last. */
  private readonly connections = new Map<bigint, ConnectionId[]>();
  private readonly senders = new Map<bigint, SenderState>();
  private readonly ackDue = new Set<ConnectionId>();
  private ackImmediate: NodeJS.Immediate | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private ackRetry: NodeJS.Timeout | undefined;
  private readonly say: (line: string) => void;

  constructor(private readonly options: InboundSessionsOptions) {
    this.say = rateLimited(options.log ?? (() => {}), options.logIntervalMs ?? 1000);
  }

  /** One message from the inbound server. Never throws on bad input. */
  handle(bytes: Uint8Array, conn: ConnectionId): void {
    const decoded = countFrame(this.frames, decodeFrame(bytes, this.options.secret, { maxPayload: this.options.maxPayload }));
    if (!decoded.ok) {
      this.say(`sessions: refused a frame on connection ${conn}: ${decoded.reason}`);
      return;
    }
    const frame = decoded.frame;
    if (frame.kind === 'hello') this.hello(frame, conn);
    else if (frame.kind === 'data') this.data(frame, conn);
    else this.counters.ignored++;
  }

  /** The server closed `conn`: forget its binding, keep what was delivered from its sender. */
  closed(conn: ConnectionId): void {
    const binding = this.bindings.get(conn);
    this.ackDue.delete(conn);
    if (!binding) return;
    this.bindings.delete(conn);
    this.unlist(binding.sender, conn);
  }

  /** The live connection most recently bound to `address` by a hello, if any. */
  connectionOf(address: bigint): ConnectionId | undefined {
    const list = this.connections.get(address);
    return list?.[list.length - 1];
  }

  /** Sends a frame to `address` over its connection; false when it has none or the write was refused. */
  sendTo(address: bigint, frame: Uint8Array): boolean {
    const conn = this.connectionOf(address);
    return conn !== undefined && this.options.send(conn, frame) === 'sent';
  }

  /** The highest sequence delivered from `address` (its current incarnation), 0 if none. */
  deliveredFrom(address: bigint): bigint {
    return this.senders.get(address)?.delivered ?? 0n;
  }

  /** Cancels pending ack work (when the server stops). */
  close(): void {
    if (this.ackImmediate) clearImmediate(this.ackImmediate);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    clearTimeout(this.ackRetry);
    this.ackImmediate = undefined;
    this.ackRetry = undefined;
    this.ackDue.clear();
  }

  private hello(frame: Frame, conn: ConnectionId): void {
    const incarnation = readIncarnation(frame.payload);
    const previous = this.bindings.get(conn);
    if (previous) this.unlist(previous.sender, conn);
    this.bindings.set(conn, { sender: frame.sender, incarnation });
    const list = this.connections.get(frame.sender) ?? [];
    list.push(conn);
    this.connections.set(frame.sender, list);
    this.counters.hellos++;
    if (incarnation !== undefined) {
      const state = this.senders.get(frame.sender);
      if (!state || state.incarnation !== incarnation) {
        if (state) {
          this.counters.restarts++;
          this.say(`sessions: sender ${frame.sender} restarted (new incarnation); counting its frames afresh`);
        }
        this.senders.set(frame.sender, { incarnation, delivered: 0n });
      }
      // The hello's ack tells the sender what it may release, and that the connection is bound:
      // at once, since the sender waits for it before sending anything.
      this.ackSoon(conn, true);
    }
    this.options.onHello?.(frame.sender, conn);
  }

  private data(frame: Frame, conn: ConnectionId): void {
    const binding = this.bindings.get(conn);
    if (binding && frame.sender !== binding.sender) {
      this.counters.wrongSender++;
      this.say(`sessions: connection ${conn} bound to ${binding.sender} sent a frame from ${frame.sender}; dropped`);
      return;
    }
    if (binding?.incarnation === undefined) {
      if (this.options.acceptUnsequenced === false) {
        this.counters.refusedUnsequenced++;
        this.say(`sessions: data frame from ${frame.sender} on connection ${conn} without a sequenced hello; refused`);
        return;
      }
      this.counters.unsequenced++;
      this.options.onData(frame, conn);
      return;
    }
    const state = this.senders.get(binding.sender)!;
    if (state.incarnation !== binding.incarnation) {
      this.counters.stale++;
      return;
    }
    this.ackSoon(conn);
    if (frame.seq <= state.delivered) {
      this.counters.duplicates++;
      return;
    }
    // Taken before onData runs: a handler that throws does not get the frame again.
    state.delivered = frame.seq;
    this.counters.delivered++;
    this.options.onData(frame, conn);
  }

  private unlist(sender: bigint, conn: ConnectionId): void {
    const list = this.connections.get(sender);
    if (!list) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.connections.delete(sender);
  }

  /**
   * Acks data after `ackDelayMs` (so one ack covers the frames of a busy connection over that
   * time, not every frame), hellos in this event-loop turn.
   */
  private ackSoon(conn: ConnectionId, now = false): void {
    this.ackDue.add(conn);
    const delay = this.options.ackDelayMs ?? DEFAULT_ACK_DELAY_MS;
    if (now || delay <= 0) this.ackImmediate ??= setImmediate(() => this.flushAcks());
    else if (!this.ackTimer) {
      this.ackTimer = setTimeout(() => {
        this.ackTimer = undefined;
        this.flushAcks();
      }, delay);
      this.ackTimer.unref();
    }
  }

  /** One cumulative ack per connection that needs one; those refused for backpressure wait a little. */
  private flushAcks(): void {
    this.ackImmediate = undefined;
    let deferred = false;
    for (const conn of [...this.ackDue]) {
      this.ackDue.delete(conn);
      const binding = this.bindings.get(conn);
      const state = binding && this.senders.get(binding.sender);
      if (!binding || binding.incarnation === undefined || !state || state.incarnation !== binding.incarnation) continue;
      const ack = encodeFrame(
        { kind: 'ack', sender: this.options.address ?? 0n, seq: state.delivered, payload: incarnationPayload(binding.incarnation) },
        this.options.secret,
      );
      const result = this.options.send(conn, ack);
      if (result === 'sent') this.counters.acksSent++;
      else if (result === 'backpressure') {
        this.counters.acksDeferred++;
        this.ackDue.add(conn);
        deferred = true;
      }
    }
    if (deferred && !this.ackRetry) {
      this.ackRetry = setTimeout(() => {
        this.ackRetry = undefined;
        this.ackImmediate ??= setImmediate(() => this.flushAcks());
      }, ACK_RETRY_MS);
      this.ackRetry.unref();
    }
  }
}

/** A log that writes at most one line per interval and says how many it held back. */
function rateLimited(log: (line: string) => void, intervalMs: number): (line: string) => void {
  let last = -Infinity;
  let suppressed = 0;
  return (line) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    last = now;
    log(suppressed ? `${line} (and ${suppressed} more lines suppressed)` : line);
    suppressed = 0;
  };
}
