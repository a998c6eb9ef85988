// Routing metadata: what the rewrites did to where facts go, in a form the build carries into
// the manifest and the host reads: new roles and where they came from, channels forwarded or
// redirected to a new role (and the static map that does it), and each partitioned role with
// its partition count and the key of every relation it receives.

export interface RoleOrigin {
  readonly role: string;
  /** The role it was split from. */
  readonly from: string;
  readonly how: string;
  readonly step: number;
}

export interface Forwarding {
  /** The channel facts now travel on. */
  readonly channel: string;
  /** The relation whose facts it carries. */
  readonly carries: string;
  readonly from: string;
  readonly to: string;
  /**
   * `forward`: the old role sends every fact on; `redirect`: senders address the new role;
   * `broadcast`: a coordinator sends every fact to each partition of its instance.
   */
  readonly how: 'forward' | 'redirect' | 'broadcast';
  /** The static relation mapping addresses (redirect) or giving the peer (forward). */
  readonly via: string;
  readonly step: number;
}

export interface PartitionKey {
  readonly relation: string;
  /** Printed key terms over the relation's columns; facts go to partition hash(key) % n. */
  readonly key: readonly string[];
}

export interface Partitioning {
  readonly role: string;
  readonly partitions: number;
  readonly policy: string;
  /** The static relation holding the partition count (so the deployment can change it). */
  readonly countRelation: string;
  readonly keys: readonly PartitionKey[];
  /** Partial partitioning: the relations every partition holds a copy of, and their coordinator. */
  readonly replicated?: { readonly relations: readonly string[]; readonly coordinator: string };
  readonly step: number;
}

export interface Routing {
  readonly roles: RoleOrigin[];
  readonly forwarding: Forwarding[];
  readonly partitioning: Partitioning[];
  /**
   * Relations a mechanism keeps per node (batch numbers, acknowledgements): each partition of a
   * role partitioned later keeps its own, and they never constrain the partitioning keys.
   */
  readonly perNode: string[];
  /** Channels sent to one node's own address (batch acknowledgements), never rerouted. */
  readonly nodeAddressed: string[];
  /** Channels carrying numbered batches that one node seals in order: their receiver cannot be partitioned. */
  readonly streams: string[];
}

export function emptyRouting(): Routing {
  return { roles: [], forwarding: [], partitioning: [], perNode: [], nodeAddressed: [], streams: [] };
}

/** Routing as readable text, for `dedc rewrite --routing`. */
export function printRouting(r: Routing): string {
  const lines: string[] = [];
  for (const o of r.roles) lines.push(`role ${o.role}: split from ${o.from} by ${o.how} (step ${o.step})`);
  for (const f of r.forwarding) {
    lines.push(`${f.how} ${f.carries}${f.channel !== f.carries ? ` as ${f.channel}` : ''}: ${f.from} -> ${f.to} via ${f.via} (step ${f.step})`);
  }
  for (const p of r.partitioning) {
    lines.push(`partition ${p.role} into ${p.partitions} (${p.policy}, count in ${p.countRelation}, step ${p.step})`);
    for (const k of p.keys) lines.push(`  ${k.relation} by (${k.key.join(', ')})`);
    if (p.replicated) lines.push(`  replicated on every partition, ordered by ${p.replicated.coordinator}: ${p.replicated.relations.join(', ')}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : 'no routing changes\n';
}
