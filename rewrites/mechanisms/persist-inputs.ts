// Monotonic decoupling's persistence (TR A.2.2): every input r of the moved rules gets a
// persisted alias `rSeen`, `rSeen(x..) :- r(x..)` with `.persist rSeen`, and the moved rules
// read the alias. Facts that once co-occurred may now arrive in different ticks; persisted,
// they meet anyway, and a monotonic rule set eventually derives the same facts (CALM).

import { atom, decl, head, rule, vars } from '../program/build.js';
import { editRule, type StepContext } from '../steps/context.js';
import { readsRelation, renameInBody } from './rename.js';

/** `relation` is the (possibly renamed) relation the moved rules read; `arity` its width. */
export function persistInput(ctx: StepContext, role: string, relation: string, arity: number, readers: readonly number[]): string {
  const alias = ctx.draft.fresh(`${relation}Seen`);
  const xs = vars(arity);
  ctx.draft.add(role, decl('persist', alias), `${ctx.title}: ${relation} kept, so the monotonic rules see every fact that ever arrived`);
  ctx.draft.add(role, rule(head(alias, xs), ':-', [atom(relation, xs)]), `${ctx.title}: persisted alias of ${relation}`);
  for (const id of readers) {
    if (readsRelation(ctx.rules.get(id)!, relation)) editRule(ctx, id, (r) => renameInBody(r, relation, alias), `${ctx.title}: reads the persisted ${alias}`);
  }
  return alias;
}
