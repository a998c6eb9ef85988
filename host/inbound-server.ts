// The inbound side of the transport: a uWebSockets.js server that accepts WebSocket connections
// from peers and hands every binary message to the host as a fresh, 0-offset Uint8Array, with
// the id of the connection it came from. Bytes are opaque here: frames are validated by the host
// (host/frame.ts). Text messages are dropped and counted; messages over maxPayloadLength are
// refused by uWS itself, which closes that connection. The server can also write back on a
// connection (replies and acks to a peer that cannot accept connections), refusing past a
// per-connection buffered-bytes bound, and close one connection. Relies on uws-pack
// (uWebSockets.js).

import * as uws from 'uWebSockets.js';

/** Identifies one inbound connection for as long as the server lives; never reused. */
export type ConnectionId = number;

export interface InboundOptions {
  /** Address to bind; only loopback in tests. */
  readonly host: string;
  /** Port to bind; 0 picks an ephemeral one (read it back from `InboundServer.port`). */
  readonly port: number;
  /** Largest message accepted, in bytes; uWS closes a connection that sends more. Default 16 MiB. */
  readonly maxPayloadLength?: number;
  /** Seconds without traffic before uWS pings and then drops the connection (0 = never). Default 120. */
  readonly idleTimeoutSeconds?: number;
  /** Where to report rejected messages and handler errors; the host decides how loud to be. */
  readonly log?: (line: string) => void;
  /**
   * Most bytes send() lets build up unsent on one connection (a reader that does not keep up);
   * a message that would take it past this is refused with 'backpressure'. Default 16 MiB.
   */
  readonly maxBackpressureBytes?: number;
  /** Plain HTTP GET routes served on the same port (path -> body, Prometheus text for /metrics). */
  readonly http?: ReadonlyMap<string, () => string>;
}

export interface InboundCounters {
  /** Connections open right now. */
  connectionsOpen: number;
  /** Connections accepted since the server started. */
  connectionsTotal: number;
  /** Binary messages handed to onMessage. */
  messages: number;
  /** Payload bytes of those messages. */
  bytes: number;
  /** Messages refused: text messages (counted here) and oversized ones (also in `oversized`). */
  rejected: number;
  /** Connections uWS closed because a message exceeded maxPayloadLength. */
  oversized: number;
  /** Exceptions thrown by onMessage/onClose, caught so they cannot unwind into uWS. */
  handlerErrors: number;
  /** Messages send() accepted (written, or buffered by uWS to drain later). */
  sent: number;
  /** Bytes of those messages. */
  sentBytes: number;
  /** Messages send() refused because the connection's buffered bytes were over the bound. */
  sendRefused: number;
  /** Connections closed by closeConnection() (not by the peer, a refusal, or close()). */
  closedByServer: number;
}

/**
 * What send() did with a message: 'sent' when uWS took it (written to the socket, or buffered
 * and drained in order later: either way it goes out unless the connection breaks);
 * 'backpressure' when it was refused, nothing written, because the connection has too many bytes
 * waiting; 'closed' when no such connection is open.
 */
export type SendResult = 'sent' | 'backpressure' | 'closed';

export interface InboundServer {
  /** The bound port (the ephemeral one when 0 was asked for). */
  readonly port: number;
  readonly counters: Readonly<InboundCounters>;
  /**
   * Sends one binary message back on an inbound connection (acks, and replies to clients that
   * cannot accept connections). The bytes are copied before this returns.
   */
  send(to: ConnectionId, bytes: Uint8Array): SendResult;
  /**
   * Closes one connection: by default cut at once (no close frame; what uWS has not yet written
   * is lost, like a broken network), or gracefully with `{ graceful: true }` (a close frame with
   * code 1000 after what was already sent). onClose runs for it before this returns. False when
   * no such connection is open.
   */
  closeConnection(id: ConnectionId, options?: { readonly graceful?: boolean }): boolean;
  /** Stops listening and closes every connection; idempotent. onClose runs for each one. */
  close(): void;
}

export type OnMessage = (bytes: Uint8Array, from: ConnectionId) => void;
export type OnClose = (from: ConnectionId, code: number) => void;

interface ConnectionData {
  id: ConnectionId;
}

// The native listen(host, port, options, cb) overload is missing from uws-pack's types, and the
// ListenOptions enum they declare is not exported at run time, hence the local declarations.
type ListenWithOptions = (
  host: string,
  port: number,
  options: number,
  cb: (listenSocket: uws.us_listen_socket | false) => void,
) => uws.TemplatedApp;
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;

const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
const DEFAULT_MAX_BACKPRESSURE = 16 * 1024 * 1024;
// uWS closes a connection with this reason when a message exceeds maxPayloadLength; it is the
// only sign that the close was a refusal, so `oversized` is counted from it.
const TOO_BIG_REASON = 'Received too big message';

/**
 * Starts a server. uWS binds synchronously, so this either returns a listening server or throws
 * (port in use, bad address). Messages are delivered in the order each connection sent them.
 * A server that must restart in place needs a fixed port: see the note on listening below.
 */
export function listen(options: InboundOptions, onMessage: OnMessage, onClose?: OnClose): InboundServer {
  const log = options.log ?? (() => {});
  const counters: InboundCounters = {
    connectionsOpen: 0,
    connectionsTotal: 0,
    messages: 0,
    bytes: 0,
    rejected: 0,
    oversized: 0,
    handlerErrors: 0,
    sent: 0,
    sentBytes: 0,
    sendRefused: 0,
    closedByServer: 0,
  };
  const maxBackpressure = options.maxBackpressureBytes ?? DEFAULT_MAX_BACKPRESSURE;
  const open = new Map<ConnectionId, uws.WebSocket<ConnectionData>>();
  let nextId = 1;
  let closed = false;

  // A throw inside a uWS callback would unwind through native code; a bad frame or a bug in a
  // handler must never take the node down, so it is caught, counted and logged.
  const guard = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      counters.handlerErrors++;
      log(`inbound: ${what} handler threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const app = uws.App();
  app.ws<ConnectionData>('/*', {
    maxPayloadLength: options.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD,
    idleTimeout: options.idleTimeoutSeconds ?? 120,
    // send() refuses before this is reached, so uWS never drops a message on its own (it would
    // otherwise skip sends past its 64 KiB default without telling the caller much).
    maxBackpressure,
    // No `compression`: uWS's default is off, which is what we want (frames are batched per
    // tick and mostly small; deflate would cost CPU on both sides). uws-pack's types declare
    // DISABLED as a type only, so the default is relied on rather than named.
    upgrade: (res, req, context) => {
      res.upgrade<ConnectionData>(
        { id: nextId++ },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      const { id } = ws.getUserData();
      open.set(id, ws);
      counters.connectionsOpen++;
      counters.connectionsTotal++;
    },
    message: (ws, message, isBinary) => {
      const { id } = ws.getUserData();
      if (!isBinary) {
        counters.rejected++;
        log(`inbound: connection ${id} sent a text message (${message.byteLength} bytes); dropped`);
        return;
      }
      counters.messages++;
      counters.bytes += message.byteLength;
      // uWS neuters `message` when this callback returns: copy it into a buffer of our own,
      // which also starts at offset 0, so decoders may view it at any alignment they need.
      const bytes = new Uint8Array(message.slice(0));
      guard('message', () => onMessage(bytes, id));
    },
    close: (ws, code, message) => {
      const { id } = ws.getUserData();
      open.delete(id);
      counters.connectionsOpen--;
      if (Buffer.from(message).toString('utf8') === TOO_BIG_REASON) {
        counters.oversized++;
        counters.rejected++;
        log(`inbound: connection ${id} sent a message over maxPayloadLength; closed`);
      }
      if (onClose) guard('close', () => onClose(id, code));
    },
  });

  for (const [path, body] of options.http ?? []) {
    app.get(path, (res) => {
      let text = '';
      guard(`GET ${path}`, () => (text = body()));
      res.writeHeader('Content-Type', 'text/plain; version=0.0.4').end(text);
    });
  }

  let token: uws.us_listen_socket | false = false;
  // On a fixed port uSockets' defaults set SO_REUSEPORT, which would let a second process (a
  // stale node, a mistyped deployment) bind the same port and silently take half the
  // connections; the exclusive option keeps SO_REUSEADDR only, so a restarted node can still
  // bind over its predecessor's TIME_WAIT connections. On port 0 uSockets sets neither, so an
  // ephemeral port cannot be re-bound for a minute after it had connections.
  const listenWithOptions = app.listen as unknown as ListenWithOptions;
  listenWithOptions.call(app, options.host, options.port, LIBUS_LISTEN_EXCLUSIVE_PORT, (t) => {
    token = t;
  });
  if (!token) {
    app.close();
    throw new Error(`inbound: cannot listen on ${options.host}:${options.port}`);
  }
  const port = uws.us_socket_local_port(token);

  return {
    port,
    counters,
    send(to, bytes) {
      const ws = open.get(to);
      if (!ws) return 'closed';
      if (ws.getBufferedAmount() + bytes.byteLength > maxBackpressure) {
        counters.sendRefused++;
        return 'backpressure';
      }
      // uWS copies the message: 1 written, 0 buffered (drained later, in order), 2 dropped
      // (uWS's own limit; not reached given the check above, but reported if it were).
      if (ws.send(bytes, true, false) === 2) {
        counters.sendRefused++;
        return 'backpressure';
      }
      counters.sent++;
      counters.sentBytes += bytes.byteLength;
      return 'sent';
    },
    closeConnection(id, how) {
      const ws = open.get(id);
      if (!ws) return false;
      counters.closedByServer++;
      // Both run the close handler synchronously, which updates `open` and the counters.
      if (how?.graceful) ws.end(1000);
      else ws.close();
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      // Closing only the listen socket would leave accepted connections open; app.close()
      // closes both, synchronously, running the close handler for each connection.
      app.close();
    },
  };
}
