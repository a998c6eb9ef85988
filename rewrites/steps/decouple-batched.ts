// The wiring of the two decouplings that keep the order and grouping of ticks (TR A.4, A.5).
// State machine: every input of the moved rules reaches the new role through the old one, in
// numbered batches it processes in the old role's order. Asymmetric: the moved rules get their
// inputs directly (as in the other decouplings), send what the old role reads back in batches,
// and hold their outputs until the old role has acknowledged the batches before them.

import type { RuleSet } from '../analysis/rule-set.js';
import { ruleSetIO } from '../analysis/rule-set.js';
import { holdUntilAcknowledged } from '../mechanisms/batch-ack.js';
import { sendBatches } from '../mechanisms/batching.js';
import { peerStatic } from '../mechanisms/forward.js';
import { sealBatches } from '../mechanisms/sealing.js';
import { existenceDependent } from '../analysis/state-machine.js';
import type { Violation } from '../analysis/violation.js';
import { readsRelation } from '../mechanisms/rename.js';
import type { StepContext } from './context.js';

const external = new Set(['async', 'input', 'timer']);

/**
 * A batch goes out in every tick in which a batched relation has facts, so each must be empty
 * in ticks without input (an existence dependency, TR A.4.1): otherwise the sender would send a
 * batch, and keep its node busy, in every tick. `sender` are the rules that derive them.
 */
export function batchedViolations(ctx: StepContext, sender: RuleSet, batched: readonly string[], readers: RuleSet): Violation[] {
  const a = ctx.analysis;
  const inputs = ruleSetIO(a, sender).inputs.filter((r) => external.has(a.relations.get(r)!.kind));
  const empty = existenceDependent(a, sender, inputs);
  return batched
    .filter((r) => !external.has(a.relations.get(r)!.kind) && !empty.has(r))
    .map((r) => {
      const reader = readers.find((id) => readsRelation(a.rules[id]!.rule, r));
      return {
        precondition: 'state-machine' as const,
        message: `\`${r}\` would travel in batches, one per tick in which it has facts, but it can have facts in a tick without input (it is not existence-dependent on ${inputs.map((i) => `\`${i}\``).join(', ') || 'any input'})`,
        relation: r,
        ...(reader !== undefined ? { rule: reader } : {}),
        hint: `read only relations that hold in the tick their input arrives (not persisted state) across the split`,
      };
    });
}

/** The relations state-machine decoupling batches: the moved rules' non-static inputs. */
export function batchedInputs(ctx: StepContext, c2: RuleSet): string[] {
  const a = ctx.analysis;
  return ruleSetIO(a, c2).inputs.filter((r) => a.relations.get(r)!.kind !== 'static');
}

/** The relations asymmetric decoupling batches back: local relations the moved rules derive and the rest reads. */
export function batchedBack(ctx: StepContext, c1: RuleSet, c2: RuleSet): string[] {
  const a = ctx.analysis;
  const read = ruleSetIO(a, c1).references;
  return ruleSetIO(a, c2).heads.filter((r) => read.includes(r) && a.relations.get(r)!.kind === 'local');
}

/** State-machine decoupling: `from` batches every non-static input of the moved rules to `to`. */
export function batchInputs(ctx: StepContext, from: string, to: string, c2: RuleSet): void {
  const a = ctx.analysis;
  const inputs = batchedInputs(ctx, c2).map((r) => ({ relation: r, arity: a.relations.get(r)!.arity }));
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
  const back = batchedBack(ctx, c1, c2).map((r) => ({ relation: r, arity: a.relations.get(r)!.arity }));
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
