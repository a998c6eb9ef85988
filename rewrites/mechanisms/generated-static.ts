// The static relations mechanisms add (address maps, peers, partition counts, identity copies):
// declared at the top of the program, with rows in the deployment. A static with the same rows
// made earlier is reused, so asking twice gives one relation; the name is fresh otherwise.

import type { TypeName } from '../../compiler/parse/ast.js';
import { decl } from '../program/build.js';
import { addStatic, type StepContext } from '../steps/context.js';

export function generatedStatic(
  ctx: StepContext,
  base: string,
  columns: readonly { name: string; type: TypeName }[],
  rows: unknown[][],
  note: string,
): string {
  const wanted = JSON.stringify(rows);
  const existing = Object.entries(ctx.deployment.statics ?? {}).find(([name, r]) => name.startsWith(base) && JSON.stringify(r) === wanted);
  if (existing) return existing[0];
  const name = ctx.draft.fresh(base);
  ctx.draft.addTop(decl('static', name, columns), `${ctx.title}: ${note}`);
  addStatic(ctx.deployment, name, rows);
  return name;
}
