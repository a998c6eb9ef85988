// The wiring of the two decouplings that keep the order and grouping of ticks (TR A.4, A.5).
// State machine: every input of the moved rules reaches the new role through the old one, in
// numbered batches it processes in the old role's order. Asymmetric: the moved rules get their
// inputs directly (as in the other decouplings), send what the old role reads back in batches,
// and hold their outputs until the old role has acknowledged the batches before them.

import type { RuleSet } from '../analysis/rule-set.js';
import { holdUntilAcknowledged } from '../mechanisms/batch-ack.js';
import { sendBatches } from '../mechanisms/batching.js';
import { peerStatic } from '../mechanisms/forward.js';
import { sealBatches } from '../mechanisms/sealing.js';
import { batchedBack, batchedInputs } from '../analysis/batched-relations.js';
import type { StepContext } from './context.js';

/** State-machine decoupling: `from` batches every non-static input of the moved rules to `to`. */
export function batchInputs(ctx: StepContext, from: string, to: string, c2: RuleSet): void {
  const a = ctx.analysis;
  const inputs = batchedInputs(a, c2).map((r) => ({ relation: r, arity: a.relations.get(r)!.arity }));
  // No input (possible only with the checks bypassed): nothing to batch.
  if (!inputs.length) return;
  const peer = peerStatic(ctx, to);
  const batching = sendBatches(ctx, from, to, inputs, { at: 'p', body: [`${peer}(p)`] });
  const sealing = sealBatches(ctx, batching, to, c2);
  ctx.routing.perNode.push(...batching.machinery, ...sealing.machinery);
  for (const r of batching.relations) ctx.routing.forwarding.push({ channel: r.channel, carries: r.relation, from, to, how: 'forward', via: peer, step: ctx.index });
}

/**
 * Asymmetric decoupling: what the moved rules derive and the rest of `from` reads goes back to
 * `from` in batches; the moved rules' messages and outputs wait for the batch acknowledgements.
 */
export function batchBack(ctx: StepContext, from: string, to: string, c1: RuleSet, c2: RuleSet): void {
  const a = ctx.analysis;
  const back = batchedBack(a, c1, c2).map((r) => ({ relation: r, arity: a.relations.get(r)!.arity }));
  // Nothing goes back: the old role never waits for the new one, and outputs need not wait.
  if (!back.length) return;
  const fromPeer = peerStatic(ctx, from);
  const batching = sendBatches(ctx, to, from, back, { at: 'p', body: [`${fromPeer}(p)`] });
  const sealing = sealBatches(ctx, batching, from, c1);
  for (const r of batching.relations) ctx.routing.forwarding.push({ channel: r.channel, carries: r.relation, from: to, to: from, how: 'forward', via: fromPeer, step: ctx.index });
  const outputs = c2.filter((id) => {
    const rule = ctx.rules.get(id)!;
    return rule.op === ':~' || a.relations.get(rule.head.name)!.kind === 'output';
  });
  const held = holdUntilAcknowledged(ctx, batching, sealing, from, outputs);
  ctx.routing.perNode.push(...batching.machinery, ...sealing.machinery, ...held.machinery);
  if (held.ack) ctx.routing.nodeAddressed.push(held.ack);
}
