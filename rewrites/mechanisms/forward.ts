// Forwarding (TR A.3.1, "Decoupling"): a relation the moved rules read but the old role makes
// (a local relation it derives, or client input, which clients cannot send elsewhere) travels
// to the new role on a new channel. The old role gains `rTo<New>@p(x..) :~ r(x..), <new>Peer(p)`
// and the moved rules read the channel instead of r. `<new>Peer` gives each node of the old
// role the address of its own instance of the new role.

import { atom, decl, head, rule, v, vars } from '../program/build.js';
import { editRule, type StepContext } from '../steps/context.js';
import { columnsOf } from './columns.js';
import { generatedStatic } from './generated-static.js';
import { readsRelation, renameInBody } from './rename.js';

/** The static giving each node of the old role the address of its `to`. */
export function peerStatic(ctx: StepContext, to: string): string {
  return generatedStatic(ctx, `${to}Peer`, [{ name: 'a', type: 'addr' }], [[{ peer: to }]], `the ${to} of each node`);
}

/** Forwards `relation` from role `from` to role `to`, for the rules `readers` (ids). */
export function forwardRelation(ctx: StepContext, relation: string, from: string, to: string, readers: readonly number[]): { channel: string; via: string } {
  const channel = ctx.draft.fresh(`${relation}To${capitalised(to)}`);
  const columns = columnsOf(ctx.analysis, relation);
  ctx.draft.addTop(decl('async', channel, columns), `${ctx.title}: ${relation}, forwarded from ${from} to ${to}`);
  const peer = peerStatic(ctx, to);
  const xs = vars(columns.length);
  const p = v('p');
  const fwd = rule(head(channel, xs, p), ':~', [atom(relation, xs), atom(peer, [p])], ctx.draft.fresh(`forward${capitalised(relation)}`));
  ctx.draft.add(from, fwd, `${ctx.title}: forward ${relation} to ${to}`);
  for (const id of readers) {
    if (readsRelation(ctx.rules.get(id)!, relation)) editRule(ctx, id, (r) => renameInBody(r, relation, channel), `${ctx.title}: reads ${relation} from ${from} as ${channel}`);
  }
  return { channel, via: peer };
}

export function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
