// Crash and restart in the simulator: a restarted node gets back exactly its durable facts
// (logged before its messages left), and loses what it only kept in memory.

import { describe, expect, it } from 'vitest';
import { defaultSimSettings, type Deployment } from '../../compiler/deploy/deployment.js';
import { resolveDeployment } from '../../compiler/deploy/resolve-deployment.js';
import { simulate } from '../../sim/simulator.js';
import { checked } from '../support/program.js';

const program = `
.input put(client: addr, k: int)
.async ok(k: int)
.output keptNow(k: int)
.output volatileNow(k: int)
.durable kept
.persist volatile

kept(k) :- put(_, k).
volatile(k) :- put(_, k).
ack: ok@c(k) :~ put(c, k).
keptNow(k) :- kept(k).
volatileNow(k) :- volatile(k).
`;

describe('durability across a crash', () => {
  it('reloads durable facts and forgets the rest', () => {
    const analysis = checked(program, 'store.ded');
    const deployment: Deployment = {
      roles: new Map(),
      statics: new Map(),
      timers: new Map(),
      clients: {
        count: 1,
        requests: 6,
        window: 1,
        target: { role: 'store', index: 0, span: { start: 0, end: 0 } },
        input: { relation: 'put', span: { start: 0, end: 0 } },
        row: [{ kind: 'client', what: 'addr', span: { start: 0, end: 0 } }, { kind: 'seq', span: { start: 0, end: 0 } }],
        rowSpan: { start: 0, end: 0 },
        reply: { relation: 'ok', column: 0, span: { start: 0, end: 0 } },
        span: { start: 0, end: 0 },
      },
      sim: defaultSimSettings,
    };
    const { cluster } = resolveDeployment(deployment, analysis);
    const node = cluster!.nodes[0]!.address;
    for (let seed = 1; seed <= 10; seed++) {
      const calm = simulate(analysis, cluster!, { seed });
      const acked = calm.events.filter((e) => e.kind === 'reply');
      expect(acked.length).toBe(6);
      // Crash after the third acknowledgement left, restart a little later.
      const crashAt = calm.events.filter((e) => e.kind === 'send' && e.relation === 'ok')[2]!.time + 1;
      const run = simulate(analysis, { ...cluster!, faults: [{ kind: 'crash', node, at: crashAt, restart: crashAt + 100 }] }, { seed });
      const restart = run.events.findIndex((e) => e.kind === 'restart');
      expect(restart, `seed ${seed}`).toBeGreaterThan(0);
      const firstTick = run.events.slice(restart).findIndex((e) => e.kind === 'tick');
      const after = run.events.slice(restart, restart + firstTick + 10).filter((e) => e.kind === 'output');
      const sentBefore = run.events.slice(0, restart).filter((e) => e.kind === 'send' && e.relation === 'ok').map((e) => (e.kind === 'send' ? e.row[0] : 0n));
      const kept = after.filter((e) => e.kind === 'output' && e.relation === 'keptNow').map((e) => (e.kind === 'output' ? e.row[0] : 0n));
      // Every value acknowledged before the crash was logged before its acknowledgement left.
      expect(kept.length, `seed ${seed}`).toBeGreaterThanOrEqual(3);
      for (const k of sentBefore) expect(kept, `seed ${seed}`).toContain(k);
      expect(after.filter((e) => e.kind === 'output' && e.relation === 'volatileNow'), `seed ${seed}`).toEqual([]);
    }
  });
});
