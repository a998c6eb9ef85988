// Picking rule sets out of a checked program, for the precondition tests: by label, by head
// relation, or as the rest of a role; and the source text under a violation's span.

import { readFileSync } from 'node:fs';
import type { Analysis } from '../../../compiler/analyze/analysis.js';
import type { Span } from '../../../compiler/source.js';
import type { RuleSet } from '../../../rewrites/analysis/rule-set.js';
import { checked } from '../../support/program.js';

export function protocol(name: string): Analysis {
  return checked(readFileSync(new URL(`../../../protocols/${name}.ded`, import.meta.url), 'utf8'), `${name}.ded`);
}

/** The rules with these labels, ascending. */
export function labelled(a: Analysis, ...labels: string[]): RuleSet {
  const ids = labels.map((l) => {
    const r = a.rules.find((x) => x.label === l);
    if (!r) throw new Error(`no rule labelled \`${l}\``);
    return r.id;
  });
  return ids.sort((x, y) => x - y);
}

/** The rules of a role whose heads are these relations, ascending. */
export function deriving(a: Analysis, role: string, ...relations: string[]): RuleSet {
  return roleRules(a, role).filter((id) => relations.includes(a.rules[id]!.rule.head.name));
}

export function roleRules(a: Analysis, role: string): RuleSet {
  const info = a.roles.find((r) => r.name === role);
  if (!info) throw new Error(`no role \`${role}\``);
  return [...info.rules].sort((x, y) => x - y);
}

/** The rules of a role not in `c2`. */
export function rest(a: Analysis, role: string, c2: RuleSet): RuleSet {
  return roleRules(a, role).filter((id) => !c2.includes(id));
}

export function union(...sets: RuleSet[]): RuleSet {
  return [...new Set(sets.flat())].sort((x, y) => x - y);
}

export function textAt(a: Analysis, span: Span | undefined): string | undefined {
  return span && a.source.text.slice(span.start, span.end);
}

/** The paper's hash-collision storage (Listing 2), with hashset persisted by a `:+` rule. */
export const hashCollisions = `
  .input in(v: string, s: string)
  .async toStorage(val: string, sig: string)
  .output collisions
  .persist hashset
  role leader { send: toStorage@1(v, s) :~ in(v, s). }
  role storage {
    storeIt: hashset(hash(v), v) :+ toStorage(v, _).
    collide: collisions(v2, h) :- toStorage(v1, _), hashset(h, v2), (h == hash(v1)).
  }
`;
