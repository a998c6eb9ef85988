import { describe, expect, test } from 'vitest';
import { existenceDependent, noChangeDependent, stateMachineViolations } from '../../../rewrites/analysis/state-machine.js';
import { ruleSetIO } from '../../../rewrites/analysis/rule-set.js';
import type { Analysis } from '../../../compiler/analyze/analysis.js';
import type { RuleSet } from '../../../rewrites/analysis/rule-set.js';
import { checked } from '../../support/program.js';
import { labelled, protocol, rest, roleRules, textAt } from './rule-sets.js';

function analyse(a: Analysis, rules: RuleSet) {
  const inputs = ruleSetIO(a, rules).inputs;
  return {
    existence: [...existenceDependent(a, rules, inputs)].sort(),
    noChange: [...noChangeDependent(a, rules, inputs)].sort(),
    violations: stateMachineViolations(a, rules, inputs),
  };
}

function whole(text: string) {
  const a = checked(text);
  return { a, ...analyse(a, roleRules(a, 'r')) };
}

describe('state machines', () => {
  test("voting: the leader's broadcast is a state machine on `clientIn`", () => {
    const a = protocol('voting');
    const r = analyse(a, labelled(a, 'broadcast'));
    expect(r.existence).toEqual(['clientIn', 'voteReq']);
    expect(r.violations).toEqual([]);
  });

  test("voting: the leader's vote collection is not a state machine", () => {
    // `votes` is kept by a persistence rule with a garbage-collection condition: in the tick after
    // `allVoted` fires, which may have no input, `!answered` drops the round's votes. So `votes`
    // has neither dependency (A.4.1 (1) wants the plain persistence rule), and `numVotes`,
    // `allVoted` and `answered`, derived from it without input, have neither either; the output
    // `clientOut` is sent from `allVoted`, which is not empty without input.
    const a = protocol('voting');
    const r = analyse(a, rest(a, 'leader', labelled(a, 'broadcast')));
    expect(r.existence).toEqual(['vote']);
    expect(r.noChange).toEqual([]);
    expect(r.violations.map((v) => v.relation).sort()).toEqual(['allVoted', 'answered', 'clientOut', 'numVotes', 'votes']);
    expect(r.violations.every((v) => v.precondition === 'state-machine')).toBe(true);
    const votes = r.violations.find((v) => v.relation === 'votes')!;
    expect(textAt(a, votes.span)).toBe('!answered(c, id)');
    expect(votes.message).toContain('garbage-collection condition');
    const reply = r.violations.find((v) => v.relation === 'clientOut')!;
    expect(reply.rule).toBe(labelled(a, 'reply')[0]);
  });

  test('voting with `.persist votes` instead of garbage collection (and no `answered`): the state is fine, the reply is not', () => {
    const text = protocol('voting')
      .source.text.replace('votes(p, c, id, v) :+ votes(p, c, id, v), !answered(c, id).', '')
      .replace('answered(c, id) :- allVoted(c, id, _).', '')
      .replace('.static self(a: addr)', '.static self(a: addr)\n.persist votes');
    const a = checked(text, 'voting.ded');
    const r = analyse(a, rest(a, 'leader', labelled(a, 'broadcast')));
    expect(r.noChange).toEqual(['allVoted', 'numVotes', 'votes']);
    // `allVoted` stays true once reached, so `reply` resends in every tick, input or not.
    expect(r.violations.map((v) => [v.relation, v.rule])).toEqual([['clientOut', labelled(a, 'reply')[0]]]);
  });

  test('a key-value store: persisted state changed only on input, replies only on input', () => {
    const r = whole(`
.input put(k: int, v: int)
.input get(c: addr, k: int)
.async got(k: int, v: int)
.static limit(n: int)
.persist store
role r {
  store(k, v) :- put(k, v).
  small(k, v) :- store(k, v), limit(n), (v < n).
  big(k) :- store(k, v), !small(k, v).
  reply: got@c(k, v) :~ get(c, k), store(k, v), !big(k).
}
`);
    expect(r.existence).toEqual(['get', 'got', 'put']);
    expect(r.noChange).toEqual(['big', 'small', 'store']); // explicit persist, then implicit
    expect(r.violations).toEqual([]);
  });

  test('an explicit persistence rule is plain persistence', () => {
    const r = whole(`
.input put(k: int)
.input get(c: addr, k: int)
.async got(k: int)
role r {
  store(k) :- put(k).
  store(k) :+ store(k).
  got@c(k) :~ get(c, k), store(k).
}
`);
    expect(r.noChange).toEqual(['store']);
    expect(r.violations).toEqual([]);
  });

  test('a :+ rule other than persistence changes state in the tick after an input', () => {
    const r = whole(`
.input in(x: int)
.output out(x: int)
role r {
  shift: later(x) :+ in(x).
  emit: out(x) :- later(x).
}
`);
    expect(r.existence).toEqual(['in']);
    expect(r.violations.map((v) => [v.relation, v.rule])).toEqual([
      ['later', labelled(r.a, 'shift')[0]],
      ['out', labelled(r.a, 'emit')[0]],
    ]);
    expect(r.violations[0]!.message).toContain('derives `later` with `:+`');
    expect(r.violations[1]!.message).toContain('can derive the output `out` in a tick without input');
  });

  test('a persisted relation may gain facts only from rules with an input', () => {
    const r = whole(`
.input in(x: int)
.input q(c: addr)
.async out(x: int)
.persist a
.persist b
role r {
  a(x) :- in(x).
  copy: b(x) :- a(x).
  out@c(x) :~ q(c), b(x).
}
`);
    expect(r.noChange).toEqual(['a']);
    expect(r.violations.map((v) => [v.relation, v.rule])).toEqual([['b', labelled(r.a, 'copy')[0]]]);
    expect(r.violations[0]!.message).toContain('can add facts to the persisted `b` in a tick without input');
  });

  test('a relation derived from input and from state, unpersisted, has neither dependency', () => {
    const r = whole(`
.input in(x: int)
.input q(c: addr)
.async out(x: int)
.persist st
role r {
  st(x) :- in(x).
  fromInput: mix(x) :- in(x).
  fromState: mix(x) :- st(x).
  out@c(x) :~ q(c), mix(x).
}
`);
    expect(r.violations.map((v) => [v.relation, v.rule])).toEqual([['mix', labelled(r.a, 'fromState')[0]]]);
    expect(r.violations[0]!.message).toContain('from state by rule `fromState` and from input by rule `fromInput`');
  });

  test('a persisted output holds facts in ticks without input', () => {
    const r = whole(`
.input in(x: int)
.output out(x: int)
.persist out
role r {
  out(x) :- in(x).
}
`);
    expect(r.violations.map((v) => v.relation)).toEqual(['out']);
    expect(textAt(r.a, r.violations[0]!.span)).toBe('.persist out');
  });

  test('timers are inputs; a persisted input changes only as facts arrive', () => {
    const r = whole(`
.timer tick 100ms
.input in(x: int)
.persist in
.async out(x: int)
.static peer(p: addr)
role r {
  out@p(x) :~ tick(), in(x), peer(p).
}
`);
    expect(r.existence).toEqual(['out', 'tick']);
    expect(r.noChange).toEqual(['in']);
    expect(r.violations).toEqual([]);
    // Without `tick` among the given inputs, it is still an input.
    expect([...existenceDependent(r.a, roleRules(r.a, 'r'), [])].sort()).toEqual(['out', 'tick']);
  });

  test('existence dependency through recursion', () => {
    const r = whole(`
.input edge(x: int, y: int)
.output reach(x: int, y: int)
role r {
  path(x, y) :- edge(x, y).
  path(x, z) :- path(x, y), edge(y, z).
  reach(x, y) :- path(x, y).
}
`);
    expect(r.existence).toEqual(['edge', 'path', 'reach']);
    expect(r.violations).toEqual([]);
  });

  test('a channel the rule set both sends and reads arrives at any time: neither dependency', () => {
    const r = whole(`
.input in(x: int)
.async ping(x: int)
.static self(a: addr)
.output out(x: int)
role r {
  send: ping@me(x) :~ in(x), self(me).
  out(x) :- ping(x).
}
`);
    expect(r.existence).toEqual(['in']);
    expect(r.violations.map((v) => [v.relation, v.rule])).toEqual([
      ['ping', labelled(r.a, 'send')[0]],
      ['out', r.a.relations.get('out')!.derivedBy[0]],
    ]);
    expect(r.violations[0]!.message).toContain('also arrives from outside');
  });
});
