// Generated rules written as Dedalus text: a mechanism that adds a dozen rules reads better as
// the rules themselves than as constructor calls. `items` parses a fragment of role items
// (rules and declarations); the text is ours, so a failure to parse is a bug in dedc.

import { buildFragment } from '../../compiler/parse/build-ast.js';
import { dedalusGrammar } from '../../compiler/parse/grammar.js';
import type { Declaration, RoleItem, Rule } from '../../compiler/parse/ast.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';

/** The rules and declarations of `text`, one per line or more. */
export function items(text: string): RoleItem[] {
  const match = dedalusGrammar.match(text, 'Fragment');
  if (match.failed()) throw new Error(`internal error: generated rules do not parse (${match.shortMessage ?? ''}):\n${text}`);
  const sink: Diagnostic[] = [];
  const out = buildFragment(match, sink);
  if (sink.some((d) => d.severity === 'error')) throw new Error(`internal error: generated rules are malformed:\n${text}`);
  return out;
}

/** The one rule of `text`. */
export function ruleFrom(text: string): Rule {
  const [r] = items(text);
  if (!r || r.kind !== 'rule') throw new Error(`internal error: not a rule: ${text}`);
  return r;
}

/** The one declaration of `text`. */
export function declFrom(text: string): Declaration {
  const [d] = items(text);
  if (!d || d.kind !== 'decl') throw new Error(`internal error: not a declaration: ${text}`);
  return d;
}

/** `x0, x1, ..., x(n-1)` (with `prefix`), for copying a relation's columns through rules. */
export function varList(n: number, prefix = 'x'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** An atom's text: `r(a, b)`, or `r()`. */
export function atomText(name: string, args: readonly string[]): string {
  return `${name}(${args.join(', ')})`;
}
