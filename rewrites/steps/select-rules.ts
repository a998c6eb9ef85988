// Which rules a decouple step moves: the rules of the role with the labels it lists, and every
// rule of the role whose head is a relation it lists. Unknown names are DED304, with the
// nearest label or relation of that role as a hint.

import { closestName } from '../../compiler/analyze/suggest.js';
import type { DecoupleStep } from '../plan/plan.js';
import { planError, type StepContext } from './context.js';

export function selectRules(ctx: StepContext, step: DecoupleStep): number[] | undefined {
  const role = ctx.analysis.roles.find((r) => r.name === step.role.name)!;
  const rules = role.rules.map((id) => ctx.analysis.rules[id]!);
  const chosen = new Set<number>();
  let ok = true;
  for (const label of step.rules) {
    const r = rules.find((x) => x.label === label.name);
    if (r) chosen.add(r.id);
    else {
      const elsewhere = ctx.analysis.rules.find((x) => x.label === label.name);
      const near = closestName(label.name, rules.flatMap((x) => (x.label ? [x.label] : [])));
      planError(ctx, 'DED304', elsewhere ? `rule \`${label.name}\` belongs to role \`${elsewhere.role}\`, not \`${step.role.name}\`` : `role \`${step.role.name}\` has no rule labelled \`${label.name}\``, {
        span: label.span,
        label: 'no such rule here',
        ...(near ? { hint: `did you mean \`${near}\`?` } : { hint: 'label a rule in the program with `name: head :- body.`' }),
      });
      ok = false;
    }
  }
  for (const rel of step.relations) {
    const derived = rules.filter((x) => x.rule.head.name === rel.name);
    if (derived.length) for (const r of derived) chosen.add(r.id);
    else {
      const heads = [...new Set(rules.map((x) => x.rule.head.name))];
      const near = closestName(rel.name, heads);
      planError(ctx, 'DED304', ctx.analysis.relations.has(rel.name) ? `no rule of role \`${step.role.name}\` derives \`${rel.name}\`` : `the program has no relation \`${rel.name}\``, {
        span: rel.span,
        label: 'no rules to move',
        hint: near ? `did you mean \`${near}\`?` : `the rules of \`${step.role.name}\` derive ${heads.join(', ')}`,
      });
      ok = false;
    }
  }
  if (!ok) return undefined;
  if (!chosen.size) {
    planError(ctx, 'DED306', 'the step selects no rules', { span: step.span, label: 'nothing to move', hint: 'list rule labels in `rules` or head relations in `relations`' });
    return undefined;
  }
  return [...chosen].sort((a, b) => a - b);
}
