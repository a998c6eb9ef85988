// The simulator is deterministic: the same seed gives the same run, event for event, and
// different seeds give different runs.

import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim/simulator.js';
import { renderTrace } from '../../sim/trace.js';
import { loadProtocol } from '../support/protocol.js';

describe('simulator determinism', () => {
  for (const name of ['voting', '2pc']) {
    it(`${name}: the same seed gives the same trace; other seeds give other traces`, () => {
      const { analysis, cluster } = loadProtocol(name, { clients: 2, requests: 5 });
      const trace = (seed: number, drop = 0.1) =>
        renderTrace(simulate(analysis, cluster, { seed, overrides: { drop } }).events, { relations: analysis.relations, names: cluster.names });
      const first = trace(42);
      expect(first.split('\n').length).toBeGreaterThan(100);
      expect(trace(42)).toBe(first);
      const others = new Set([1, 2, 3, 4, 5].map((s) => trace(s)));
      expect(others.size).toBe(5);
      expect(others.has(first)).toBe(false);
    });
  }
});
