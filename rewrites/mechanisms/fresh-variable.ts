// A variable name a rule does not use yet, for the variables mechanisms add to rules.

import { exprVariables, type Rule } from '../../compiler/parse/ast.js';

export function freshVariable(rule: Rule, base: string): string {
  const used = new Set<string>();
  for (const a of rule.head.args) if (a.kind !== 'aggregate' && a.kind !== 'index') for (const x of exprVariables(a)) used.add(x.name);
  if (rule.head.dest) for (const x of exprVariables(rule.head.dest)) used.add(x.name);
  for (const lit of rule.body) {
    const atoms = lit.kind === 'atom' ? [lit] : lit.kind === 'negation' ? [lit.atom] : [];
    for (const a of atoms) for (const t of a.args) if (t.kind === 'var') used.add(t.name);
    if (lit.kind === 'predicate') for (const x of [...exprVariables(lit.left), ...exprVariables(lit.right)]) used.add(x.name);
    if (lit.kind === 'lessThan') used.add(lit.variable.name);
  }
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}${i}`;
  return name;
}
