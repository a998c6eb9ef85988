// Counts reorderings in a run: pairs of messages between the same two nodes that arrived in
// the opposite order to the one they were sent in. Tests use it to show the network reorders.

import type { SimResult } from '../../sim/simulator.js';

export function reorderedPairs(result: SimResult): number {
  const sent = new Map<number, { from: bigint; to: bigint; time: number }>();
  for (const e of result.events) if (e.kind === 'send') sent.set(e.id, { from: e.from, to: e.to, time: e.time });
  const lastByLink = new Map<string, number>();
  let reordered = 0;
  for (const e of result.events) {
    if (e.kind !== 'receive') continue;
    const s = sent.get(e.id);
    if (!s) continue;
    const link = `${s.from}>${s.to}`;
    const last = lastByLink.get(link);
    if (last !== undefined && s.time < last) reordered++;
    lastByLink.set(link, Math.max(last ?? -1, s.time));
  }
  return reordered;
}
