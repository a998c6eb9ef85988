// A partial partitioning step (paper §4.3, TR B.3): the role's rules split into C1, the rules
// that derive the replicated relations the plan lists, and C2, the rest. C1 must not read what
// C2 derives, both must behave like state machines, and C2's relations must be partitionable
// (co-hashing, then dependencies) with C1's relations present on every partition. A coordinator
// role orders the replicated inputs; C2's channels are routed by key as in full partitioning.

import type { KeyTerm } from '../analysis/key-term.js';
import { findDistribution } from '../analysis/distribution.js';
import { independenceViolations } from '../analysis/independence.js';
import { existenceDependent, stateMachineViolations } from '../analysis/state-machine.js';
import type { Violation } from '../analysis/violation.js';
import type { RoleInfo } from '../../compiler/analyze/analysis.js';
import { coordinate } from '../mechanisms/coordinator.js';
import { readsRelation } from '../mechanisms/rename.js';
import { sealCounts, type SealedCount } from '../mechanisms/seal-counts.js';
import { ruleName } from '../analysis/rule-name.js';
import { roleRelations, ruleSetIO, type RuleSet } from '../analysis/rule-set.js';
import { partitionCountStatic } from '../mechanisms/partition-routing.js';
import { redirectChannel } from '../mechanisms/redirect.js';
import type { PartitionStep } from '../plan/plan.js';
import { instancesOf, planError, setRole, type StepContext } from './context.js';
import { allColumnKeys, printedKeys, routePartitionedChannels } from './partition-channels.js';
import { reportViolations } from './violations.js';

export function applyPartialPartition(ctx: StepContext, step: PartitionStep, role: RoleInfo, pinned: ReadonlyMap<string, KeyTerm[]>): boolean {
  const a = ctx.analysis;
  if (!step.replicate.length) {
    planError(ctx, 'DED302', 'partial partitioning needs `replicate`: the relations every partition keeps a copy of', { span: step.policySpan, label: 'what to replicate?', hint: 'list the relations no key can partition, such as a ballot the whole role reads' });
    return false;
  }
  const rep = new Set<string>();
  const mentioned = new Set(roleRelations(a, role));
  for (const r of step.replicate) {
    if (!mentioned.has(r.name)) {
      planError(ctx, 'DED304', `role \`${role.name}\` has no relation \`${r.name}\` to replicate`, { span: r.span, label: 'unknown here', hint: `its relations are ${[...mentioned].sort().join(', ')}` });
    } else rep.add(r.name);
  }
  const coordinator = step.coordinator?.name ?? ctx.draft.fresh(`${role.name}Coordinator`);
  if (step.coordinator && (a.roles.some((r) => r.name === coordinator) || a.relations.has(coordinator))) {
    planError(ctx, 'DED305', `\`${coordinator}\` is already the name of a role or relation in the program`, { span: step.coordinator.span, label: 'taken', hint: 'choose a new name for the coordinator role' });
    return false;
  }
  if (rep.size !== step.replicate.length) return false;

  const c1 = role.rules.filter((id) => a.rules[id]!.rule.op !== ':~' && rep.has(a.rules[id]!.rule.head.name));
  const c2 = role.rules.filter((id) => !c1.includes(id));
  const repInputs = ruleSetIO(a, c1).inputs.filter((r) => a.relations.get(r)!.kind !== 'static');
  const partitioned = [...mentioned].filter((r) => !rep.has(r));

  const sealed = sealedCounts(ctx, step, role);
  if (!sealed) return false;
  const perPartition = perPartitionRules(ctx, sealed, c2, new Set(partitioned));
  // Relations that only per-partition rules derive (and read) are each partition's own: no key.
  const local = new Set(
    partitioned.filter((r) => {
      const by = a.relations.get(r)!.derivedBy;
      return by.length > 0 && by.every((d) => perPartition.includes(d) && a.rules[d]!.rule.op !== ':~');
    }),
  );
  const violations: Violation[] = [...sealingViolations(ctx, sealed, role.rules, c2, rep, repInputs), ...perPartitionViolations(ctx, perPartition, new Set(partitioned)), ...replicationViolations(ctx, rep, repInputs, c1), ...independenceViolations(a, c1, c2), ...stateMachineViolations(a, c1, repInputs, rep), ...stateMachineViolations(a, c2, ruleSetIO(a, c2).inputs)];
  let keys: ReadonlyMap<string, readonly KeyTerm[]> | undefined;
  let used = 'co-hashing';
  for (const mode of ['co-hashing', 'dependencies'] as const) {
    const found = findDistribution(a, role.name, { mode, pinned, relations: partitioned.filter((r) => !local.has(r)), perPartition });
    if (found.policy) {
      keys = found.policy.keys;
      used = mode;
      break;
    }
    if (mode === 'dependencies') violations.push(...found.violations);
  }
  if (violations.length && !ctx.unchecked) {
    reportViolations(ctx, violations, `cannot partially partition \`${role.name}\``);
    return false;
  }
  const coordinated = new Set(repInputs);
  const channels = role.receives.filter((c) => !rep.has(c) && !coordinated.has(c));
  keys ??= allColumnKeys(ctx, channels);

  const replicated = repInputs.filter((r) => a.relations.get(r)!.kind === 'async');
  if (!replicated.length) {
    planError(ctx, 'DED320', `the replicated part of \`${role.name}\` receives no channel, so there is nothing for a coordinator to order`, { span: step.replicate[0]!.span, label: 'nothing arrives', hint: 'replicate the channel the replicated relations are learnt from' });
    return false;
  }
  ctx.draft.addRole(coordinator, role.name);
  setRole(ctx.deployment, coordinator, instancesOf(ctx.deployment, role.name));
  ctx.routing.roles.push({ role: coordinator, from: role.name, how: 'partial partitioning (coordinator)', step: ctx.index });
  const count = partitionCountStatic(ctx, role.name);
  for (const r of replicated) {
    const via = redirectChannel(ctx, r, role.name, coordinator);
    if (via) ctx.routing.forwarding.push({ channel: r, carries: r, from: role.name, to: coordinator, how: 'redirect', via, step: ctx.index });
  }
  const arity = (r: string) => ({ relation: r, arity: a.relations.get(r)!.arity });
  const coordination = coordinate(ctx, role.name, coordinator, count, replicated.map(arity), role.rules, channels.map(arity), c2);
  const { batching } = coordination;
  ctx.routing.perNode.push(...coordination.machinery);
  for (const s of sealed) sealCounts(ctx, role.name, s, coordination.apply, coordination.partition, count);
  for (const r of batching.relations) ctx.routing.forwarding.push({ channel: r.channel, carries: r.relation, from: coordinator, to: role.name, how: 'broadcast', via: count, step: ctx.index });
  const ok = routePartitionedChannels(ctx, role.name, channels, keys, count);
  setRole(ctx.deployment, role.name, instancesOf(ctx.deployment, role.name), step.partitions);
  ctx.routing.partitioning.push({
    role: role.name,
    partitions: step.partitions,
    policy: `partial (${used})`,
    countRelation: count,
    keys: printedKeys(ctx, keys),
    replicated: { relations: [...rep], coordinator },
    step: ctx.index,
  });
  return ok;
}

/** The count channels the plan seals: channels the role sends whose last column is an int. */
function sealedCounts(ctx: StepContext, step: PartitionStep, role: RoleInfo): SealedCount[] | undefined {
  const a = ctx.analysis;
  const out: SealedCount[] = [];
  for (const { name, span } of step.sealing) {
    const rel = a.relations.get(name);
    const senders = rel ? rel.derivedBy.filter((id) => role.rules.includes(id)) : [];
    if (!rel || rel.kind !== 'async' || !senders.length) {
      planError(ctx, 'DED304', `role \`${role.name}\` sends no channel \`${name}\` to seal`, { span, label: 'not a channel it sends', hint: 'list the channels whose last column counts the facts of a batch sent with them' });
      continue;
    }
    if (rel.columns.at(-1)?.type !== 'int') {
      planError(ctx, 'DED304', `the last column of \`${name}\` is not an int, so it cannot be a count`, { span, label: 'not a count' });
      continue;
    }
    const readers = a.rules.filter((r) => readsRelation(r.rule, name)).map((r) => r.id);
    const replies = (ctx.deployment['clients'] as { reply?: { relation?: string } } | undefined)?.reply?.relation === name;
    if (!readers.length || replies) {
      planError(ctx, 'DED320', `\`${name}\` is received by clients${readers.length ? ' too' : ' only'}, which cannot sum the partitions' counts`, { span, label: 'clients receive it', hint: 'seal only counts that roles of the program receive' });
      continue;
    }
    out.push({ channel: name, senders, readers });
  }
  return out.length === step.sealing.length ? out : undefined;
}

/**
 * Each partition sends its count in the tick it applies a replicated batch (so the count must
 * exist only with replicated input), and counts its own part (so each sending rule must read a
 * partitioned relation; one that reads only replicated ones would count everything n times).
 */
function sealingViolations(ctx: StepContext, sealed: readonly SealedCount[], rules: RuleSet, c2: RuleSet, rep: ReadonlySet<string>, repInputs: readonly string[]): Violation[] {
  const a = ctx.analysis;
  const out: Violation[] = [];
  const withReplicatedInput = existenceDependent(a, rules, repInputs);
  for (const s of sealed) {
    const base = { precondition: 'partial-partitioning' as const, relation: s.channel };
    if (!withReplicatedInput.has(s.channel)) {
      out.push({ ...base, message: `\`${s.channel}\` can be sent in a tick without replicated input, so the partitions' counts could not be matched to one batch`, hint: 'seal only counts sent in answer to a replicated input (such as a p1a)' });
    }
    for (const id of s.senders) {
      const reads = ruleSetIO(a, [id]).references;
      if (!c2.includes(id) || !reads.some((r) => !rep.has(r))) {
        out.push({ ...base, rule: id, message: `${ruleName(a, id)} reads only replicated relations, so every partition would count every fact`, hint: 'seal counts over the partitioned relations' });
      }
    }
  }
  return out;
}

/**
 * The rules that may run on each partition's part alone: the senders of sealed counts (their
 * counts are summed), and the rules whose results only those read (such as `hasEntries(c, id)`
 * behind a count of 0), transitively.
 */
function perPartitionRules(ctx: StepContext, sealed: readonly SealedCount[], c2: RuleSet, partitioned: ReadonlySet<string>): number[] {
  const a = ctx.analysis;
  const out = new Set(sealed.flatMap((s) => s.senders));
  for (let grown = true; grown; ) {
    grown = false;
    for (const id of c2) {
      const h = a.rules[id]!.rule.head.name;
      if (out.has(id) || a.rules[id]!.rule.op === ':~' || !partitioned.has(h)) continue;
      const readers = c2.filter((r) => readsRelation(a.rules[r]!.rule, h));
      if (readers.length && readers.every((r) => out.has(r)) && !a.relations.get(h)!.derivedBy.some((d) => !c2.includes(d) || a.rules[d]!.rule.op === ':+')) {
        out.add(id);
        grown = true;
      }
    }
  }
  return [...out];
}

/** A per-partition rule must see each binding on one partition only: one partitioned atom at most. */
function perPartitionViolations(ctx: StepContext, rules: readonly number[], partitioned: ReadonlySet<string>): Violation[] {
  const a = ctx.analysis;
  return rules
    .filter((id) => a.rules[id]!.rule.body.filter((l) => l.kind === 'atom' && partitioned.has(l.name)).length > 1)
    .map((id) => ({
      precondition: 'partial-partitioning' as const,
      rule: id,
      message: `${ruleName(a, id)} joins two partitioned relations, so summing what each partition derives would miss the bindings split across partitions`,
      hint: 'seal counts over one partitioned relation joined with replicated ones',
    }));
}

/** The replicated relations must be closed: C1 reads only them, statics and channels among them. */
function replicationViolations(ctx: StepContext, rep: ReadonlySet<string>, repInputs: readonly string[], c1: readonly number[]): Violation[] {
  const a = ctx.analysis;
  const out: Violation[] = [];
  for (const r of repInputs) {
    const rel = a.relations.get(r)!;
    const rule = c1.find((id) => ruleSetIO(a, [id]).inputs.includes(r));
    const base = { precondition: 'partial-partitioning' as const, relation: r, ...(rule !== undefined ? { rule } : {}) };
    if (rel.kind === 'input' || rel.kind === 'timer') {
      out.push({ ...base, message: `the replicated rules read ${rel.kind === 'input' ? 'client input' : 'the timer'} \`${r}\`, which a coordinator cannot order for every partition`, hint: 'replicate only relations that come from other roles on channels, and what is derived from them' });
    } else if (!rep.has(r)) {
      out.push({ ...base, message: `the replicated rules read \`${r}\`, which is not replicated`, hint: `add \`${r}\` to \`replicate\`, or leave the rules that read it out of the replicated part` });
    }
  }
  return out;
}
