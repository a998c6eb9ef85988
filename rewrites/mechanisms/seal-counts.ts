// Partitioning sealing (TR B.4): a role sends a batch of facts together with their count (the
// count channel's last column), so that the receiver knows when it has them all, as Paxos
// acceptors send their log with a p1b. Once the role is partially partitioned, each partition
// sends its own part of the facts, and its own count; the receivers must see one count, the
// sum, and only once every partition has reported. Each partition tags its count with the
// coordinator's batch it answers (all partitions apply the same replicated input in the same
// batch) and with its partition number:
//
//   (partition)  out@d(x.., count(..)) :~ body   becomes   outLocal(d, x.., count(..)) :- body.
//                outPart@d(i, x.., n * k + p) :~ outLocal(d, x.., n), KApply(i), RPartition(p), RPartitions(k).
//   (receiver)   outParts(i, x.., w) :- outPart(i, x.., w).     outParts(i, x.., w) :+ outParts(i, x.., w), !outDone(i, x..).
//                outReported(i, x.., count(w)) :- outParts(i, x.., w).
//                outWeighted(i, x.., sum(w)) :- outParts(i, x.., w).
//                outDone(i, x..) :- outReported(i, x.., k), RPartitions(k).
//                outSealed(x.., (t - k * (k - 1) / 2) / k) :- outDone(i, x..), outWeighted(i, x.., t), RPartitions(k).
//
// A partition's count travels as n * k + p: distinct per partition, so `sum` (which adds
// distinct values) adds every partition's, and the receiver takes the k partition numbers back
// out. The receivers' rules read outSealed instead of out.

import type { Rule } from '../../compiler/parse/ast.js';
import { head } from '../program/build.js';
import { atomText, declFrom, items, varList } from '../program/template.js';
import { editRule, type StepContext } from '../steps/context.js';
import { columnsOf, freshColumn } from './columns.js';
import { readsRelation, renameInBody } from './rename.js';

export interface SealedCount {
  readonly channel: string;
  /** The rules (ids) of the partitioned role that send it. */
  readonly senders: readonly number[];
  /** The roles that read it, and their rules (ids). */
  readonly readers: readonly number[];
}

export function sealCounts(ctx: StepContext, role: string, sealed: SealedCount, apply: string, partition: string, count: string): string {
  const { draft } = ctx;
  const s = sealed.channel;
  const rel = ctx.analysis.relations.get(s)!;
  const cols = columnsOf(ctx.analysis, s);
  const local = draft.fresh(`${s}Local`);
  const part = draft.fresh(`${s}Part`);
  const parts = draft.fresh(`${s}Parts`);
  const reported = draft.fresh(`${s}Reported`);
  const weighted = draft.fresh(`${s}Weighted`);
  const done = draft.fresh(`${s}Done`);
  const out = draft.fresh(`${s}Sealed`);
  const xs = varList(rel.arity - 1);
  const batchColumn = freshColumn(cols.map((c) => c.name), 'batch');

  draft.addTop(
    declFrom(`.async ${part}(${[`${batchColumn}: int`, ...cols.slice(0, -1).map((c) => `${c.name}: ${c.type}`), `${cols.at(-1)!.name}: int`].join(', ')})`),
    `${ctx.title}: each partition's part of the count ${s}, as count * partitions + partition`,
  );
  for (const id of sealed.senders) editRule(ctx, id, (r) => locally(r, local), `${ctx.title}: counts this partition's part only`);
  const send = `${part}@d(${['i', ...xs, 'n * k + p'].join(', ')}) :~ ${[atomText(local, ['d', ...xs, 'n']), `${apply}(i)`, `${partition}(p)`, `${count}(k)`].join(', ')}.`;
  for (const item of items(send)) draft.add(role, item, `${ctx.title}: send this partition's count, tagged with its batch`);

  const ix = ['i', ...xs];
  const receive = [
    `${atomText(parts, [...ix, 'w'])} :- ${atomText(part, [...ix, 'w'])}.`,
    `${atomText(parts, [...ix, 'w'])} :+ ${atomText(parts, [...ix, 'w'])}, !${atomText(done, ix)}.`,
    `${atomText(reported, [...ix, 'count(w)'])} :- ${atomText(parts, [...ix, 'w'])}.`,
    `${atomText(weighted, [...ix, 'sum(w)'])} :- ${atomText(parts, [...ix, 'w'])}.`,
    `${atomText(done, ix)} :- ${atomText(reported, [...ix, 'k'])}, ${count}(k).`,
    `${atomText(out, [...xs, '(t - k * (k - 1) / 2) / k'])} :- ${atomText(done, ix)}, ${atomText(weighted, [...ix, 't'])}, ${count}(k).`,
  ].join('\n');
  const receivers = new Set(sealed.readers.map((id) => ctx.analysis.rules[id]!.role).filter((r): r is string => r !== undefined));
  for (const r of receivers) for (const item of items(receive)) draft.add(r, item, `${ctx.title}: the sum of the partitions' counts ${s}, once all have reported`);
  for (const id of sealed.readers) {
    if (readsRelation(ctx.rules.get(id)!, s)) editRule(ctx, id, (r) => renameInBody(r, s, out), `${ctx.title}: reads the sealed count ${out}`);
  }
  // Nothing sends or reads the count channel any more: its parts and their sum replace it.
  const declared = draft.top.find((item) => item.kind === 'decl' && item.decl === 'async' && item.name === s);
  if (declared && declared.kind === 'decl') draft.remove(declared);
  return out;
}

/** `out@d(args) :~ body` as `local(d, args) :- body`. */
function locally(rule: Rule, local: string): Rule {
  return { ...rule, op: ':-', head: head(local, [rule.head.dest!, ...rule.head.args]) };
}
