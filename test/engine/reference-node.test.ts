// The reference interpreter through the NodeEngine interface: input validation, when a node
// ticks, the per-tick work limit, and recovery of durable facts.

import { describe, expect, it } from 'vitest';
import { ReferenceNode } from '../../engine/reference/reference-node.js';
import { checked } from '../support/program.js';

const counter = checked(`
.input bump(n: int)
.async note(n: int)
.static limit(n: int)
.output seen(n: int)
.durable log
c(n) :- bump(n).
c(n + 1) :+ c(n), limit(m), (n + 1 < m).
seen(n) :- c(n).
log(n) :- bump(n).
tell: note@3(n) :~ bump(n).
`, 'counter.ded');

function node(recovered: { relation: string; row: bigint[] }[] = []) {
  return new ReferenceNode(counter, { role: 'counter', address: 1n, statics: new Map([['limit', [[4n]]]]), recovered });
}

describe('reference node', () => {
  it('runs tick 0 when fresh, then rests', () => {
    const n = node();
    expect(n.wantsTick()).toBe(true);
    const t = n.tick();
    expect(t.tick).toBe(0);
    expect(t.inputs).toBe(0);
    expect(n.wantsTick()).toBe(false);
  });

  it('rejects rows of the wrong shape and relations that do not take input', () => {
    const n = node();
    expect(n.push({ relation: 'bump', rows: [[1n], ['x'], [1n, 2n], []] })).toBe(3);
    expect(n.push({ relation: 'nope', rows: [[1n]] })).toBe(1);
    expect(n.push({ relation: 'limit', rows: [[9n]] })).toBe(1);
    expect(n.push({ relation: 'seen', rows: [[9n]] })).toBe(1);
    n.tick();
    expect(n.databaseFacts().filter((f) => f.relation === 'bump').map((f) => f.row)).toEqual([[1n]]);
    expect(n.databaseFacts().filter((f) => f.relation === 'limit').map((f) => f.row)).toEqual([[4n]]);
  });

  it('keeps ticking while carried facts change, then rests', () => {
    const n = node();
    n.tick();
    n.push({ relation: 'bump', rows: [[1n]] });
    const seen: bigint[][] = [];
    let ticks = 0;
    while (n.wantsTick() && ticks < 20) {
      const t = n.tick();
      seen.push(t.outputs.map((o) => o.row[0] as bigint));
      ticks++;
    }
    // c(1) from the input, then c(2), c(3) carried; c(4) is not < 4; then one settling tick.
    expect(seen).toEqual([[1n], [2n], [3n], []]);
  });

  it('sends to the destination and logs durable facts in the tick that gains them', () => {
    const n = node();
    n.push({ relation: 'bump', rows: [[7n], [8n]] });
    const t = n.tick();
    expect(t.sends).toEqual([
      { to: 3n, relation: 'note', row: [7n] },
      { to: 3n, relation: 'note', row: [8n] },
    ]);
    expect(t.durable.map((f) => f.row)).toEqual([[7n], [8n]]);
    n.push({ relation: 'bump', rows: [[8n], [9n]] });
    expect(n.tick().durable.map((f) => f.row)).toEqual([[9n]]);
  });

  it('starts from recovered durable facts after a restart', () => {
    const n = node([{ relation: 'log', row: [5n] }]);
    n.tick();
    expect(n.carriedFacts()).toEqual([{ relation: 'log', row: [5n] }]);
    // Already in the log: not logged again.
    n.push({ relation: 'bump', rows: [[5n]] });
    expect(n.tick().durable).toEqual([]);
  });

  it('abandons a runaway tick with DED501 and keeps its state and input', () => {
    const runaway = checked(`
.input go(n: int)
.output big(n: int)
big(n) :- go(n).
big(n + 1) :- big(n).
`, 'runaway.ded');
    const n = new ReferenceNode(runaway, { role: 'runaway', address: 1n, statics: new Map() }, { stepLimit: 1000 });
    n.tick();
    n.push({ relation: 'go', rows: [[0n]] });
    const t = n.tick();
    expect(t.fault?.code).toBe('DED501');
    expect(t.sends).toEqual([]);
    expect(t.outputs).toEqual([]);
    expect(n.wantsTick()).toBe(true);
  });
});
