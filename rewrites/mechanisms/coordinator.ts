// Partial partitioning's coordination (TR B.3.1): every partition of a role keeps a copy of the
// replicated relations, and a coordinator (one per instance of the role) keeps the copies
// consistent. Senders address the replicated inputs to the coordinator, which orders them into
// numbered batches (batching.ts) sent to every partition. A partition that has a complete batch,
// next in order, votes and freezes: it holds back its partitioned inputs. Once every partition
// has voted, the coordinator commits the batch; each partition applies it (the sealed relations
// hold its facts in that tick) and unfreezes. So every partition applies replicated inputs in
// the same order, and between the same partitioned inputs, as one node would.
//
//   (coordinator)  KVotes(b, p) :- KVote(b, p).        KVotes(b, p) :+ KVotes(b, p), !KCommitNow(b).
//                  KVoteCount(b, count(p)) :- KVotes(b, p).
//                  KCommitNow(b) :- KVoteCount(b, n), RPartitions(n).
//                  KCommit@(offset(home, part))(b) :~ KCommitNow(b), RPeer(home), RPartitions(parts), less_than(part, parts).
//   (partition)    KVote@k(b, p) :~ BSeal(_, b), KPeer(k), RPartition(p).
//                  KOut(b) :+ BSeal(_, b).             KOut(b) :+ KOut(b), !KApply(b).
//                  KApply(b) :- KOut(b), KCommit(b).   KFrozen() :- KOut(b), !KApply(b).
//                  sWait(x..) :- s(x..).   sWait(x..) :+ sWait(x..), KFrozen().   sNow(x..) :- sWait(x..), !KFrozen().
//
// A batch is sealed only while no vote is outstanding (`!KOut(_)`), so a partition has at most
// one batch between vote and commit.

import { peerStatic } from './forward.js';
import { sendBatches, type Batching } from './batching.js';
import { generatedStatic } from './generated-static.js';
import { readsRelation, renameInBody } from './rename.js';
import { sealBatches } from './sealing.js';
import { atomText, declFrom, items, varList } from '../program/template.js';
import { editRule, type StepContext } from '../steps/context.js';

export interface Coordination {
  readonly batching: Batching;
  /** For each replicated input, the relation that holds its facts in the tick they are applied. */
  readonly applied: ReadonlyMap<string, string>;
  /** `KApply(b)`: a partition applies batch b in this tick. */
  readonly apply: string;
  /** The static giving each partition its number. */
  readonly partition: string;
  /** The per-node relations coordination keeps. */
  readonly machinery: readonly string[];
}

/**
 * Coordinates the replicated inputs `replicated` (channels, now addressed to `coordinator`) of
 * the partitions of `role`; `readers` read them as applied. The partitioned inputs `held` are
 * held back while a partition is frozen, for their readers `heldReaders`.
 */
export function coordinate(
  ctx: StepContext,
  role: string,
  coordinator: string,
  count: string,
  replicated: readonly { relation: string; arity: number }[],
  readers: readonly number[],
  held: readonly { relation: string; arity: number }[],
  heldReaders: readonly number[],
): Coordination {
  const { draft } = ctx;
  const rolePeer = peerStatic(ctx, role);
  const coordPeer = peerStatic(ctx, coordinator);
  const partition = generatedStatic(ctx, `${role}Partition`, [{ name: 'p', type: 'int' }], [[{ self: 'partition' }]], `the partition number of each ${role} node`);
  // Every partition of the coordinator's instance: partition `part` of the instance at `home`.
  const everyPartition = { at: '(offset(home, part))', body: [`${rolePeer}(home)`, `${count}(parts)`, 'less_than(part, parts)'] };
  const batching = sendBatches(ctx, coordinator, role, replicated, everyPartition);

  const vote = draft.fresh(`${coordinator}Vote`);
  const commit = draft.fresh(`${coordinator}Commit`);
  const votes = draft.fresh(`${coordinator}Votes`);
  const voteCount = draft.fresh(`${coordinator}VoteCount`);
  const commitNow = draft.fresh(`${coordinator}CommitNow`);
  const out = draft.fresh(`${coordinator}Outstanding`);
  const apply = draft.fresh(`${coordinator}Apply`);
  const frozen = draft.fresh(`${coordinator}Frozen`);

  draft.addTop(declFrom(`.async ${vote}(batch: int, partition: int)`), `${ctx.title}: a partition has batch \`batch\` and is frozen`);
  draft.addTop(declFrom(`.async ${commit}(batch: int)`), `${ctx.title}: every partition has voted for the batch`);
  const coordRules = [
    `${votes}(b, p) :- ${vote}(b, p).`,
    `${votes}(b, p) :+ ${votes}(b, p), !${commitNow}(b).`,
    `${voteCount}(b, count(p)) :- ${votes}(b, p).`,
    `${commitNow}(b) :- ${voteCount}(b, n), ${count}(n).`,
    `${commit}@${everyPartition.at}(b) :~ ${[`${commitNow}(b)`, ...everyPartition.body].join(', ')}.`,
  ];
  for (const item of items(coordRules.join('\n'))) draft.add(coordinator, item, `${ctx.title}: collect the partitions' votes, commit each batch`);

  const sealing = sealBatches(ctx, batching, role, readers, { gate: [`!${out}(_)`], applyWith: apply });
  const partRules = [
    `${vote}@k(b, p) :~ ${sealing.seal}(_, b), ${coordPeer}(k), ${partition}(p).`,
    `${out}(b) :+ ${sealing.seal}(_, b).`,
    `${out}(b) :+ ${out}(b), !${apply}(b).`,
    `${apply}(b) :- ${out}(b), ${commit}(b).`,
    `${frozen}() :- ${out}(b), !${apply}(b).`,
  ];
  for (const item of items(partRules.join('\n'))) draft.add(role, item, `${ctx.title}: vote for each replicated batch, apply it when committed`);

  for (const h of held) {
    const wait = draft.fresh(`${h.relation}Waiting`);
    const now = draft.fresh(`${h.relation}Unfrozen`);
    const xs = varList(h.arity);
    const text = [
      `${atomText(wait, xs)} :- ${atomText(h.relation, xs)}.`,
      `${atomText(wait, xs)} :+ ${atomText(wait, xs)}, ${frozen}().`,
      `${atomText(now, xs)} :- ${atomText(wait, xs)}, !${frozen}().`,
    ];
    for (const item of items(text.join('\n'))) draft.add(role, item, `${ctx.title}: ${h.relation} waits while the partition is frozen`);
    for (const id of heldReaders) {
      if (readsRelation(ctx.rules.get(id)!, h.relation)) editRule(ctx, id, (r) => renameInBody(r, h.relation, now), `${ctx.title}: reads ${h.relation} when not frozen, as ${now}`);
    }
  }
  const machinery = [...batching.machinery, ...sealing.machinery, votes, voteCount, commitNow, out, apply, frozen];
  return { batching, applied: sealing.sealed, apply, partition, machinery };
}
