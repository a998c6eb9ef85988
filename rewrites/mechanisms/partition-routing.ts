// Redirection with partitioning (TR B.1.1): every send of a channel the partitioned role reads
// picks the partition from the fact itself: `r@(partition(d, n, key..))(args) :~ body,
// <role>Partitions(n)`, where key.. is the channel's key, written over the head's arguments,
// and n comes from the deployment, so a new partition count needs no new program.

import type { Expr, HeadArg } from '../../compiler/parse/ast.js';
import type { KeyTerm } from '../analysis/key-term.js';
import { atom, call, v } from '../program/build.js';
import { editRule, programError, type StepContext } from '../steps/context.js';
import { freshVariable } from './fresh-variable.js';
import { generatedStatic } from './generated-static.js';

export function partitionCountStatic(ctx: StepContext, role: string): string {
  return generatedStatic(ctx, `${role}Partitions`, [{ name: 'n', type: 'int' }], [[{ partitions: role }]], `how many partitions each ${role} has`);
}

export function routeToPartitions(ctx: StepContext, channel: string, key: readonly KeyTerm[], countStatic: string): boolean {
  let ok = true;
  for (const id of ctx.analysis.relations.get(channel)!.derivedBy) {
    const info = ctx.analysis.rules[id]!;
    const current = ctx.rules.get(id)!;
    const dest = current.head.dest;
    const args = current.head.args;
    const exprs = key.map((t) => keyExpr(t, args));
    if (!dest || exprs.some((e) => e === undefined)) {
      programError(ctx, 'DED317', `rule ${info.label ?? `\`${info.text}\``} cannot be routed by partition: its head computes the key with an aggregate or index()`, { span: info.rule.head.span, label: 'no key to route by' });
      ok = false;
      continue;
    }
    const n = v(freshVariable(current, 'n'));
    editRule(
      ctx,
      id,
      (r) => ({ ...r, head: { ...r.head, dest: call('partition', [dest, n, ...(exprs as Expr[])]) }, body: [...r.body, atom(countStatic, [n])] }),
      `${ctx.title}: sent to the partition its key picks`,
    );
  }
  return ok;
}

/** A key term over a channel's columns, as an expression over a sending rule's head arguments. */
function keyExpr(t: KeyTerm, args: readonly HeadArg[]): Expr | undefined {
  if (t.kind === 'column') {
    const a = args[t.index];
    return a && a.kind !== 'aggregate' && a.kind !== 'index' ? a : undefined;
  }
  const inner = t.args.map((x) => keyExpr(x, args));
  return inner.some((x) => x === undefined) ? undefined : call(t.fn, inner as Expr[]);
}
