// Redirection (paper §3.1): senders of a channel that only the moved rules read now address the
// new role. Each sending rule gains a body atom of a static map from the old role's addresses
// to the new role's (`collectorOf(leader, collector)`), and its destination becomes the mapped
// address. The map's rows pair instance i of the old role with instance i of the new one.

import { atom, v } from '../program/build.js';
import { freshVariable } from './fresh-variable.js';
import { generatedStatic } from './generated-static.js';
import { editRule, programError, type StepContext } from '../steps/context.js';

/** The static map from `from`'s addresses to `to`'s: instance i of one to instance i of the other. */
export function forwardMap(ctx: StepContext, from: string, to: string): string {
  return generatedStatic(ctx, `${to}Of`, [{ name: from, type: 'addr' }, { name: to, type: 'addr' }], [[{ all: from }, { same: to }]], `each ${from} and its ${to}`);
}

/** Redirects every send of `channel` from role `from` to role `to`; returns the map it uses. */
export function redirectChannel(ctx: StepContext, channel: string, from: string, to: string): string | undefined {
  const info = ctx.analysis.channels.find((c) => c.relation === channel);
  const others = (info?.receivers ?? []).filter((r) => r !== from);
  if (others.length) {
    programError(ctx, 'DED317', `\`${channel}\` is also read by ${others.map((r) => `\`${r}\``).join(', ')}, so its senders cannot simply address \`${to}\` instead of \`${from}\``, {
      span: ctx.analysis.relations.get(channel)!.span,
      label: 'read by several roles',
      hint: 'give each reader its own channel, or decouple rules that do not read it',
    });
    return undefined;
  }
  const map = forwardMap(ctx, from, to);
  for (const id of ctx.analysis.relations.get(channel)!.derivedBy) {
    const r = ctx.analysis.rules[id]!;
    const dest = ctx.rules.get(id)!.head.dest;
    if (!dest || (dest.kind !== 'var' && dest.kind !== 'int')) {
      programError(ctx, 'DED317', `rule ${r.label ?? `\`${r.text}\``} sends \`${channel}\` to a computed address, which cannot be redirected to \`${to}\``, {
        span: r.rule.head.dest?.span ?? r.rule.head.span,
        label: 'computed destination',
        hint: 'bind the destination to a variable from a relation, such as `@l` with `self(l)` or a column of the message',
      });
      continue;
    }
    const d2 = v(freshVariable(ctx.rules.get(id)!, `${to}Addr`));
    editRule(
      ctx,
      id,
      (rule) => ({ ...rule, head: { ...rule.head, dest: d2 }, body: [...rule.body, atom(map, [dest, d2])] }),
      `${ctx.title}: redirected from ${from} to ${to}`,
    );
  }
  return map;
}
