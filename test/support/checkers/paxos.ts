// The properties of Paxos replicating a key-value store (protocols/paxos.ded, and its rewrites),
// on a simulated run:
// - agreement: no slot is chosen with two different commands (`chosen`, wherever p2bs are
//   counted), and no two replicas execute different commands in one slot (`executed`);
// - validity: every command chosen is one a client sent, or a no-op;
// - exactly once: no client gets two replies to one request;
// - linearizability of the key-value history that clients saw (sim/check/kv-linearizability);
// - progress: when asked, every request was answered (after the faults healed).

import type { Cluster } from '../../../compiler/deploy/resolve-deployment.js';
import type { Row } from '../../../compiler/values/value.js';
import { checkKvLinearizable, type KvOperation } from '../../../sim/check/kv-linearizability.js';
import { checkLogAgreement } from '../../../sim/check/log-agreement.js';
import type { SimResult } from '../../../sim/simulator.js';
import { requestsAndReplies, runFacts } from './run-facts.js';

export interface PaxosCheckOptions {
  /** Every request must have been answered by the end of the run. */
  readonly allAnswered?: boolean;
}

/** A command as the checkers name it: client, id, op, key, value (the last five columns). */
function commandOf(row: Row, from: number, name: (a: bigint) => string): string {
  const [c, id, op, k, v] = row.slice(from, from + 5);
  return op === 'noop' ? 'noop' : `${name(c as bigint)}#${String(id)} ${String(op)} ${String(k)} ${String(v)}`;
}

export function checkPaxos(result: SimResult, cluster: Cluster, options: PaxosCheckOptions = {}): string[] {
  const run = runFacts(result, cluster);
  const problems: string[] = [];
  const requests = requestsAndReplies(result);
  const sentCommands = new Set(requests.map((r) => commandOf(r.row, 0, run.name)));

  // chosen(slot, client, id, op, key, value)
  const chosen = new Map<bigint, string>();
  for (const o of run.outputs('chosen')) {
    const slot = o.row[0] as bigint;
    const command = commandOf(o.row, 1, run.name);
    const earlier = chosen.get(slot);
    if (earlier !== undefined && earlier !== command) problems.push(`agreement: slot ${slot} chosen with ${earlier} and with ${command} (at ${run.name(o.node)})`);
    if (earlier === undefined) chosen.set(slot, command);
    if (command !== 'noop' && !sentCommands.has(command)) problems.push(`validity: slot ${slot} chose ${command}, which no client sent`);
  }

  // executed(replica, slot, client, id, op, key, value)
  const agreement = checkLogAgreement(
    run.outputs('executed').map((o) => ({ replica: run.name(o.row[0] as bigint), slot: Number(o.row[1] as bigint), command: commandOf(o.row, 2, run.name) })),
  );
  if (!agreement.ok) problems.push(`agreement: ${agreement.explanation}`);

  const history: KvOperation[] = [];
  for (const r of requests) {
    if (r.replies.length > 1) problems.push(`exactly once: request ${r.seq} of ${run.name(r.client)} got ${r.replies.length} replies`);
    if (options.allAnswered && r.replies.length === 0) problems.push(`progress: request ${r.seq} of ${run.name(r.client)} (${commandOf(r.row, 0, run.name)}) was never answered`);
    const reply = r.replies[0];
    history.push({
      client: run.name(r.client),
      id: r.seq,
      op: r.row[2] === 'put' ? 'put' : 'get',
      key: String(r.row[3]),
      value: String(r.row[4]),
      invoke: r.time,
      ...(reply ? { respond: reply.time, result: String(reply.row[1]) } : {}),
    });
  }
  const verdict = checkKvLinearizable(history);
  if (verdict.ok === false) problems.push(`linearizability: ${verdict.explanation}`);
  if (verdict.ok === 'unknown') problems.push(`linearizability: not decided for key ${verdict.key}: ${verdict.reason}`);
  return problems;
}
