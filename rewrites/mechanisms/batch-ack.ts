// Batch acknowledgement (TR A.5.1): after asymmetric decoupling the new role runs ahead of the
// old one, which receives some of its relations in batches. Whatever the new role sends out
// (messages, `.output` facts) must wait until the old role has processed every batch sent up to
// the tick it was derived in, or a client could see a consequence before its cause. The old
// role acknowledges each batch as it seals it; the new role holds each output, tagged with the
// last batch sent at or before its tick, until that batch is acknowledged:
//
//   (old)  BAck@s(b) :~ BSeal(s, b).          (to the node that sent the batch)
//   (new)  BCover(b) :- B(b), BHas().          BCover(b - 1) :- B(b), !BHas().
//          BAcked(b) :- BAck(b).               BAcked(b) :+ BAckedMax(b).     BAckedMax(max(b)) :- BAcked(b).
//          out@d(x..) :~ body   becomes   outHeld(c, d, x..) :- body, BCover(c).
//          outHeld(c, d, x..) :+ outHeld(c, d, x..), !BFree(c).
//          BPending(c) :- outHeld(c, _, ..).
//          BFree(c) :- BPending(c), (c < 0).   BFree(c) :- BPending(c), BAckedMax(a), (c <= a).
//          out@d(x..) :~ outHeld(c, d, x..), BFree(c).
//
// An output derived before any batch was sent (cover -1) leaves at once.

import type { Rule } from '../../compiler/parse/ast.js';
import { atom, head, v } from '../program/build.js';
import { atomText, declFrom, items, varList } from '../program/template.js';
import { editRule, type StepContext } from '../steps/context.js';
import type { Batching } from './batching.js';
import { freshVariable } from './fresh-variable.js';
import type { Sealing } from './sealing.js';

/**
 * Makes role `receiver` acknowledge each sealed batch to the node that sent it, and holds the
 * outputs of the rules `outputs` (ids, in the sender) until their batch is acknowledged.
 * Returns the per-node relations it adds to the sender and the acknowledgement channel.
 */
export function holdUntilAcknowledged(ctx: StepContext, batching: Batching, sealing: Sealing, receiver: string, outputs: readonly number[]): { machinery: string[]; ack: string } {
  const { draft } = ctx;
  if (!outputs.length) return { machinery: [], ack: '' };
  const base = batching.current;
  const ack = draft.fresh(`${base}Ack`);
  const cover = draft.fresh(`${base}Cover`);
  const acked = draft.fresh(`${base}Acked`);
  const ackedMax = draft.fresh(`${base}AckedMax`);
  const pending = draft.fresh(`${base}Pending`);
  const free = draft.fresh(`${base}Free`);
  const note = `${ctx.title}: outputs wait for the acknowledgement of their batch`;

  draft.addTop(declFrom(`.async ${ack}(batch: int)`), `${ctx.title}: ${receiver} has processed a batch`);
  for (const item of items(`${ack}@s(b) :~ ${sealing.seal}(s, b).`)) draft.add(receiver, item, `${ctx.title}: acknowledge each batch`);

  const text: string[] = [
    `${cover}(b) :- ${batching.current}(b), ${batching.has}().`,
    `${cover}(b - 1) :- ${batching.current}(b), !${batching.has}().`,
    `${acked}(b) :- ${ack}(b).`,
    `${acked}(b) :+ ${ackedMax}(b).`,
    `${ackedMax}(max(b)) :- ${acked}(b).`,
    `${free}(c) :- ${pending}(c), (c < 0).`,
    `${free}(c) :- ${pending}(c), ${ackedMax}(a), (c <= a).`,
  ];
  const heldOf = new Map<string, string>();
  for (const id of outputs) {
    const rule = ctx.rules.get(id)!;
    const name = rule.head.name;
    const arity = rule.head.args.length;
    const toDest = rule.op === ':~';
    let held = heldOf.get(name);
    if (!held) {
      held = draft.fresh(`${name}Held`);
      heldOf.set(name, held);
      const xs = varList(arity);
      const cols = ['c', ...(toDest ? ['d'] : []), ...xs];
      text.push(
        `${atomText(held, cols)} :+ ${atomText(held, cols)}, !${free}(c).`,
        `${pending}(c) :- ${atomText(held, ['c', ...cols.slice(1).map(() => '_')])}.`,
        toDest ? `${name}@d(${xs.join(', ')}) :~ ${atomText(held, cols)}, ${free}(c).` : `${atomText(name, xs)} :- ${atomText(held, cols)}, ${free}(c).`,
      );
    }
    editRule(ctx, id, (r) => holding(r, held!, cover), `${ctx.title}: held until ${receiver} has processed the batch it follows`);
  }
  for (const item of items(text.join('\n'))) draft.add(batching.sender, item, note);
  return { machinery: [cover, acked, ackedMax, pending, free], ack };
}

/** `out@d(x..) :~ body` as `outHeld(c, d, x..) :- body, cover(c)`. */
function holding(rule: Rule, held: string, cover: string): Rule {
  const c = v(freshVariable(rule, 'batch'));
  const args = [c, ...(rule.head.dest ? [rule.head.dest] : []), ...rule.head.args];
  return { ...rule, op: ':-', head: head(held, args), body: [...rule.body, atom(cover, [c])] };
}
