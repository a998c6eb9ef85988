import { describe, expect, test } from 'vitest';
import { logicallyPersisted, monotonicityViolations } from '../../../rewrites/analysis/monotonicity.js';
import { checked } from '../../support/program.js';
import { labelled, protocol, rest, roleRules, textAt } from './rule-sets.js';

/** A vote-counting rule set: `aggregate` (over `p`, an addr, or `w`, an int) tested by `test` (over `k`). */
function counting(aggregate: string, test: string, extraDecls = ''): string {
  return `
.async vote(p: addr, id: int, w: int)
.async done(id: int)
.static quorum(q: int)
.static client(c: addr)
${extraDecls}
role r {
  votes(p, id, w) :- vote(p, id, w).
  tally: n(${aggregate}, id) :- votes(p, id, w).
  check: ok(id) :- n(k, id), ${test}.
  send: done@c(id) :~ ok(id), client(c).
}
`;
}

function violations(text: string) {
  const a = checked(text);
  return { a, v: monotonicityViolations(a, roleRules(a, 'r')) };
}

describe('monotonicity', () => {
  test("voting: the leader's vote collection is monotone (count against a static, garbage collection)", () => {
    const a = protocol('voting');
    expect(monotonicityViolations(a, rest(a, 'leader', labelled(a, 'broadcast')))).toEqual([]);
    expect(monotonicityViolations(a, labelled(a, 'broadcast'))).toEqual([]);
  });

  test('negation over a non-persisted input is not monotone', () => {
    const { a, v } = violations(`
.input in(x: int)
.input blocked(x: int)
.output out(x: int)
role r {
  filter: out(x) :- in(x), !blocked(x).
}
`);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ precondition: 'monotonicity', relation: 'blocked', rule: labelled(a, 'filter')[0] });
    expect(textAt(a, v[0]!.span)).toBe('!blocked(x)');
    expect(v[0]!.hint).toContain('state-machine');
  });

  test('negation over a persisted relation is not monotone either', () => {
    const { v } = violations(`
.input in(x: int)
.input seen(x: int)
.persist seen
.output out(x: int)
role r {
  out(x) :- in(x), !seen(x).
}
`);
    expect(v.map((x) => x.relation)).toEqual(['seen']);
  });

  test('a garbage-collecting persistence rule may negate', () => {
    const { v } = violations(`
.input in(x: int)
.input done(x: int)
.output out(x: int)
role r {
  pending(x) :- in(x).
  pending(x) :+ pending(x), !done(x), (x > 0).
  out(x) :- pending(x).
}
`);
    expect(v).toEqual([]);
  });

  test('a :+ rule that negates but does not keep its head as it is is no persistence rule', () => {
    const { a, v } = violations(`
.input in(x: int, y: int)
.input done(x: int)
.output out(x: int)
role r {
  pairs(x, y) :- in(x, y).
  swap: pairs(y, x) :+ pairs(x, y), !done(x).
  out(x) :- pairs(x, _).
}
`);
    expect(v.map((x) => [x.rule, x.relation])).toEqual([[labelled(a, 'swap')[0], 'done']]);
  });

  test('count(..) >= quorum is a threshold, and so are > and a literal bound', () => {
    expect(violations(counting('count(p)', 'quorum(q), (k >= q)')).v).toEqual([]);
    expect(violations(counting('count(p)', 'quorum(q), (q < k)')).v).toEqual([]);
    expect(violations(counting('count(p)', '(k > 2)')).v).toEqual([]);
    expect(violations(counting('count(p)', 'quorum(q), (k >= q + 1)')).v).toEqual([]);
    expect(violations(counting('max(w)', '(k >= 3)')).v).toEqual([]);
    expect(violations(counting('min(w)', '(k <= 3)')).v).toEqual([]);
  });

  test('count joined with a static column is accepted (the static is the most it can reach); max is not', () => {
    expect(violations(counting('count(p)', 'quorum(k)')).v).toEqual([]);
    const { a, v } = violations(counting('max(w)', 'quorum(k)'));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ relation: 'n', rule: labelled(a, 'tally')[0] });
    expect(textAt(a, v[0]!.span)).toBe('max(w)');
    expect(v[0]!.message).toBe(
      'rule `check` reads the max in `n` and joins it with a static relation (an equality test); only a threshold test of it is monotone',
    );
  });

  test('tests in the wrong direction, or against a non-static value, are not thresholds', () => {
    for (const [aggregate, test] of [
      ['count(p)', 'quorum(q), (k < q)'],
      ['count(p)', 'quorum(q), (k == q)'],
      ['min(w)', '(k >= 3)'],
      ['max(w)', '(k != 3)'],
    ]) {
      const { a, v } = violations(counting(aggregate!, test!));
      expect(v.map((x) => [x.relation, textAt(a, x.span)]), test).toEqual([['n', aggregate]]);
      expect(v[0]!.message).toContain('compares it other than with a threshold');
    }
    // The bound comes from an input, which can change.
    const { v } = violations(counting('count(p)', 'limit(q), (k >= q)', '.input limit(q: int)'));
    expect(v.map((x) => x.relation)).toEqual(['n']);
  });

  test('a wildcard in the aggregate column only tests that the group exists; a literal is an equality', () => {
    const program = (read: string) => `
.async vote(p: addr, id: int)
.output ok(id: int)
role r {
  votes(p, id) :- vote(p, id).
  tally: n(count(p), id) :- votes(p, id).
  check: ok(id) :- ${read}.
}
`;
    expect(violations(program('n(_, id)')).v).toEqual([]);
    const { a, v } = violations(program('n(3, id)'));
    expect(v.map((x) => [x.rule, textAt(a, x.span)])).toEqual([[labelled(a, 'tally')[0], 'count(p)']]);
    expect(v[0]!.message).toContain('rule `check` reads the count in `n` and compares it with a literal');
  });

  test('sum and choose are rejected', () => {
    for (const fn of ['sum', 'choose']) {
      const { a, v } = violations(counting(`${fn}(w)`, '(k >= 3)'));
      expect(v).toHaveLength(1);
      expect(textAt(a, v[0]!.span)).toBe(`${fn}(w)`);
      expect(v[0]!.message).toContain('not monotone');
    }
  });

  test('an aggregate whose value is used, or leaves the component, is not a threshold', () => {
    const passed = violations(`
.async vote(p: addr, id: int)
.async tally(id: int, n: int)
.static client(c: addr)
role r {
  votes(p, id) :- vote(p, id).
  n(count(p), id) :- votes(p, id).
  report: tally@c(id, k) :~ n(k, id), client(c), (k >= 2).
}
`);
    expect(passed.v.map((x) => x.message)).toEqual([
      'rule `report` reads the count in `n` and passes it on; only a threshold test of it is monotone',
    ]);
    const escaped = violations(`
.async vote(p: addr, id: int)
.output n(c: int, id: int)
role r {
  votes(p, id) :- vote(p, id).
  n(count(p), id) :- votes(p, id).
}
`);
    expect(escaped.v).toHaveLength(1);
    expect(escaped.v[0]!.message).toContain('leaves the component as `n`');
  });

  test('an aggregate over a relation that can lose facts is not a threshold', () => {
    const { a, v } = violations(`
.input in(x: int)
.input old(x: int)
.output many()
role r {
  fresh(x) :- in(x), !old(x).
  n(count(x)) :- fresh(x).
  many() :- n(k), (k >= 10).
}
`);
    expect(v.map((x) => [x.relation, textAt(a, x.span)])).toEqual([
      ['old', '!old(x)'],
      ['n', 'count(x)'],
    ]);
    expect(v[1]!.message).toContain('aggregates over `fresh`, which can lose facts');
  });

  test('index() is not monotone', () => {
    const { a, v } = violations(`
.input in(x: int)
.output numbered(x: int, i: int)
role r {
  numbered(x, index()) :- in(x).
}
`);
    expect(v.map((x) => textAt(a, x.span))).toEqual(['index()']);
  });
});

describe('logical persistence', () => {
  test('2pc participant: declared relations, and relations derived monotonically from them', () => {
    const a = protocol('2pc');
    // `refuse` and `outcome` come from this tick's messages; `knownAborted` only from the
    // persisted `refused` and `abortSeen`.
    expect([...logicallyPersisted(a, 'participant')].sort()).toEqual(['abortSeen', 'committed', 'knownAborted', 'prepared', 'refused']);
  });

  test('voting leader: nothing; votes are re-derived from messages and garbage-collected', () => {
    expect(logicallyPersisted(protocol('voting'), 'leader')).toEqual(new Set());
  });

  test('recursion over persisted relations, :+ from persisted relations, and garbage collection', () => {
    const a = checked(`
.input link(x: int, y: int)
.input in(x: int)
.input done(x: int)
.output out(x: int)
.persist edge
role r {
  edge(x, y) :- link(x, y).
  path(x, y) :- edge(x, y).
  path(x, z) :- path(x, y), edge(y, z).
  later(x) :+ path(x, _).
  # Garbage collection does not stop a relation that is re-derived anyway...
  kept(x) :- later(x).
  kept(x) :+ kept(x), !done(x).
  # ...and does not make one persisted either.
  pending(x) :- in(x).
  pending(x) :+ pending(x), !done(x).
  # Negation and aggregation are not monotone.
  open(x) :- later(x), !done(x).
  size(count(x)) :- edge(x, _).
  shifted(x) :+ in(x).
  out(x) :- kept(x), pending(x), open(x), size(x), shifted(x).
  forever(x) :+ forever(x).
  forever(x) :- in(x).
}
`);
    expect([...logicallyPersisted(a, 'r')].sort()).toEqual(['edge', 'forever', 'kept', 'later', 'path']);
  });
});
