// Batching (TR A.4.2): a role sends some of its relations to another role as numbered batches,
// one per tick in which any of them has facts, so that the receiver can process them in the
// sender's order and grouping. Each fact travels tagged with its batch number; a header carries
// the batch's size per relation. In the sender:
//
//   B(b) :- BNext(b).                     B(b) :- firstBatch(b), !BNext(_).   (this tick's batch)
//   BNext(b + 1) :+ B(b), BHas().         BNext(b) :+ B(b), !BHas().
//   rCount(count(*)) :- r(x..).           rSize(n) :- rCount(n).   rSize(n) :- firstBatch(n), !rCount(_).
//   BHas() :- rCount(_).                  (one per relation)
//   BHeader@d(s, b, n1, .., nk) :~ B(b), BHas(), r1Size(n1), .., rkSize(nk), selfNode(s), <where d is>.
//   rBatch@d(s, b, x..) :~ r(x..), B(b), selfNode(s), <where d is>.
//
// `s` is the sending node's own address: batches are numbered per node, so a sender role can
// be partitioned later, each partition being a stream of its own.
//
// Sealing (sealing.ts) is the receiving half. `firstBatch(0)` is a static: every rule needs a
// positive atom, and this one says where numbering starts.

import { capitalised } from './forward.js';
import { columnsOf, freshColumn } from './columns.js';
import { atomText, declFrom, items, varList } from '../program/template.js';
import type { StepContext } from '../steps/context.js';
import { generatedStatic } from './generated-static.js';

/** The static `firstBatch(0)`: the number of the first batch, and the zero of sizes. */
export function firstBatchStatic(ctx: StepContext): string {
  return generatedStatic(ctx, 'firstBatch', [{ name: 'b', type: 'int' }], [[0]], 'batches are numbered from 0');
}

/** Where batches go: the destination expression and the body literals that bind it. */
export interface BatchDestination {
  readonly at: string;
  readonly body: readonly string[];
}

export interface BatchedRelation {
  /** The relation the sender batches. */
  readonly relation: string;
  readonly arity: number;
  /** The channel its facts travel on: (batch, columns..). */
  readonly channel: string;
}

/** The names one batching uses, for sealing and for mechanisms built on top. */
export interface Batching {
  readonly sender: string;
  /** `B(b)`: the number of this tick's batch (sent only if the tick has facts to send). */
  readonly current: string;
  /** `BHas()`: this tick has facts to send. */
  readonly has: string;
  /** The header channel `(sender, batch, n1, .., nk)`. */
  readonly header: string;
  readonly relations: readonly BatchedRelation[];
  /** The per-node relations batching keeps (not partitionable data). */
  readonly machinery: readonly string[];
}

/** The static `selfNode(a)`: each node's own address (a partition's, not its instance's). */
export function selfNodeStatic(ctx: StepContext): string {
  return generatedStatic(ctx, 'selfNode', [{ name: 'a', type: 'addr' }], [[{ self: 'node' }]], "each node's own address (a partition's own)");
}

export function sendBatches(
  ctx: StepContext,
  sender: string,
  base: string,
  relations: readonly { relation: string; arity: number }[],
  dest: BatchDestination,
): Batching {
  const { draft } = ctx;
  const note = `${ctx.title}: batching to ${base}`;
  const current = draft.fresh(`${base}Batch`);
  const next = draft.fresh(`${current}Next`);
  const has = draft.fresh(`${current}Has`);
  const header = draft.fresh(`${current}Header`);
  const batched: BatchedRelation[] = relations.map((r) => ({ ...r, channel: draft.fresh(`${r.relation}${capitalised(current)}`) }));

  const zero = firstBatchStatic(ctx);
  const me = selfNodeStatic(ctx);
  const machinery = [current, next, has];
  const sizes: string[] = [];
  const text: string[] = [
    `${current}(b) :- ${next}(b).`,
    `${current}(b) :- ${zero}(b), !${next}(_).`,
    `${next}(b + 1) :+ ${current}(b), ${has}().`,
    `${next}(b) :+ ${current}(b), !${has}().`,
  ];
  batched.forEach((r, i) => {
    const count = draft.fresh(`${r.relation}Count`);
    const size = draft.fresh(`${r.relation}Size`);
    const xs = varList(r.arity);
    text.push(
      `${count}(count(*)) :- ${atomText(r.relation, xs)}.`,
      `${size}(n) :- ${count}(n).`,
      `${size}(n) :- ${zero}(n), !${count}(_).`,
      `${has}() :- ${count}(_).`,
      `${r.channel}@${dest.at}(${['s', 'b', ...xs].join(', ')}) :~ ${[atomText(r.relation, xs), `${current}(b)`, `${me}(s)`, ...dest.body].join(', ')}.`,
    );
    machinery.push(count, size);
    sizes.push(`${size}(n${i})`);
  });
  const ns = batched.map((_, i) => `n${i}`);
  text.push(`${header}@${dest.at}(${['s', 'b', ...ns].join(', ')}) :~ ${[`${current}(b)`, `${has}()`, ...sizes, `${me}(s)`, ...dest.body].join(', ')}.`);
  for (const item of items(text.join('\n'))) draft.add(sender, item, note);

  const sizeColumns: string[] = [];
  for (const r of batched) sizeColumns.push(freshColumn(['sender', 'batch', ...sizeColumns], `${r.relation}Count`));
  draft.addTop(declFrom(`.async ${header}(${['sender: addr', 'batch: int', ...sizeColumns.map((c) => `${c}: int`)].join(', ')})`), `${ctx.title}: each batch's size, per relation`);
  for (const r of batched) {
    const cols = columnsOf(ctx.analysis, r.relation);
    const taken = cols.map((c) => c.name);
    draft.addTop(
      declFrom(`.async ${r.channel}(${[`${freshColumn(taken, 'sender')}: addr`, `${freshColumn(taken, 'batch')}: int`, ...cols.map((c) => `${c.name}: ${c.type}`)].join(', ')})`),
      `${ctx.title}: ${r.relation} in numbered batches`,
    );
  }
  ctx.routing.streams.push(header, ...batched.map((r) => r.channel));
  return { sender, current, has, header, relations: batched, machinery };
}
