// The outbound side of the transport: one PeerLink per peer, the only connection a node uses to
// send to that peer. Takes opaque byte messages; gives in-order delivery while connected, a
// bounded queue (by count and bytes) while not, and reconnection with exponential backoff and
// jitter. Over the bound, send() returns false (backpressure) and the drop is counted.
// Hooks for a layer above (host/reliable-link.ts): a write that never queues, state changes,
// messages the peer sends back on the socket, and cutting a connection that seems dead.
// Relies on the `ws` client; the server side is host/inbound-server.ts.

import WebSocket from 'ws';

export interface PeerLinkOptions {
  /** Most messages held while disconnected. Default 10,000. */
  readonly maxQueueMessages?: number;
  /**
   * Most bytes held: queued while disconnected, or buffered in the socket while connected.
   * Also the largest single message. Default 16 MiB.
   */
  readonly maxQueueBytes?: number;
  /** First retry delay and floor of every delay, ms. Default 50. */
  readonly minBackoffMs?: number;
  /** Ceiling of the retry delay, ms. Default 2000. */
  readonly maxBackoffMs?: number;
  /** How long an opening handshake may take before the attempt counts as failed, ms. Default 2000. */
  readonly connectTimeoutMs?: number;
  /**
   * Bytes sent first on every new connection, before the queue (e.g. a hello frame that
   * authenticates this node); called once per connection so it can carry a fresh sequence.
   */
  readonly hello?: () => Uint8Array;
  /**
   * Binary messages the peer sends back on this link's socket (acks, replies to a client), in
   * order, from the current connection only; text messages are ignored. The bytes may be a
   * view into a buffer ws reuses: copy what is kept past the call. Exceptions are caught and
   * logged.
   */
  readonly onMessage?: (bytes: Uint8Array) => void;
  /** Largest message accepted from the peer; a larger one closes the connection. Default 64 KiB. */
  readonly maxIncomingBytes?: number;
  /** Called on every state change, after it (an 'open' before the hello is written). */
  readonly onState?: (state: LinkState) => void;
  /** Source of jitter in [0, 1); tests pass a fixed one. Default Math.random. */
  readonly random?: () => number;
  /** Where to report connection changes and errors. */
  readonly log?: (line: string) => void;
}

export interface PeerLinkCounters {
  /** Messages handed to an open socket: sent directly, flushed from the queue, or hello. */
  sent: number;
  /** Payload bytes of those messages. */
  bytes: number;
  /** Messages that had to wait in the queue because the link was not open. */
  queued: number;
  /** Messages refused by send() (queue full, too large, link closed) or discarded by close(). */
  dropped: number;
  /**
   * Messages handed to a socket that died before writing them. Messages written but not yet
   * read by a peer that dies are lost without trace: the transport is at-most-once across a
   * broken connection, and recovery is the protocol's business.
   */
  lost: number;
  /** Connection attempts started. */
  attempts: number;
  /** Connections opened after the first one. */
  reconnects: number;
  /** Messages received from the peer on the link's socket and handed to onMessage. */
  received: number;
}

export type LinkState = 'connecting' | 'open' | 'waiting' | 'closed';

/**
 * The retry delay after `failures` consecutive failed attempts: exponential from `min`, capped
 * at `max`, with jitter so that peers restarted together do not retry in lockstep. Never below
 * `min` or above `max`.
 */
export function backoffDelay(failures: number, min: number, max: number, random: () => number): number {
  const exp = Math.min(max, min * 2 ** Math.min(failures, 30));
  const jittered = exp * (0.5 + 0.5 * random());
  return Math.max(min, Math.min(max, jittered));
}

export class PeerLink {
  readonly counters: PeerLinkCounters = {
    sent: 0,
    bytes: 0,
    queued: 0,
    dropped: 0,
    lost: 0,
    attempts: 0,
    reconnects: 0,
    received: 0,
  };

  private readonly maxQueueMessages: number;
  private readonly maxQueueBytes: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly random: () => number;
  private readonly log: (line: string) => void;

  private ws: WebSocket | undefined;
  private state: LinkState = 'connecting';
  private queue: Uint8Array[] = [];
  private queueBytes = 0;
  private failures = 0;
  private everOpened = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closedPromise: Promise<void> | undefined;

  constructor(
    readonly url: string,
    private readonly options: PeerLinkOptions = {},
  ) {
    this.maxQueueMessages = options.maxQueueMessages ?? 10_000;
    this.maxQueueBytes = options.maxQueueBytes ?? 16 * 1024 * 1024;
    this.minBackoffMs = options.minBackoffMs ?? 50;
    this.maxBackoffMs = Math.max(this.minBackoffMs, options.maxBackoffMs ?? 2000);
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => {});
    this.connect();
  }

  get linkState(): LinkState {
    return this.state;
  }

  /** Messages waiting in the queue (always 0 while open: the queue is flushed on connect). */
  get pendingMessages(): number {
    return this.queue.length;
  }

  /** Bytes not yet written: queued, or buffered in an open socket. Bounded by maxQueueBytes. */
  get pendingBytes(): number {
    return this.queueBytes + (this.ws?.bufferedAmount ?? 0);
  }

  /**
   * Sends one message, or queues it while the link is not open. False when it was dropped: the
   * link is closed, the message is larger than maxQueueBytes, or the bound is reached. The
   * caller keeps ownership of `bytes` (they are copied or framed before this returns).
   */
  send(bytes: Uint8Array): boolean {
    const size = bytes.byteLength;
    if (this.state === 'closed' || size > this.maxQueueBytes) {
      this.counters.dropped++;
      return false;
    }
    const ws = this.ws;
    if (ws !== undefined && ws.readyState === WebSocket.OPEN) {
      if (ws.bufferedAmount + size > this.maxQueueBytes) {
        this.counters.dropped++;
        return false;
      }
      this.write(ws, bytes);
      return true;
    }
    if (this.pendingMessages >= this.maxQueueMessages || this.queueBytes + size > this.maxQueueBytes) {
      this.counters.dropped++;
      return false;
    }
    // Copied: the caller may reuse its buffer (a frame encoder's scratch space) before the
    // link reconnects. Not with slice(), which on a Buffer is a view, not a copy.
    this.queue.push(new Uint8Array(bytes));
    this.queueBytes += size;
    this.counters.queued++;
    return true;
  }

  /**
   * Writes one message on the open socket, now, or does nothing and returns false when the
   * link is not open (never queued, never counted as dropped: the caller keeps the message, for
   * instance to replay it on the next connection). No byte bound is applied: a caller using
   * this bounds what it writes itself.
   */
  sendIfOpen(bytes: Uint8Array): boolean {
    const ws = this.ws;
    if (this.state !== 'open' || ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    this.write(ws, bytes);
    return true;
  }

  /**
   * Drops the current connection at once, as a broken network would (what it had not written is
   * lost); the link reconnects after the usual backoff. False when there is no connection.
   */
  cut(): boolean {
    const ws = this.ws;
    if (this.state === 'closed' || ws === undefined || ws.readyState === WebSocket.CLOSED) return false;
    ws.terminate();
    return true;
  }

  /**
   * Stops the link for good: no more reconnects, queued messages are discarded (counted as
   * dropped). An open socket is closed gracefully, so messages already handed to it still go
   * out; one that does not finish closing within a second is cut. Resolves once the socket is
   * gone.
   */
  close(): Promise<void> {
    if (this.closedPromise) return this.closedPromise;
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.counters.dropped += this.pendingMessages;
    this.queue = [];
    this.queueBytes = 0;
    const ws = this.ws;
    this.options.onState?.('closed');
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) {
      this.closedPromise = Promise.resolve();
      return this.closedPromise;
    }
    this.closedPromise = new Promise<void>((resolve) => {
      ws.once('close', () => {
        clearTimeout(cut);
        resolve();
      });
      const cut = setTimeout(() => ws.terminate(), 1000);
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
    });
    return this.closedPromise;
  }

  private write(ws: WebSocket, bytes: Uint8Array): void {
    this.counters.sent++;
    this.counters.bytes += bytes.byteLength;
    // ws frames (and masks) into a buffer of its own before send() returns, so `bytes` is not
    // retained; the callback reports messages the socket never wrote.
    ws.send(bytes, { binary: true }, (err) => {
      if (err) this.counters.lost++;
    });
  }

  private setState(state: LinkState): void {
    this.state = state;
    this.options.onState?.(state);
  }

  private connect(): void {
    this.setState('connecting');
    this.counters.attempts++;
    const ws = new WebSocket(this.url, {
      // Nodes send already-batched binary frames; compression would only cost CPU.
      perMessageDeflate: false,
      handshakeTimeout: this.options.connectTimeoutMs ?? 2000,
      // Peers send little on this connection (acks, replies); a small default limit keeps a
      // confused one from making us buffer much.
      maxPayload: this.options.maxIncomingBytes ?? 64 * 1024,
    });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => this.onOpen(ws));
    ws.on('message', (data, isBinary) => this.onPeerMessage(ws, data, isBinary));
    // 'close' always follows 'error' in ws, so the retry is scheduled only there; the listener
    // also keeps an error from being thrown as an unhandled 'error' event.
    ws.on('error', (err) => this.log(`link ${this.url}: ${err.message}`));
    ws.on('close', () => this.onClose(ws));
  }

  private onOpen(ws: WebSocket): void {
    if (this.state === 'closed' || ws !== this.ws) return;
    this.failures = 0;
    if (this.everOpened) {
      this.counters.reconnects++;
      this.log(`link ${this.url}: reconnected`);
    }
    this.everOpened = true;
    this.setState('open');
    if (this.options.hello) this.write(ws, this.options.hello());
    // Flushed in order and synchronously, so nothing sent from now on can overtake a queued
    // message; the byte bound still holds because queued bytes become buffered bytes.
    for (const bytes of this.queue) this.write(ws, bytes);
    this.queue = [];
    this.queueBytes = 0;
  }

  private onPeerMessage(ws: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    const onMessage = this.options.onMessage;
    if (ws !== this.ws || this.state === 'closed' || !isBinary || !onMessage) return;
    // With binaryType 'nodebuffer' ws gives a Buffer; fragmented messages arrive joined.
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    this.counters.received++;
    try {
      onMessage(bytes);
    } catch (err) {
      this.log(`link ${this.url}: message handler threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onClose(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    if (this.state === 'closed') return;
    const delay = backoffDelay(this.failures, this.minBackoffMs, this.maxBackoffMs, this.random);
    this.failures++;
    this.setState('waiting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === 'waiting') this.connect();
    }, delay);
    // A retry alone should not keep a finished process alive.
    this.retryTimer.unref();
  }
}
