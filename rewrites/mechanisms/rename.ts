// Renaming a relation in the body of a rule: how a mechanism points rules at an alias, such as
// the channel that now carries a forwarded relation.

import type { Atom, Rule } from '../../compiler/parse/ast.js';

export function renameInBody(rule: Rule, from: string, to: string): Rule {
  const ren = (a: Atom): Atom => (a.name === from ? { ...a, name: to } : a);
  return {
    ...rule,
    body: rule.body.map((lit) => (lit.kind === 'atom' ? ren(lit) : lit.kind === 'negation' ? { ...lit, atom: ren(lit.atom) } : lit)),
  };
}

export function readsRelation(rule: Rule, name: string): boolean {
  return rule.body.some((lit) => (lit.kind === 'atom' ? lit.name === name : lit.kind === 'negation' && lit.atom.name === name));
}
