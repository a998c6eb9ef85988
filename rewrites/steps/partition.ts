// A partition step (paper §4, TR B.1-B.2): check the role can be partitioned at all (clients
// cannot pick a partition; a channel read by other roles too cannot be rerouted), find or check
// a distribution policy (co-hashing, then dependencies), then route every channel the role
// reads to the partition its key picks. Partial partitioning is reported as not built yet.

import type { KeyTerm } from '../analysis/key-term.js';
import { printKeyTerm } from '../analysis/key-term.js';
import { findDistribution } from '../analysis/distribution.js';
import type { Violation } from '../analysis/violation.js';
import { partitionCountStatic, routeToPartitions } from '../mechanisms/partition-routing.js';
import type { PartitionStep } from '../plan/plan.js';
import { findRole, instancesOf, planError, programError, setRole, type StepContext } from './context.js';
import { reportViolations } from './violations.js';

export function applyPartition(ctx: StepContext, step: PartitionStep): boolean {
  const a = ctx.analysis;
  const role = findRole(ctx, step.role);
  if (!role) return false;
  if (step.policy === 'partial' || step.sealing || step.replicate.length || step.coordinator) {
    planError(ctx, 'DED319', 'partial partitioning is not supported yet (its coordinator mechanism is not built)', { span: step.policySpan, label: 'not supported yet', hint: 'use `co-hashing` or `dependencies`' });
    return false;
  }
  if (role.inputs.length) {
    const input = a.relations.get(role.inputs[0]!)!;
    programError(ctx, 'DED317', `\`${role.name}\` reads client input \`${input.name}\`; clients send to one address and cannot pick a partition`, { span: input.span, label: 'client input', hint: `decouple the rules that do the work from \`${role.name}\` first, and partition the new role` });
    return false;
  }
  const pinned = pinnedKeys(ctx, step);
  if (!pinned) return false;

  const modes = step.policy === 'auto' ? (['co-hashing', 'dependencies'] as const) : ([step.policy] as const);
  let keys: ReadonlyMap<string, readonly KeyTerm[]> | undefined;
  let violations: readonly Violation[] = [];
  let used: string = step.policy;
  for (const mode of modes) {
    const found = findDistribution(a, role.name, { mode, pinned });
    if (found.policy) {
      keys = found.policy.keys;
      used = mode;
      break;
    }
    violations = found.violations;
  }
  if (!keys) {
    if (!ctx.unchecked) {
      reportViolations(ctx, violations, `cannot partition \`${role.name}\``);
      return false;
    }
    keys = new Map(role.receives.map((c) => [c, a.relations.get(c)!.columns.map((_, i): KeyTerm => ({ kind: 'column', index: i }))]));
  }

  const count = partitionCountStatic(ctx, role.name);
  let ok = true;
  for (const channel of role.receives) {
    const others = (a.channels.find((c) => c.relation === channel)?.receivers ?? []).filter((r) => r !== role.name);
    if (others.length) {
      programError(ctx, 'DED317', `\`${channel}\` is also read by ${others.map((r) => `\`${r}\``).join(', ')}; its senders cannot route it by \`${role.name}\`'s partitions`, { span: a.relations.get(channel)!.span, label: 'read by several roles' });
      ok = false;
      continue;
    }
    const key = keys.get(channel);
    if (!key || !key.length) {
      programError(ctx, 'DED317', `no partitioning key for channel \`${channel}\``, { span: a.relations.get(channel)!.span, label: 'no key' });
      ok = false;
      continue;
    }
    ok = routeToPartitions(ctx, channel, key, count) && ok;
  }
  setRole(ctx.deployment, role.name, instancesOf(ctx.deployment, role.name), step.partitions);
  const names = (rel: string) => a.relations.get(rel)!.columns.map((c, i) => c.name ?? `#${i}`);
  ctx.routing.partitioning.push({
    role: role.name,
    partitions: step.partitions,
    policy: used,
    countRelation: count,
    keys: [...keys].map(([relation, key]) => ({ relation, key: key.map((t) => printKeyTerm(t, names(relation))) })),
    step: ctx.index,
  });
  return ok;
}

function pinnedKeys(ctx: StepContext, step: PartitionStep): Map<string, KeyTerm[]> | undefined {
  const out = new Map<string, KeyTerm[]>();
  let ok = true;
  for (const [relation, { columns, span }] of step.keys) {
    const rel = ctx.analysis.relations.get(relation);
    if (!rel) {
      planError(ctx, 'DED304', `the program has no relation \`${relation}\``, { span, label: 'unknown relation' });
      ok = false;
      continue;
    }
    const key: KeyTerm[] = [];
    for (const c of columns) {
      const index = typeof c === 'number' ? c : rel.columns.findIndex((x) => x.name === c);
      if (index < 0 || index >= rel.arity) {
        planError(ctx, 'DED304', `\`${relation}\` has no column ${typeof c === 'number' ? c : `\`${c}\``}`, { span, label: 'no such column', hint: `columns: ${rel.columns.map((x, i) => x.name ?? `#${i}`).join(', ')}` });
        ok = false;
      } else key.push({ kind: 'column', index });
    }
    out.set(relation, key);
  }
  return ok ? out : undefined;
}
