// Identity after a split: a node of a new role stands in for its instance of the old role, so
// statics that say "me" (rows with {"self": "addr"}) must keep naming the old role's instance.
// Moved rules that read such a static read a copy whose rows say {"peer": old role} instead.
// (The paper assumes no entanglement: addresses only in location columns. Protocols put their
// own address in messages; this keeps those values what the other roles expect.)

import { editRule, type StepContext } from '../steps/context.js';
import { columnsOf } from './columns.js';
import { capitalised } from './forward.js';
import { generatedStatic } from './generated-static.js';
import { readsRelation, renameInBody } from './rename.js';

export function keepIdentity(ctx: StepContext, from: string, to: string, moved: readonly number[]): void {
  for (const [name, rows] of Object.entries(ctx.deployment.statics ?? {})) {
    const saysSelf = rows.some((row) => row.some((c) => isSelfAddr(c)));
    if (!saysSelf || !moved.some((id) => readsRelation(ctx.rules.get(id)!, name))) continue;
    const copyRows = rows.map((row) => row.map((c) => (isSelfAddr(c) ? { peer: from } : c)));
    const copy = generatedStatic(ctx, `${name}As${capitalised(to)}`, columnsOf(ctx.analysis, name), copyRows, `${name} as ${to} sees it (its ${from}'s address)`);
    for (const id of moved) if (readsRelation(ctx.rules.get(id)!, name)) editRule(ctx, id, (r) => renameInBody(r, name, copy), `${ctx.title}: reads ${copy}`);
  }
}

function isSelfAddr(cell: unknown): boolean {
  return typeof cell === 'object' && cell !== null && (cell as { self?: unknown }).self === 'addr';
}
