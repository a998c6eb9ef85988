import { describe, expect, test } from 'vitest';
import { decoupleKinds } from '../../../rewrites/analysis/decouple-kind.js';
import { decouplingCandidates } from '../../../rewrites/analysis/decoupling-candidates.js';
import { downstreamClusters, ruleClusters } from '../../../rewrites/analysis/rule-clusters.js';
import { checked } from '../../support/program.js';
import { labelled, protocol, rest, union } from './rule-sets.js';

const holds = (c: { kinds: { kind: string; holds: boolean }[] }) => Object.fromEntries(c.kinds.map((k) => [k.kind, k.holds]));

// Three clusters: `a` sends `ping` to this same role, which `b` reads; `c` stands alone.
const chain = `
.input in(x: int)
.async ping(x: int)
.output out(x: int)
.output side(x: int)
.static self(a: addr)
role r {
  a1: mid(x) :- in(x).
  a2: ping@me(x) :~ mid(x), self(me).
  b: out(x) :- ping(x).
  c: side(x) :- in(x).
}
`;

describe('rule clusters', () => {
  test('rules sharing a local relation cluster; channels and inputs do not join them', () => {
    const a = checked(chain);
    const clusters = ruleClusters(a, 'r');
    expect(clusters).toEqual([labelled(a, 'a1', 'a2'), labelled(a, 'b'), labelled(a, 'c')]);
    expect(downstreamClusters(a, clusters)).toEqual([[1], [], []]);
  });

  test('voting leader: the broadcast, and the vote collection', () => {
    const a = protocol('voting');
    const broadcast = labelled(a, 'broadcast');
    expect(ruleClusters(a, 'leader')).toEqual([broadcast, rest(a, 'leader', broadcast)]);
  });
});

describe('decoupling candidates', () => {
  test('voting leader: the broadcast moves with any kind; the collection only monotonically', () => {
    const a = protocol('voting');
    const broadcast = labelled(a, 'broadcast');
    const candidates = decouplingCandidates(a, 'leader');
    expect(candidates.map((c) => c.rules)).toEqual([broadcast, rest(a, 'leader', broadcast)]);
    for (const c of candidates) expect(c.kinds.map((k) => k.kind)).toEqual(decoupleKinds);
    expect(holds(candidates[0]!)).toEqual({
      'mutually-independent': true,
      functional: true,
      monotonic: true,
      'state-machine': true,
      asymmetric: true,
    });
    expect(candidates[0]!.kinds.every((k) => k.reasons.length === 0)).toBe(true);
    expect(holds(candidates[1]!)).toEqual({
      'mutually-independent': true,
      functional: false,
      monotonic: true,
      'state-machine': false,
      asymmetric: false,
    });
    const functional = candidates[1]!.kinds.find((k) => k.kind === 'functional')!;
    expect(functional.reasons.map((r) => r.precondition)).toEqual(['functional', 'functional']);
    const asymmetric = candidates[1]!.kinds.find((k) => k.kind === 'asymmetric')!;
    expect(new Set(asymmetric.reasons.map((r) => r.precondition))).toEqual(new Set(['state-machine']));
  });

  test('a role of one cluster has no candidates', () => {
    expect(decouplingCandidates(protocol('voting'), 'participant')).toEqual([]);
  });

  test('each cluster, and each cluster with what is downstream of it, once; never the whole role', () => {
    const a = checked(chain);
    const candidates = decouplingCandidates(a, 'r');
    const [aRules, bRules, cRules] = [labelled(a, 'a1', 'a2'), labelled(a, 'b'), labelled(a, 'c')];
    expect(candidates.map((c) => c.rules)).toEqual([aRules, union(aRules, bRules), bRules, cRules]);

    // Moving `b`: it reads what `a` sends, so only C1 = {a, c} is independent of it.
    expect(holds(candidates[2]!)).toMatchObject({ 'mutually-independent': false, functional: true, monotonic: true, asymmetric: false });
    const mutual = candidates[2]!.kinds.find((k) => k.kind === 'mutually-independent')!;
    expect(mutual.reasons.map((r) => [r.precondition, r.relation, r.rule])).toEqual([['mutual-independence', 'ping', bRules[0]]]);
    const asymmetric = candidates[2]!.kinds.find((k) => k.kind === 'asymmetric')!;
    expect(asymmetric.reasons.map((r) => [r.precondition, r.relation])).toEqual([['independence', 'ping']]);

    // Moving `a` (or `a` with `b`): `c` reads `in` too, so nothing is independent of it.
    for (const c of candidates.slice(0, 2)) {
      expect(holds(c)).toEqual({
        'mutually-independent': false,
        functional: false,
        monotonic: false,
        'state-machine': false,
        asymmetric: false,
      });
    }
  });

  test('an unknown role is a mistake', () => {
    expect(() => decouplingCandidates(protocol('voting'), 'nobody')).toThrow('no role `nobody`');
  });
});
