// The properties of voting (protocols/voting.ded), checked on a simulated run:
// - a client gets a reply for a command only after every participant voted for it (each
//   participant sent its vote, and the leader received it, before the leader sent the reply);
// - the reply carries the command's payload;
// - no command gets two replies, and (without faults) every command gets exactly one.

import type { Cluster } from '../../../compiler/deploy/resolve-deployment.js';
import type { SimResult } from '../../../sim/simulator.js';
import { requestsAndReplies, runFacts } from './run-facts.js';

export function checkVoting(result: SimResult, cluster: Cluster): string[] {
  const run = runFacts(result, cluster);
  const problems: string[] = [];
  const participants = run.addressesOf('participant');
  const votesSent = run.sent('vote');
  const votesReceived = run.received('vote');
  // clientOut(id, payload), sent by the leader to the client.
  for (const reply of run.sent('clientOut')) {
    const [id, payload] = reply.row;
    for (const p of participants) {
      const voted = votesSent.find((v) => v.from === p && v.row[1] === reply.to && v.row[2] === id && v.time <= reply.time);
      const heard = votesReceived.find((v) => v.row[0] === p && v.row[1] === reply.to && v.row[2] === id && v.time <= reply.time);
      if (!voted || !heard) {
        problems.push(`reply to ${run.name(reply.to)} for command ${id} at ${reply.time}us before ${run.name(p)}'s vote ${voted ? 'reached the leader' : 'was cast'}`);
      }
    }
    const request = result.events.find((e) => e.kind === 'request' && e.client === reply.to && e.seq === Number(id));
    if (request && request.kind === 'request' && request.row[2] !== payload) {
      problems.push(`reply for command ${id} of ${run.name(reply.to)} carries ${String(payload)}, not the command's payload ${String(request.row[2])}`);
    }
  }
  for (const r of requestsAndReplies(result)) {
    if (r.replies.length > 1) problems.push(`command ${r.seq} of ${run.name(r.client)} got ${r.replies.length} replies`);
    if (!run.faulty && r.replies.length === 0) problems.push(`command ${r.seq} of ${run.name(r.client)} got no reply, without any fault`);
  }
  for (const c of result.clients) if (c.duplicates || c.unexpected) problems.push(`${run.name(c.address)} got ${c.duplicates} duplicate and ${c.unexpected} unexpected replies`);
  if (!run.faulty && result.end.reason !== 'quiescent') problems.push(`the run ended by ${result.end.reason}, not quiescent`);
  return problems;
}
