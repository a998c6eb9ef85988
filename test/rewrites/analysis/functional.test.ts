import { describe, expect, test } from 'vitest';
import { functionalViolations } from '../../../rewrites/analysis/functional.js';
import { checked } from '../../support/program.js';
import { labelled, protocol, rest, textAt } from './rule-sets.js';

describe('functional', () => {
  test("voting: the leader's broadcast is functional (one IDB atom, joined with statics)", () => {
    const a = protocol('voting');
    expect(functionalViolations(a, labelled(a, 'broadcast'))).toEqual([]);
  });

  test("voting: the leader's vote collection is not functional", () => {
    const a = protocol('voting');
    const collection = rest(a, 'leader', labelled(a, 'broadcast'));
    const v = functionalViolations(a, collection);
    // What the definition gives: the garbage-collecting persistence rule of `votes` negates
    // `answered`, and `numVotes` aggregates. No rule joins two positive IDB atoms:
    // `allVoted` joins `numVotes` with the static `numParticipants`, which is free. (The
    // persistence rule's antijoin with `answered` is reported as the negation it is.)
    expect(v.map((x) => [x.relation, textAt(a, x.span)])).toEqual([
      ['answered', '!answered(c, id)'],
      ['numVotes', 'count(p)'],
    ]);
    expect(v.every((x) => x.precondition === 'functional')).toBe(true);
  });

  test('a rule joining two IDB relations is not functional', () => {
    const a = checked(`
.input left(x: int)
.input right(x: int)
.output both(x: int)
role r {
  join: both(x) :- left(x), right(x).
}
`);
    const v = functionalViolations(a, labelled(a, 'join'));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ precondition: 'functional', relation: 'right', rule: labelled(a, 'join')[0] });
    expect(v[0]!.message).toContain('joins `left` with `right`');
    expect(textAt(a, v[0]!.span)).toBe('right(x)');
  });

  test('a self-join combines two facts too', () => {
    const a = checked(`
.input e(x: int, y: int)
.output twoHop(x: int, z: int)
role r {
  hop: twoHop(x, z) :- e(x, y), e(y, z).
}
`);
    expect(functionalViolations(a, labelled(a, 'hop')).map((v) => textAt(a, v.span))).toEqual(['e(y, z)']);
  });

  test('reading a persisted relation is fine; joining it with a new input is not', () => {
    const a = checked(`
.input in(x: int)
.async out(x: int)
.static peer(p: addr)
.persist seen
role r {
  remember: seen(x) :- in(x).
  replay: out@p(x) :~ seen(x), peer(p).
  again: out@p(x) :~ in(x), seen(x), peer(p).
}
`);
    // The implicit persistence rule of `seen` reads one IDB relation: irrelevant to the output.
    expect(functionalViolations(a, labelled(a, 'remember', 'replay'))).toEqual([]);
    const v = functionalViolations(a, labelled(a, 'again'));
    expect(v.map((x) => x.relation)).toEqual(['seen']);
  });

  test('statics, functions, predicates, less_than and an explicit persistence rule are functional', () => {
    const a = checked(`
.input in(x: int)
.static k(n: int)
.output out(x: int, i: int, h: int)
role r {
  spread: out(x, i, hash(x) % n) :- in(x), k(n), less_than(i, n), (x > 0).
  step: next(x + 1) :+ in(x).
  keep: next(x) :+ next(x).
  use: out(x, 0, 0) :- next(x).
}
`);
    expect(functionalViolations(a, labelled(a, 'spread', 'step', 'keep', 'use'))).toEqual([]);
  });

  test('negation, aggregation and index() are not functional', () => {
    const a = checked(`
.input in(g: int, x: int)
.input block(x: int)
.output kept(x: int)
.output total(g: int, n: int)
.output numbered(x: int, i: int)
role r {
  neg: kept(x) :- in(_, x), !block(x).
  agg: total(g, count(x)) :- in(g, x).
  idx: numbered(x, index()) :- in(_, x).
}
`);
    const v = functionalViolations(a, labelled(a, 'neg', 'agg', 'idx'));
    expect(v.map((x) => [x.rule, textAt(a, x.span)])).toEqual([
      [labelled(a, 'neg')[0], '!block(x)'],
      [labelled(a, 'agg')[0], 'count(x)'],
      [labelled(a, 'idx')[0], 'index()'],
    ]);
    expect(v[2]!.message).toContain('depends on the other facts of the tick');
  });
});
