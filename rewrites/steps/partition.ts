// A partition step (paper §4, TR B.1-B.2): check the role can be partitioned at all (clients
// cannot pick a partition; a channel read by other roles too cannot be rerouted), find or check
// a distribution policy (co-hashing, then dependencies), then route every channel the role
// reads to the partition its key picks. Partial partitioning is partial-partition.js.

import type { KeyTerm } from '../analysis/key-term.js';
import { printKeyTerm } from '../analysis/key-term.js';
import { findDistribution } from '../analysis/distribution.js';
import type { Violation } from '../analysis/violation.js';
import { partitionCountStatic } from '../mechanisms/partition-routing.js';
import type { PartitionStep } from '../plan/plan.js';
import { findRole, instancesOf, planError, programError, setRole, type StepContext } from './context.js';
import { roleRelations } from '../analysis/rule-set.js';
import { applyPartialPartition } from './partial-partition.js';
import { allColumnKeys, printedKeys, routePartitionedChannels } from './partition-channels.js';
import { reportViolations } from './violations.js';

export function applyPartition(ctx: StepContext, step: PartitionStep): boolean {
  const a = ctx.analysis;
  const role = findRole(ctx, step.role);
  if (!role) return false;
  if (role.inputs.length) {
    const input = a.relations.get(role.inputs[0]!)!;
    programError(ctx, 'DED317', `\`${role.name}\` reads client input \`${input.name}\`; clients send to one address and cannot pick a partition`, { span: input.span, label: 'client input', hint: `decouple the rules that do the work from \`${role.name}\` first, and partition the new role` });
    return false;
  }
  const stream = role.receives.find((c) => ctx.routing.streams.includes(c));
  if (stream) {
    programError(ctx, 'DED317', `\`${role.name}\` receives \`${stream}\`, numbered batches that one node must process in order, so it cannot be partitioned`, { span: a.relations.get(stream)?.span ?? step.span, label: 'an ordered batch stream', hint: 'partition the role before the step that batches to it, or partition the role that sends the batches instead' });
    return false;
  }
  const pinned = pinnedKeys(ctx, step);
  if (!pinned) return false;
  if (step.policy === 'partial' || step.replicate.length || step.sealing.length) return applyPartialPartition(ctx, step, role, pinned);

  const modes = step.policy === 'auto' ? (['co-hashing', 'dependencies'] as const) : ([step.policy] as const);
  let keys: ReadonlyMap<string, readonly KeyTerm[]> | undefined;
  let violations: readonly Violation[] = [];
  let used: string = step.policy;
  // Relations a mechanism keeps per node (batch numbers) are not partitioned data.
  const perNode = new Set(ctx.routing.perNode);
  const relations = roleRelations(a, role).filter((r) => !perNode.has(r) && !ctx.routing.nodeAddressed.includes(r));
  const perPartition = role.rules.filter((id) => a.rules[id]!.rule.op !== ':~' && perNode.has(a.rules[id]!.rule.head.name));
  const channels = role.receives.filter((c) => !ctx.routing.nodeAddressed.includes(c));
  for (const mode of modes) {
    const found = findDistribution(a, role.name, { mode, pinned, relations, perPartition });
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
    keys = allColumnKeys(ctx, channels);
  }

  const count = partitionCountStatic(ctx, role.name);
  const ok = routePartitionedChannels(ctx, role.name, channels, keys, count);
  setRole(ctx.deployment, role.name, instancesOf(ctx.deployment, role.name), step.partitions);
  ctx.routing.partitioning.push({ role: role.name, partitions: step.partitions, policy: used, countRelation: count, keys: printedKeys(ctx, keys), step: ctx.index });
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
