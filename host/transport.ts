// The transport between node processes, in two halves: an inbound uWebSockets.js server
// (inbound-server.ts) and one outbound `ws` link per peer (peer-link.ts). Bytes are opaque at
// this level; the host frames, authenticates and validates them (frame.ts). Above them, a
// reliable channel per sender->receiver pair: the sending ReliableLink (reliable-link.ts) keeps
// frames until acknowledged and replays them on reconnect; the receiving InboundSessions
// (inbound-sessions.ts) drops duplicates, acks, and knows each sender's live connection.

export { listen } from './inbound-server.js';
export type { ConnectionId, InboundCounters, InboundOptions, InboundServer, OnClose, OnMessage, SendResult } from './inbound-server.js';
export { PeerLink, backoffDelay } from './peer-link.js';
export type { LinkState, PeerLinkCounters, PeerLinkOptions } from './peer-link.js';
export { ReliableLink, newIncarnation } from './reliable-link.js';
export type { ReliableLinkCounters, ReliableLinkOptions } from './reliable-link.js';
export { InboundSessions } from './inbound-sessions.js';
export type { InboundSessionsCounters, InboundSessionsOptions } from './inbound-sessions.js';
