// What the partition steps share (TR B.1.1): routing the role's channels (every channel the role
// reads must be sent to the partition its key picks, which works only if no other role reads it
// too), the keys used when the checks are bypassed, and the keys as routing metadata prints them.

import { printKeyTerm, type KeyTerm } from '../analysis/key-term.js';
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

/** Keys on every column, for partitioning with the checks bypassed and no policy found. */
export function allColumnKeys(ctx: StepContext, channels: readonly string[]): Map<string, KeyTerm[]> {
  return new Map(channels.map((c) => [c, ctx.analysis.relations.get(c)!.columns.map((_, i): KeyTerm => ({ kind: 'column', index: i }))]));
}

/** The keys as routing metadata records them: terms over column names (`#i` when unnamed). */
export function printedKeys(ctx: StepContext, keys: ReadonlyMap<string, readonly KeyTerm[]>): { relation: string; key: string[] }[] {
  const names = (rel: string) => ctx.analysis.relations.get(rel)!.columns.map((c, i) => c.name ?? `#${i}`);
  return [...keys].map(([relation, key]) => ({ relation, key: key.map((t) => printKeyTerm(t, names(relation))) }));
}
