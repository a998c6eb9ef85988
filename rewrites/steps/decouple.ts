// A decouple step (paper §3, TR A): check the names, pick or check the kind's precondition,
// then move the rules to a new role and wire it up. Inputs of the moved rules arrive by
// redirection (channels: their senders address the new role) or by forwarding (client input
// and relations the old role derives); monotonic decoupling also persists every input.

import type { RuleSet } from '../analysis/rule-set.js';
import { ruleSetIO } from '../analysis/rule-set.js';
import type { DecoupleKind } from '../analysis/decouple-kind.js';
import { decoupleKinds } from '../analysis/decouple-kind.js';
import { logicallyPersisted } from '../analysis/monotonicity.js';
import type { Violation } from '../analysis/violation.js';
import { declaredPersistent, persistenceRule } from '../analysis/persistence-rule.js';
import { forwardRelation } from '../mechanisms/forward.js';
import { persistInput } from '../mechanisms/persist-inputs.js';
import { redirectChannel } from '../mechanisms/redirect.js';
import { readsRelation } from '../mechanisms/rename.js';
import { keepIdentity } from '../mechanisms/self-statics.js';
import { batchBack, batchInputs } from './decouple-batched.js';
import { decouplingChecks } from '../analysis/decoupling-candidates.js';
import type { DecoupleStep } from '../plan/plan.js';
import { findRole, instancesOf, planError, programError, setRole, type StepContext } from './context.js';
import { selectRules } from './select-rules.js';
import { reportViolations } from './violations.js';

/** The kind's precondition (`decouplingChecks`), plus, for monotonic decoupling, inputs kept. */
export function preconditionViolations(ctx: StepContext, kind: DecoupleKind, c1: RuleSet, c2: RuleSet): Violation[] {
  const reasons = decouplingChecks(ctx.analysis, c1, c2).find((k) => k.kind === kind)!.reasons;
  return kind === 'monotonic' ? [...reasons, ...unpersistedInputs(ctx, c1, c2)] : reasons;
}

export function applyDecouple(ctx: StepContext, step: DecoupleStep): boolean {
  const a = ctx.analysis;
  const role = findRole(ctx, step.role);
  if (!role) return false;
  if (a.roles.some((r) => r.name === step.to.name) || a.relations.has(step.to.name)) {
    planError(ctx, 'DED305', `\`${step.to.name}\` is already the name of a ${a.roles.some((r) => r.name === step.to.name) ? 'role' : 'relation'} in the program`, { span: step.to.span, label: 'taken', hint: 'choose a new name for the role the rules move to' });
    return false;
  }
  const c2 = selectRules(ctx, step);
  if (!c2) return false;
  const c1 = role.rules.filter((id) => !c2.includes(id));

  let kind: DecoupleKind;
  if (step.decoupling === 'auto') {
    const fits = decoupleKinds.find((k) => preconditionViolations(ctx, k, c1, c2).length === 0);
    if (!fits) {
      if (ctx.unchecked) kind = 'mutually-independent';
      else {
        const reasons = decoupleKinds.map((k) => `${k}: ${preconditionViolations(ctx, k, c1, c2)[0]?.message ?? 'holds'}`);
        planError(ctx, 'DED318', `no kind of decoupling applies to these rules of \`${role.name}\``, { span: step.span, label: 'no kind applies', hint: reasons.join('; ') });
        return false;
      }
    } else kind = fits;
  } else kind = step.decoupling;
  if (!ctx.unchecked) {
    const violations = preconditionViolations(ctx, kind, c1, c2);
    if (violations.length) {
      reportViolations(ctx, violations, `cannot decouple these rules of \`${role.name}\` (${kind})`);
      return false;
    }
  }
  move(ctx, role.name, step.to.name, c1, c2, kind);
  return ctx.problems.length === 0;
}

/**
 * Monotonic decoupling persists the moved rules' inputs (TR A.2.2); that changes nothing only if
 * the original already kept them: logically persisted, or copied by the moved rules into a
 * relation they persist. An input read for one tick only would be seen again later.
 */
function unpersistedInputs(ctx: StepContext, c1: RuleSet, c2: RuleSet): Violation[] {
  const a = ctx.analysis;
  const role = a.rules[c2[0]!]?.role ?? a.rules[c1[0]!]?.role;
  const kept = role ? logicallyPersisted(a, role) : new Set<string>();
  const out: Violation[] = [];
  for (const r of ruleSetIO(a, c2).inputs) {
    const rel = a.relations.get(r)!;
    if (rel.kind === 'timer' || rel.kind === 'static' || kept.has(r) || keptByMovedRules(ctx, r, c2)) continue;
    const reader = c2.find((id) => readsRelation(a.rules[id]!.rule, r));
    out.push({
      precondition: 'monotonicity',
      message: `\`${r}\` is an input of the moved rules but is not persisted, so once persisted by the rewrite they would see facts of it from earlier ticks`,
      relation: r,
      ...(reader !== undefined ? { rule: reader } : {}),
      hint: `persist \`${r}\` in the program (\`.persist ${r}\`, or copy it into a persisted relation), if that is what the protocol means`,
    });
  }
  return out;
}

/**
 * Whether the moved rules already keep an input: every rule that reads it copies it into a
 * relation the moved rules persist (`acks(..) :- ack(..)` with `acks :+ acks, !answered(..)`).
 * Such an input is logically persisted, with the program's own garbage collection; a second,
 * never-collected copy would only make collected facts reappear.
 */
function keptByMovedRules(ctx: StepContext, input: string, c2: RuleSet): boolean {
  const a = ctx.analysis;
  const readers = c2.filter((id) => readsRelation(a.rules[id]!.rule, input));
  return (
    readers.length > 0 &&
    readers.every((id) => {
      const { rule } = a.rules[id]!;
      const copies = rule.op === ':-' && rule.body.length === 1 && rule.body[0]!.kind === 'atom';
      const h = rule.head.name;
      return copies && (declaredPersistent(a, h) || c2.some((other) => persistenceRule(a, other)?.relation === h));
    })
  );
}

function move(ctx: StepContext, from: string, to: string, c1: RuleSet, c2: RuleSet, kind: DecoupleKind): void {
  const a = ctx.analysis;
  const { draft } = ctx;
  draft.addRole(to, from);
  setRole(ctx.deployment, to, instancesOf(ctx.deployment, from));
  ctx.routing.roles.push({ role: to, from, how: `${kind} decoupling`, step: ctx.index });

  for (const id of c2) {
    const r = ctx.rules.get(id)!;
    draft.remove(r);
    draft.add(to, r, `${ctx.title}: moved from ${from}`);
  }
  // Declarations in the old role's block go with the relations only the moved rules derive.
  const io1 = ruleSetIO(a, c1);
  const io2 = ruleSetIO(a, c2);
  for (const item of [...draft.role(from).items]) {
    if (item.kind === 'decl' && io2.heads.includes(item.name) && !io1.heads.includes(item.name) && !io1.references.includes(item.name)) {
      draft.remove(item);
      draft.add(to, item);
    }
  }

  if (kind === 'state-machine') batchInputs(ctx, from, to, c2);
  else {
    const inputs = wireInputs(ctx, from, to, c1, c2);
    if (kind === 'monotonic') {
      for (const input of inputs) if (!keptByMovedRules(ctx, input.name, c2)) persistInput(ctx, to, input.name, input.arity, c2);
    }
    if (kind === 'asymmetric') batchBack(ctx, from, to, c1, c2);
  }
  keepIdentity(ctx, from, to, c2);
}

/** Inputs of the moved rules: channels are redirected, client input and `from`'s relations forwarded. */
function wireInputs(ctx: StepContext, from: string, to: string, c1: RuleSet, c2: RuleSet): { name: string; arity: number }[] {
  const a = ctx.analysis;
  const io1 = ruleSetIO(a, c1);
  const inputs: { name: string; arity: number }[] = [];
  for (const r of ruleSetIO(a, c2).inputs) {
    const rel = a.relations.get(r)!;
    if (rel.kind === 'timer') continue;
    if (rel.kind === 'async' && !io1.heads.includes(r)) {
      const via = redirectChannel(ctx, r, from, to);
      if (via) ctx.routing.forwarding.push({ channel: r, carries: r, from, to, how: 'redirect', via, step: ctx.index });
      inputs.push({ name: r, arity: rel.arity });
    } else if (rel.kind === 'input' || io1.heads.includes(r)) {
      const { channel, via } = forwardRelation(ctx, r, from, to, c2);
      ctx.routing.forwarding.push({ channel, carries: r, from, to, how: 'forward', via, step: ctx.index });
      inputs.push({ name: channel, arity: rel.arity });
    } else {
      programError(ctx, 'DED317', `the moved rules read \`${r}\`, which neither arrives on a channel nor is derived by \`${from}\``, { span: rel.span, label: 'cannot reach the new role' });
    }
  }
  return inputs;
}
