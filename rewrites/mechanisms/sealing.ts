// Sealing (TR A.4.2, the receiving half of batching): the receiver buffers each batch until its
// header and all its facts have arrived and every earlier batch from the same sender node has
// been processed, then processes the whole batch in one tick, as the sender had it. Batches
// are numbered per sender node `s` (a partitioned sender is several streams):
//
//   rBuf(s, b, x..) :- rBatch(s, b, x..).      rBuf(s, b, x..) :+ rBuf(s, b, x..), !BSeal(s, b).
//   BHeld(s, b, n..) :- BHeader(s, b, n..).    BHeld(s, b, n..) :+ BHeld(s, b, n..), !BSeal(s, b).
//   rGot(s, b, count(*)) :- rBuf(s, b, x..).
//   BWant(s, d + 1) :- BDone(s, d).            BWant(s, b) :- BHeld(s, _, ..), firstBatch(b), !BDone(s, _).
//   rOk(s, b) :- BHeld(s, b, .., n, ..), BWant(s, b), rGot(s, b, n).
//   rOk(s, b) :- BHeld(s, b, .., 0, ..), BWant(s, b).
//   BSeal(s, b) :- BWant(s, b), r1Ok(s, b), .., rkOk(s, b), <gate>.
//   BDone(s, b) :+ BSeal(s, b).                BDone(s, d) :+ BDone(s, d), !BSeal(s, _).
//   rSealed(x..) :- rBuf(s, b, x..), BSeal(s, b).
//
// The rules that read r read rSealed instead. Buffers are dropped once sealed, so memory stays
// bounded by the batches in flight (and one number per sender node).

import { firstBatchStatic, type Batching } from './batching.js';
import { readsRelation, renameInBody } from './rename.js';
import { atomText, items, varList } from '../program/template.js';
import { editRule, type StepContext } from '../steps/context.js';

export interface Sealing {
  /** `BSeal(s, b)`: batch b of sender node s is processed in this tick. */
  readonly seal: string;
  /** For each batched relation, the relation that holds its facts in the tick they are processed. */
  readonly sealed: ReadonlyMap<string, string>;
  /** The per-node relations sealing keeps (not partitionable data). */
  readonly machinery: readonly string[];
}

export interface SealOptions {
  /** Body literals that must also hold for a batch to be sealed. */
  readonly gate?: readonly string[];
  /**
   * A relation `A(b)` that says when a sealed batch is applied (partial partitioning applies a
   * batch when the coordinator commits it; there is one sender then); by default a batch is
   * applied when it is sealed.
   */
  readonly applyWith?: string;
}

/** Seals `batching` in role `receiver`; the rules `readers` (ids) read the sealed relations. */
export function sealBatches(ctx: StepContext, batching: Batching, receiver: string, readers: readonly number[], options: SealOptions = {}): Sealing {
  const gate = options.gate ?? [];
  const { draft } = ctx;
  const note = `${ctx.title}: sealing batches from ${batching.sender}`;
  const base = batching.current;
  const seal = draft.fresh(`${base}Seal`);
  const held = draft.fresh(`${base}Held`);
  const want = draft.fresh(`${base}Want`);
  const done = draft.fresh(`${base}Done`);
  const applied = options.applyWith ? `${options.applyWith}(b)` : `${seal}(s, b)`;
  const k = batching.relations.length;
  const ns = varList(k, 'n');
  const holes = ns.map(() => '_');
  const heldAtom = atomText(held, ['s', 'b', ...ns]);
  const text: string[] = [
    `${heldAtom} :- ${atomText(batching.header, ['s', 'b', ...ns])}.`,
    `${heldAtom} :+ ${heldAtom}, !${seal}(s, b).`,
    `${want}(s, d + 1) :- ${done}(s, d).`,
    `${want}(s, b) :- ${atomText(held, ['s', '_', ...holes])}, ${firstBatchStatic(ctx)}(b), !${done}(s, _).`,
    `${done}(s, b) :+ ${seal}(s, b).`,
    `${done}(s, d) :+ ${done}(s, d), !${seal}(s, _).`,
  ];
  const oks: string[] = [];
  const sealed = new Map<string, string>();
  const machinery = [seal, held, want, done];
  batching.relations.forEach((r, i) => {
    const buf = draft.fresh(`${r.relation}Buffered`);
    const got = draft.fresh(`${r.relation}Got`);
    const ok = draft.fresh(`${r.relation}Complete`);
    const out = draft.fresh(`${r.relation}Sealed`);
    const xs = varList(r.arity);
    const sbx = ['s', 'b', ...xs];
    const zeroAt = ns.map((_, j) => (j === i ? '0' : '_'));
    const nAt = ns.map((_, j) => (j === i ? 'n' : '_'));
    text.push(
      `${atomText(buf, sbx)} :- ${atomText(r.channel, sbx)}.`,
      `${atomText(buf, sbx)} :+ ${atomText(buf, sbx)}, !${applied}.`,
      `${got}(s, b, count(*)) :- ${atomText(buf, sbx)}.`,
      `${ok}(s, b) :- ${atomText(held, ['s', 'b', ...nAt])}, ${want}(s, b), ${got}(s, b, n).`,
      `${ok}(s, b) :- ${atomText(held, ['s', 'b', ...zeroAt])}, ${want}(s, b).`,
      `${atomText(out, xs)} :- ${atomText(buf, sbx)}, ${applied}.`,
    );
    oks.push(`${ok}(s, b)`);
    sealed.set(r.relation, out);
    machinery.push(buf, got, ok);
  });
  text.push(`${seal}(s, b) :- ${[`${want}(s, b)`, heldAtom, ...oks, ...gate].join(', ')}.`);
  for (const item of items(text.join('\n'))) draft.add(receiver, item, note);

  for (const id of readers) {
    for (const [relation, out] of sealed) {
      if (readsRelation(ctx.rules.get(id)!, relation)) editRule(ctx, id, (rule) => renameInBody(rule, relation, out), `${ctx.title}: reads ${relation} batch by batch, as ${out}`);
    }
  }
  return { seal, sealed, machinery };
}
