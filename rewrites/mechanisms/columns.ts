// The column list of a relation for a generated declaration: the names and types the analysis
// knows, with `c0, c1, ...` for columns that have no name; and fresh names for added columns.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { TypeName } from '../../compiler/parse/ast.js';

export function columnsOf(analysis: Analysis, relation: string): { name: string; type: TypeName }[] {
  const rel = analysis.relations.get(relation)!;
  const seen = new Set<string>();
  return rel.columns.map((c, i) => {
    let name = c.name ?? `c${i}`;
    if (seen.has(name)) name = `${name}${i}`;
    seen.add(name);
    return { name, type: c.type };
  });
}

/** `base`, or `base2`, `base3`, ... : a column name not among `taken`. */
export function freshColumn(taken: readonly string[], base: string): string {
  let name = base;
  for (let i = 2; taken.includes(name); i++) name = `${base}${i}`;
  return name;
}
