// The transport between node processes, in two halves: an inbound uWebSockets.js server
// (inbound-server.ts) and one outbound `ws` link per peer (peer-link.ts). Bytes are opaque at
// this level; the host frames, authenticates and validates them (frame.ts).

export { listen } from './inbound-server.js';
export type { ConnectionId, InboundCounters, InboundOptions, InboundServer, OnClose, OnMessage } from './inbound-server.js';
export { PeerLink, backoffDelay } from './peer-link.js';
export type { LinkState, PeerLinkCounters, PeerLinkOptions } from './peer-link.js';
