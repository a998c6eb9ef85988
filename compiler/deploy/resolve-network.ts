// A deployment's `network` section checked against the cluster: every entry names a node the
// cluster runs, no node is given twice, no two nodes would listen on the same host:port, and
// basePort + address stays within the ports. The result tells the host where each node listens.

import { closestName } from '../analyze/suggest.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { RelatedSpan } from '../diagnostics/diagnostic.js';
import type { Span } from '../source.js';
import type { NetworkNodeEntry, NetworkNodeName, NetworkSettings } from './deployment.js';
import { formatEndpoint, MAX_PORT } from './endpoint.js';
import type { ClusterClient, ClusterNode } from './resolve-deployment.js';

export interface NetworkEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface ClusterNetwork {
  /** The host of the nodes without an entry; when absent, the host process chooses. */
  readonly host?: string;
  /** A node without an entry (and a client) listens on basePort + its address; when absent, the host process chooses. */
  readonly basePort?: number;
  /** Node address to where it listens, for the nodes `network.nodes` gives; empty without a `network` section. */
  readonly nodes: ReadonlyMap<bigint, NetworkEndpoint>;
}

export type NetworkReport = (code: DiagnosticCode, message: string, span: Span | undefined, label?: string, hint?: string, related?: RelatedSpan[]) => void;

export interface NetworkCluster {
  readonly nodes: readonly ClusterNode[];
  readonly clients: readonly ClusterClient[];
  /** Instances and partitions per instance of every role of the program. */
  readonly roles: ReadonlyMap<string, { readonly instances: number; readonly partitions: number }>;
}

export function resolveNetwork(network: NetworkSettings | undefined, cluster: NetworkCluster, at: NetworkReport): ClusterNetwork {
  if (!network) return { nodes: new Map() };
  const host = network.host?.value;
  const basePort = network.basePort?.value;

  // Each entry's node, once.
  const given = new Map<bigint, { entry: NetworkNodeEntry; endpoint: NetworkEndpoint }>();
  for (const entry of network.nodes) {
    const node = findNode(entry.node, cluster, at);
    const entryHost = entry.host ?? host;
    if (!node || entryHost === undefined) continue;
    const earlier = given.get(node.address);
    if (earlier) {
      const names = earlier.entry.node.text === entry.node.text ? '' : `, as \`${earlier.entry.node.text}\` and as \`${entry.node.text}\``;
      at('DED612', `\`${node.name}\` is given twice in \`network.nodes\`${names}`, entry.node.span, 'given twice', 'give each node one entry', [{ span: earlier.entry.node.span, message: 'first given here' }]);
      continue;
    }
    given.set(node.address, { entry, endpoint: { host: entryHost, port: entry.port } });
  }

  // No two entries on one host:port (host names compared as written, ignoring case).
  const taken = new Map<string, NetworkNodeEntry>();
  for (const { entry, endpoint } of given.values()) {
    const key = `${endpoint.host.toLowerCase()} ${endpoint.port}`;
    const other = taken.get(key);
    if (other) {
      at('DED612', `\`${entry.node.text}\` and \`${other.node.text}\` would both listen on ${formatEndpoint(endpoint)}`, entry.span, 'already taken', 'give each node its own port, or its own host', [{ span: other.span, message: `\`${other.node.text}\` listens there` }]);
    } else {
      taken.set(key, entry);
    }
  }

  // The others listen on basePort + address: within the ports, and not where an entry is.
  if (network.basePort && basePort !== undefined) {
    // In address order: nodes role by role, then clients.
    const implicit = [...cluster.nodes.filter((n) => !given.has(n.address)), ...cluster.clients];
    const first = implicit.length ? basePort + Number(implicit[0]!.address) : 0;
    const last = implicit[implicit.length - 1];
    const final = last ? basePort + Number(last.address) : 0;
    if (last && final > MAX_PORT) {
      at('DED612', `with \`basePort\` ${basePort}, \`${last.name}\` (address ${last.address}) would listen on port ${final}, past ${MAX_PORT}`, network.basePort.span, 'too high', `use a \`basePort\` of at most ${MAX_PORT - Number(last.address)}`);
    }
    const byPort = new Map(implicit.map((n) => [basePort + Number(n.address), n]));
    for (const { entry, endpoint } of given.values()) {
      const other = byPort.get(endpoint.port);
      if (!other || (host !== undefined && host.toLowerCase() !== endpoint.host.toLowerCase())) continue;
      const where = host === undefined ? 'on the host process\'s default host, which may be this one' : `on ${host}`;
      at(
        'DED612',
        `\`${entry.node.text}\` would listen on ${formatEndpoint(endpoint)}, the port \`${other.name}\` gets from \`basePort\` (${basePort} + address ${other.address}) ${where}`,
        entry.span,
        'port taken',
        `pick a port outside ${first}..${final}, or give \`${other.name}\` an entry of its own`,
        [{ span: network.basePort.span, message: 'nodes without an entry, and clients, listen on basePort + their address' }],
      );
    }
  }

  return { ...(host !== undefined ? { host } : {}), ...(basePort !== undefined ? { basePort } : {}), nodes: new Map([...given].map(([a, g]) => [a, g.endpoint])) };
}

/** The node a key of `network.nodes` names, or DED608 saying why there is none. */
function findNode(name: NetworkNodeName, cluster: NetworkCluster, at: NetworkReport): ClusterNode | undefined {
  const size = cluster.roles.get(name.role);
  const noSuchNode = (message: string, hint?: string) => {
    at('DED608', message, name.span, 'no such node', hint);
    return undefined;
  };
  if (!size) {
    if (cluster.clients.some((c) => c.name === name.text)) {
      return noSuchNode(`\`${name.text}\` is a client: \`network.nodes\` places the nodes of roles`, 'clients listen on basePort + their address');
    }
    const single = [...cluster.roles].filter(([, s]) => s.instances === 1 && s.partitions === 1).map(([r]) => r);
    const near = closestName(name.text, [...cluster.nodes.map((n) => n.name), ...single]);
    return noSuchNode(`the cluster has no node \`${name.text}\``, near ? `did you mean \`${near}\`?` : `the program's roles are ${[...cluster.roles.keys()].join(', ')}`);
  }
  const { instances, partitions } = size;
  const exact = (index: number, partition: number) => `${name.role}[${index}]${partitions > 1 ? `.${partition}` : ''}`;
  if (name.index === undefined) {
    if (instances === 1 && partitions === 1) return cluster.nodes.find((n) => n.name === exact(0, 0));
    return noSuchNode(`\`${name.role}\` runs ${instances * partitions} nodes, so \`${name.role}\` alone does not say which`, `name one of them, such as \`${exact(0, 0)}\``);
  }
  if (name.index >= instances) {
    return noSuchNode(`\`${name.role}\` has ${instances} instance${instances === 1 ? '' : 's'}, so there is no \`${name.role}[${name.index}]\``);
  }
  if (name.partition === undefined && partitions > 1) {
    return noSuchNode(`\`${name.role}\` is partitioned: each of the ${partitions} partitions of \`${name.role}[${name.index}]\` is a node with its own port`, `name one of them, such as \`${exact(name.index, 0)}\``);
  }
  if (name.partition !== undefined && partitions === 1) {
    return noSuchNode(`\`${name.role}\` is not partitioned, so there is no \`${name.text}\``, `write \`${name.role}[${name.index}]\``);
  }
  if (name.partition !== undefined && name.partition >= partitions) {
    return noSuchNode(`each \`${name.role}\` has ${partitions} partitions, so there is no \`${name.text}\``);
  }
  return cluster.nodes.find((n) => n.name === exact(name.index!, name.partition ?? 0));
}
