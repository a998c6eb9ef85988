// The sending half of a reliable sender->receiver channel: a PeerLink plus the frame codec.
// Every payload becomes a data frame with the next sequence number (1, 2, ...) and is kept
// until the receiver acknowledges it (cumulative ack frames, host/inbound-sessions.ts). Every
// new connection starts with a hello carrying this process's incarnation; once the receiver
// acks it (saying what it already has), every frame still unacknowledged is written again in
// order, then new ones as they come, so a connection cut while both processes live loses
// nothing, and the receiver drops anything it sees twice. A connection on which acks stop
// coming is cut and reopened. Frames the peer sends back on the socket that are not acks
// (replies to a client) go to onFrame.

import { randomBytes } from 'node:crypto';
import {
  FRAME_HEADER, countFrame, decodeFrame, encodeFrame, incarnationPayload, newFrameCounters, readIncarnation,
  type Frame, type FrameCounters,
} from './frame.js';
import { PeerLink, type LinkState } from './peer-link.js';

export interface ReliableLinkOptions {
  /** This side's address: the sender of every frame. */
  readonly sender: bigint;
  readonly secret: string | Uint8Array;
  /** A random u64 drawn once per process start (newIncarnation()); the receiver starts counting
   * afresh when it changes, so a restarted sender's sequence numbers 1, 2, ... are not taken
   * for duplicates. */
  readonly incarnation: bigint;
  /** Most frames held (sent but unacknowledged, or not yet sent). Default 10,000. */
  readonly maxMessages?: number;
  /** Most bytes of frames held; also the largest frame. Default 16 MiB. */
  readonly maxBytes?: number;
  /**
   * How long the link waits for an ack (of the hello, or of written frames) before it takes the
   * connection for dead, cuts it and reconnects, ms. Default 10,000.
   */
  readonly ackTimeoutMs?: number;
  /** Largest payload accepted from the peer on this link (acks, replies). Default 16 MiB. */
  readonly maxIncomingPayload?: number;
  /** Authenticated frames other than acks that the peer sends on the link (replies). The
   * payload is a view: copy what is kept past the call. */
  readonly onFrame?: (frame: Frame) => void;
  readonly log?: (line: string) => void;
  /** Passed to the PeerLink (reconnection timing, jitter source). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly connectTimeoutMs?: number;
  readonly random?: () => number;
}

export interface ReliableLinkCounters {
  /** Payloads taken by send() (each given a sequence number). */
  sent: number;
  /** Frames written again on a later connection because they were not acknowledged. */
  retransmitted: number;
  /** Connections cut because no ack came within ackTimeoutMs. */
  ackTimeouts: number;
  /** Frames released by acks. */
  acked: number;
  /** Payloads refused by send(): over the bound, or the link closed (plus frames discarded by close()). */
  dropped: number;
  /** Connections opened after the first one. */
  reconnects: number;
  /** Ack frames ignored: for another incarnation, or acknowledging frames never sent. */
  badAcks: number;
  /** Frames handed to onFrame. */
  received: number;
}

interface Held {
  readonly seq: bigint;
  readonly bytes: Uint8Array;
  writes: number;
}

/** A fresh random incarnation (u64) for this process start. */
export function newIncarnation(): bigint {
  return randomBytes(8).readBigUInt64LE();
}

export class ReliableLink {
  readonly counters: ReliableLinkCounters = { sent: 0, retransmitted: 0, ackTimeouts: 0, acked: 0, dropped: 0, reconnects: 0, badAcks: 0, received: 0 };
  /** Frames received on the link, accepted and refused by reason. */
  readonly frames: FrameCounters = newFrameCounters();
  readonly sender: bigint;
  readonly incarnation: bigint;

  private readonly link: PeerLink;
  private readonly secret: string | Uint8Array;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly maxIncomingPayload: number;
  private readonly log: (line: string) => void;
  private readonly ackTimeoutMs: number;
  private ackTimer: NodeJS.Timeout | undefined;
  // Unacknowledged frames in sequence order: held[head..] (a queue without shifting).
  private held: Held[] = [];
  private head = 0;
  private heldBytes = 0;
  private lastSeq = 0n;
  private ackedSeq = 0n;
  /**
   * The current connection's hello has been acknowledged. While it has, every frame held has
   * been written on this connection (the replay at the hello's ack, then each send), so the
   * frames of one connection are contiguous in sequence: the receiver never sees a gap.
   */
  private helloAcked = false;
  private closed = false;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(readonly url: string, private readonly options: ReliableLinkOptions) {
    this.sender = options.sender;
    this.incarnation = options.incarnation;
    this.secret = options.secret;
    this.maxMessages = options.maxMessages ?? 10_000;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.maxIncomingPayload = options.maxIncomingPayload ?? 16 * 1024 * 1024;
    this.log = options.log ?? (() => {});
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    const hello = encodeFrame({ kind: 'hello', sender: this.sender, seq: 0n, payload: incarnationPayload(this.incarnation) }, this.secret);
    this.link = new PeerLink(url, {
      hello: () => hello,
      onMessage: (bytes) => this.onMessage(bytes),
      onState: (state) => this.onState(state),
      maxIncomingBytes: FRAME_HEADER + this.maxIncomingPayload,
      log: this.log,
      ...(options.minBackoffMs !== undefined ? { minBackoffMs: options.minBackoffMs } : {}),
      ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.random !== undefined ? { random: options.random } : {}),
    });
  }

  get linkState(): LinkState {
    return this.link.linkState;
  }

  /** Frames held: sent and not yet acknowledged, or waiting for a connection. */
  get pendingMessages(): number {
    return this.held.length - this.head;
  }

  get pendingBytes(): number {
    return this.heldBytes;
  }

  /** The sequence number of the last frame sent (0 before the first). */
  get lastSent(): bigint {
    return this.lastSeq;
  }

  /** The highest sequence number the receiver has acknowledged. */
  get lastAcked(): bigint {
    return this.ackedSeq;
  }

  /** Whether the receiver has acknowledged the hello of the current connection. */
  get isReady(): boolean {
    return this.helloAcked;
  }

  /**
   * Sends one payload as the next data frame: written now if connected (and the connection's
   * hello acknowledged), else on the next one; kept until acknowledged. False (and counted as dropped) when the link is
   * closed or holding one more frame would pass maxMessages or maxBytes. The payload is
   * copied into the frame before this returns.
   */
  send(payload: Uint8Array): boolean {
    const size = FRAME_HEADER + payload.byteLength;
    if (this.closed || this.pendingMessages >= this.maxMessages || this.heldBytes + size > this.maxBytes) {
      this.counters.dropped++;
      return false;
    }
    const seq = ++this.lastSeq;
    const bytes = encodeFrame({ kind: 'data', sender: this.sender, seq, payload }, this.secret);
    const held: Held = { seq, bytes, writes: 0 };
    this.held.push(held);
    this.heldBytes += size;
    this.counters.sent++;
    if (this.helloAcked && this.link.sendIfOpen(bytes)) {
      held.writes++;
      this.armAckTimer();
    }
    return true;
  }

  /**
   * Resolves once the receiver has acknowledged the hello of the current connection (at once if
   * it has; after a reconnect, when the new one's is). Rejects if the link is closed first.
   */
  ready(): Promise<void> {
    if (this.helloAcked) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`link ${this.url} is closed`));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Drops the current connection as a broken network would; the link reconnects and replays.
   * False when there is none. */
  cut(): boolean {
    return this.link.cut();
  }

  /** Stops for good: unacknowledged frames are discarded (counted as dropped), ready() waiters rejected. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.counters.dropped += this.pendingMessages;
      this.held = [];
      this.head = 0;
      this.heldBytes = 0;
      this.rejectWaiters();
      this.disarmAckTimer();
    }
    return this.link.close();
  }

  /** Writes every held frame on the current connection, in order (at its hello's ack). */
  private replay(): void {
    for (let i = this.head; i < this.held.length; i++) {
      const h = this.held[i]!;
      if (!this.link.sendIfOpen(h.bytes)) return; // the connection died meanwhile: the next one replays
      if (h.writes++ > 0) this.counters.retransmitted++;
    }
  }

  private onState(state: LinkState): void {
    // A new connection (or none) has a hello nobody has acknowledged yet.
    this.helloAcked = false;
    this.disarmAckTimer();
    if (state === 'open') {
      this.counters.reconnects = this.link.counters.reconnects;
      this.armAckTimer(); // for the hello, written right after this
    }
    if (state === 'closed') this.rejectWaiters();
  }

  private armAckTimer(): void {
    if (this.ackTimer || this.closed) return;
    this.ackTimer = setTimeout(() => this.onAckTimeout(), this.ackTimeoutMs);
    this.ackTimer.unref(); // a wait alone should not keep a finished process alive
  }

  private disarmAckTimer(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  private onAckTimeout(): void {
    this.ackTimer = undefined;
    if (this.closed || this.link.linkState !== 'open') return;
    this.counters.ackTimeouts++;
    this.log(`link ${this.url}: no ack for ${this.ackTimeoutMs} ms; reconnecting`);
    this.link.cut();
  }

  private onMessage(bytes: Uint8Array): void {
    const decoded = countFrame(this.frames, decodeFrame(bytes, this.secret, { maxPayload: this.maxIncomingPayload }));
    if (!decoded.ok) {
      this.log(`link ${this.url}: refused a frame from the peer: ${decoded.reason}`);
      return;
    }
    const frame = decoded.frame;
    if (frame.kind !== 'ack') {
      this.counters.received++;
      this.options.onFrame?.(frame);
      return;
    }
    // An ack names the incarnation it acknowledges, so one for a previous run of this sender
    // (replayed, or late) cannot release this run's frames.
    if (readIncarnation(frame.payload) !== this.incarnation || frame.seq > this.lastSeq) {
      this.counters.badAcks++;
      return;
    }
    this.release(frame.seq);
    // Each ack restarts the wait; none is needed while nothing written is unacknowledged.
    this.disarmAckTimer();
    if (!this.helloAcked) {
      // The receiver acks only on a connection it has bound by its hello, and PeerLink hands
      // over messages from the current connection only: this connection's hello is acknowledged,
      // and the ack said what the receiver already has, so only the rest is written again.
      this.helloAcked = true;
      this.replay();
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.resolve();
    }
    if (this.pendingMessages > 0) this.armAckTimer();
  }

  private release(upTo: bigint): void {
    if (upTo > this.ackedSeq) this.ackedSeq = upTo;
    while (this.head < this.held.length && this.held[this.head]!.seq <= upTo) {
      this.heldBytes -= this.held[this.head]!.bytes.byteLength;
      this.head++;
      this.counters.acked++;
    }
    if (this.head === this.held.length) {
      this.held = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
  }

  private rejectWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new Error(`link ${this.url} is closed`));
  }
}
