// Routing a partitioned role's channels (TR B.1.1): every channel the role reads must be sent
// to the partition its key picks, which works only if no other role reads it too.

import type { KeyTerm } from '../analysis/key-term.js';
import { routeToPartitions } from '../mechanisms/partition-routing.js';
import { programError, type StepContext } from './context.js';

export function routePartitionedChannels(ctx: StepContext, role: string, channels: readonly string[], keys: ReadonlyMap<string, readonly KeyTerm[]>, count: string): boolean {
  const a = ctx.analysis;
  let ok = true;
  for (const channel of channels) {
    const others = (a.channels.find((c) => c.relation === channel)?.receivers ?? []).filter((r) => r !== role);
    if (others.length) {
      programError(ctx, 'DED317', `\`${channel}\` is also read by ${others.map((r) => `\`${r}\``).join(', ')}; its senders cannot route it by \`${role}\`'s partitions`, { span: a.relations.get(channel)!.span, label: 'read by several roles' });
      ok = false;
      continue;
    }
    const key = keys.get(channel);
    if (!key || !key.length) {
      programError(ctx, 'DED317', `no partitioning key for channel \`${channel}\``, { span: a.relations.get(channel)!.span, label: 'no key' });
      ok = false;
      continue;
    }
    ok = routeToPartitions(ctx, channel, key, count) && ok;
  }
  return ok;
}
