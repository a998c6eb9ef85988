// The properties of two-phase commit with presumed abort (protocols/2pc.ded), on a run:
// - atomicity: no transaction is committed by one participant and aborted by another, and the
//   coordinator's decision (at most one per transaction) matches every participant's outcome;
// - commit only if every participant voted yes; a participant voting no aborts the
//   transaction everywhere (without faults, every participant then reports it aborted);
// - the client's reply matches the decision, and "committed" comes only after every
//   participant acknowledged;
// - without faults, every transaction completes: one reply each, a decision, and an outcome
//   at every participant.

import type { Cluster } from '../../../compiler/deploy/resolve-deployment.js';
import type { SimResult } from '../../../sim/simulator.js';
import { requestsAndReplies, runFacts } from './run-facts.js';

export function checkTwoPhaseCommit(result: SimResult, cluster: Cluster): string[] {
  const run = runFacts(result, cluster);
  const problems: string[] = [];
  const participants = run.addressesOf('participant');
  const key = (client: unknown, tx: unknown) => `${String(client)}/${String(tx)}`;
  const label = (k: string) => {
    const [c, tx] = k.split('/');
    return `transaction ${tx} of ${run.name(BigInt(c!))}`;
  };

  // decision(client, tx, "commit"|"abort") at the coordinator.
  const decisions = new Map<string, string>();
  for (const d of run.outputs('decision')) {
    const k = key(d.row[0], d.row[1]);
    const previous = decisions.get(k);
    if (previous !== undefined) problems.push(`${label(k)} decided twice (${previous}, then ${String(d.row[2])})`);
    decisions.set(k, d.row[2] as string);
  }
  // outcome(p, client, tx, "committed"|"aborted") at each participant.
  const outcomes = new Map<string, Map<bigint, string>>();
  for (const o of run.outputs('outcome')) {
    const k = key(o.row[1], o.row[2]);
    const byParticipant = outcomes.get(k) ?? new Map<bigint, string>();
    const p = o.row[0] as bigint;
    const previous = byParticipant.get(p);
    if (previous !== undefined && previous !== o.row[3]) problems.push(`${run.name(p)} reported ${label(k)} both ${previous} and ${String(o.row[3])}`);
    byParticipant.set(p, o.row[3] as string);
    outcomes.set(k, byParticipant);
  }
  const votes = run.sent('vote'); // vote(p, client, tx, yes)
  const acks = run.received('ack'); // ack(p, client, tx), at the coordinator

  for (const [k, byParticipant] of outcomes) {
    const kinds = new Set(byParticipant.values());
    if (kinds.size > 1) problems.push(`atomicity: ${label(k)} was committed by one participant and aborted by another`);
    const decision = decisions.get(k);
    for (const [p, o] of byParticipant) {
      if (decision !== undefined && (decision === 'commit') !== (o === 'committed')) {
        problems.push(`${run.name(p)} reports ${label(k)} ${o}, but the coordinator decided ${decision}`);
      }
      if (decision === undefined && o === 'committed') problems.push(`${run.name(p)} committed ${label(k)}, which the coordinator never decided`);
    }
  }
  const txs = new Set([...decisions.keys(), ...votes.map((v) => key(v.row[1], v.row[2]))]);
  for (const k of txs) {
    const votesFor = votes.filter((v) => key(v.row[1], v.row[2]) === k);
    const no = votesFor.some((v) => v.row[3] === 0n);
    const decision = decisions.get(k);
    if (decision === 'commit') {
      for (const p of participants) if (!votesFor.some((v) => v.from === p && v.row[3] === 1n)) problems.push(`${label(k)} committed without a yes vote from ${run.name(p)}`);
    }
    if (no) {
      if (decision === 'commit') problems.push(`${label(k)} committed although a participant voted no`);
      const byParticipant = outcomes.get(k) ?? new Map<bigint, string>();
      for (const p of participants) {
        const o = byParticipant.get(p);
        if (o === 'committed') problems.push(`${run.name(p)} committed ${label(k)} although a participant voted no`);
        if (!run.faulty && o !== 'aborted') problems.push(`${label(k)} had a no vote, but ${run.name(p)} did not abort it`);
      }
    }
  }
  for (const r of requestsAndReplies(result)) {
    const k = key(r.client, BigInt(r.seq));
    const decision = decisions.get(k);
    if (r.replies.length > 1) problems.push(`${label(k)} got ${r.replies.length} replies`);
    for (const reply of r.replies) {
      const said = reply.row[1];
      if (decision === undefined || (said === 'committed') !== (decision === 'commit')) problems.push(`${label(k)}: the client was told ${String(said)}, the decision was ${decision ?? 'none'}`);
      if (said === 'committed') {
        for (const p of participants) {
          if (!acks.some((a) => a.row[0] === p && key(a.row[1], a.row[2]) === k && a.time <= reply.time)) problems.push(`${label(k)}: "committed" reached the client before ${run.name(p)}'s acknowledgement`);
        }
      }
    }
    if (!run.faulty) {
      if (r.replies.length !== 1) problems.push(`${label(k)} got ${r.replies.length} replies, without any fault`);
      if (decision === undefined) problems.push(`${label(k)} was never decided, without any fault`);
      const byParticipant = outcomes.get(k);
      for (const p of participants) if (!byParticipant?.has(p)) problems.push(`${run.name(p)} never learned the outcome of ${label(k)}, without any fault`);
    }
  }
  if (!run.faulty && result.end.reason !== 'quiescent') problems.push(`the run ended by ${result.end.reason}, not quiescent`);
  return problems;
}
