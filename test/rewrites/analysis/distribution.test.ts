// The search for distribution policies (paper §4.1–4.2): co-hashing and dependencies on the
// paper's running example and on voting, pinned keys, aggregates, negation, `index()`, partial
// partitioning, and the violations that name the rule and atoms that share no key.

import { hashCollisions } from './rule-sets.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../../compiler/analyze/analysis.js';
import {
  findDistribution,
  printPolicy,
  type DistributionOptions,
  type DistributionResult,
} from '../../../rewrites/analysis/distribution.js';
import { callTerm, columnTerm, printKey, type KeyTerm } from '../../../rewrites/analysis/key-term.js';
import { checked } from '../../support/program.js';
import { protocolsDir } from '../../support/protocol.js';

/** Each key as `relation (terms)`, with column numbers. */
function keys(result: DistributionResult): Record<string, string> {
  expect(result.violations).toEqual([]);
  return Object.fromEntries([...result.policy!.keys].map(([r, key]) => [r, printKey(key)]));
}

function ruleId(a: Analysis, label: string): number {
  const id = a.rules.findIndex((r) => r.label === label);
  if (id < 0) throw new Error(`no rule ${label}`);
  return id;
}

const pin = (entries: Record<string, KeyTerm[]>): DistributionOptions['pinned'] => new Map(Object.entries(entries));
const col = columnTerm;

const hashsetNext = hashCollisions;

/** The same with a `:-` rule into a persisted hashset. */
const hashsetNow = hashsetNext.replace('hashset(hash(v), v) :+ toStorage(v, _)', 'hashset(hash(v), v) :- toStorage(v, _)');

describe('the running example (hash collisions)', () => {
  for (const [name, source] of [
    ['`:+` into hashset', hashsetNext],
    ['`:-` into a persisted hashset', hashsetNow],
  ] as const) {
    it(`cannot be co-hashed (${name}): the violation names the rule and both atoms`, () => {
      const a = checked(source);
      const result = findDistribution(a, 'storage', { mode: 'co-hashing' });
      expect(result.policy).toBeUndefined();
      expect(result.violations).toHaveLength(1);
      const [v] = result.violations;
      expect(v!.precondition).toBe('co-hashing');
      expect(v!.rule).toBe(ruleId(a, 'collide'));
      expect(v!.message).toContain('`collide`');
      expect(v!.message).toContain('`toStorage(v1, _)`');
      expect(v!.message).toContain('`hashset(h, v2)`');
      expect(a.source.text.slice(v!.span!.start, v!.span!.end)).toBe('hashset(h, v2)');
      expect(v!.hint).toContain('dependencies');
    });

    it(`partitions with dependencies (${name}): toStorage by hash(val), hashset by its hash`, () => {
      const a = checked(source);
      const result = findDistribution(a, 'storage', { mode: 'dependencies' });
      expect(keys(result)).toEqual({ toStorage: '(hash(#0))', hashset: '(#0)', collisions: '(#1)' });
      expect(printPolicy(a, result.policy!)).toBe('collisions (#1)\nhashset (#0)\ntoStorage (hash(val))');
    });
  }

  it('accepts equivalent pinned keys under the FDs, and rejects a pinned key that splits the join', () => {
    const a = checked(hashsetNext);
    // hashset's FD #0 = hash(#1): keying it by hash(#1) is the same partitioning.
    const same = findDistribution(a, 'storage', { mode: 'dependencies', pinned: pin({ hashset: [callTerm('hash', [col(1)])] }) });
    expect(keys(same)).toEqual({ toStorage: '(hash(#0))', hashset: '(hash(#1))', collisions: '(#1)' });
    const bad = findDistribution(a, 'storage', { mode: 'dependencies', pinned: pin({ toStorage: [col(0)] }) });
    expect(bad.policy).toBeUndefined();
    expect(bad.violations.map((v) => v.precondition)).toEqual(['dependencies']);
    expect(bad.violations[0]!.message).toContain('pinned');
  });

  it('rejects a call in a pinned key under co-hashing', () => {
    const a = checked(hashsetNext);
    const result = findDistribution(a, 'storage', { mode: 'co-hashing', pinned: pin({ toStorage: [callTerm('hash', [col(0)])] }) });
    expect(result.policy).toBeUndefined();
    expect(result.violations.some((v) => v.relation === 'toStorage' && v.message.includes('co-hashing keys are columns'))).toBe(true);
  });
});

describe('a string and its upper-case form (FD through a relation)', () => {
  const source = `
    .input p(s: string)
    .input q(u: string)
    .input words(s: string)
    .output out
    r(s, upper(s)) :- words(s).
    join: out(s) :- p(s), r(s, u), q(u).
  `;

  it('cannot be co-hashed: p and q share no variable', () => {
    const a = checked(source);
    const result = findDistribution(a, 'test', { mode: 'co-hashing' });
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]!.rule).toBe(ruleId(a, 'join'));
    expect(result.violations[0]!.message).toMatch(/`p\(s\)` and `q\(u\)` share no key/);
  });

  it('partitions by the upper-case string with dependencies', () => {
    const a = checked(source);
    const result = findDistribution(a, 'test', { mode: 'dependencies' });
    expect(keys(result)).toEqual({ out: '(upper(#0))', p: '(upper(#0))', q: '(#0)', r: '(#1)', words: '(upper(#0))' });
  });
});

describe('voting', () => {
  const voting = () => checked(readFileSync(`${protocolsDir}voting.ded`, 'utf8'), 'voting.ded');

  it('partitions the participant, keying voteReq by any of its columns', () => {
    const a = voting();
    const found = findDistribution(a, 'participant', { mode: 'co-hashing' });
    // No statics, no outgoing channel: only voteReq.
    expect(keys(found)).toEqual({ voteReq: '(#0, #1, #2, #3)' });
    for (let i = 0; i < 4; i++) {
      const pinned = findDistribution(a, 'participant', { mode: 'co-hashing', pinned: pin({ voteReq: [col(i)] }) });
      expect(keys(pinned)).toEqual({ voteReq: `(#${i})` });
    }
  });

  it("partitions the leader's vote collection by (client, id)", () => {
    const a = voting();
    for (const mode of ['co-hashing', 'dependencies'] as const) {
      expect(keys(findDistribution(a, 'leader', { mode }))).toEqual({
        allVoted: '(#0, #1)',
        answered: '(#0, #1)',
        clientIn: '(#0, #1, #2)',
        numVotes: '(#1, #2)',
        vote: '(#1, #2)',
        votes: '(#1, #2)',
      });
    }
  });

  it('accepts the other correct choice, (id), when pinned', () => {
    const a = voting();
    const result = findDistribution(a, 'leader', { mode: 'co-hashing', pinned: pin({ vote: [col(2)] }) });
    expect(keys(result)).toMatchObject({ vote: '(#2)', votes: '(#2)', numVotes: '(#2)', allVoted: '(#1)', answered: '(#1)' });
  });

  it('rejects pinning the participant: numVotes counts across participants', () => {
    const a = voting();
    for (const pinned of [pin({ votes: [col(0)] }), pin({ vote: [col(0)] }), pin({ vote: [col(2), col(0)] })]) {
      const result = findDistribution(a, 'leader', { mode: 'co-hashing', pinned });
      expect(result.policy).toBeUndefined();
      expect(result.violations).toHaveLength(1);
      const [v] = result.violations;
      const numVotes = a.rules.findIndex((r) => r.rule.head.name === 'numVotes');
      expect(v!.rule).toBe(numVotes);
      expect(v!.message).toContain('grouped by (c, id, v)');
      expect(v!.message).toContain('the key p of `votes(p, c, id, v)`');
      expect(a.source.text.slice(v!.span!.start, v!.span!.end)).toBe('count(p)');
    }
  });

  it('rejects pinned keys that contradict each other', () => {
    const a = voting();
    const result = findDistribution(a, 'leader', { mode: 'co-hashing', pinned: pin({ vote: [col(1)], answered: [col(1)] }) });
    expect(result.policy).toBeUndefined();
    expect(result.violations[0]!.message).toContain('differ');
  });
});

describe('rules the policy must respect', () => {
  it('names the rule joining two relations that share no key and have no dependency', () => {
    const a = checked(`
      .input a(x: int, y: int)
      .input b(z: int, w: int)
      .output both
      .output solo
      solo(x) :- a(x, _).
      cross: both(x, z) :- a(x, _), b(z, _).
    `);
    for (const mode of ['co-hashing', 'dependencies'] as const) {
      const result = findDistribution(a, 'test', { mode });
      expect(result.policy).toBeUndefined();
      expect(result.violations).toHaveLength(1);
      const [v] = result.violations;
      expect(v!.precondition).toBe(mode);
      expect(v!.rule).toBe(ruleId(a, 'cross'));
      expect(v!.message).toContain('`a(x, _)` and `b(z, _)` share no key');
      expect(v!.hint).toContain(mode === 'co-hashing' ? '"policy": "dependencies"' : 'partial partitioning');
    }
  });

  it('keys an aggregate within its group-by', () => {
    const a = checked(`
      .input a(k: int, x: int)
      .output cnt
      cnt(count(x), k) :- a(k, x).
    `);
    expect(keys(findDistribution(a, 'test', { mode: 'co-hashing' }))).toEqual({ a: '(#0)', cnt: '(#1)' });
  });

  it('checks the group-by of an aggregate sent with `:~`, whose head imposes nothing else', () => {
    const a = checked(`
      .input a(k: int, x: int, d: addr)
      .async tally(k: int, n: int)
      role counter { tally@d(k, count(x)) :~ a(k, x, d). }
      role sink { .output seen
        seen(k, n) :- tally(k, n). }
    `);
    expect(keys(findDistribution(a, 'counter', { mode: 'co-hashing' }))).toEqual({ a: '(#0, #2)' });
  });

  it('co-locates negated atoms by an anti-join key, and rejects one whose key is unbound', () => {
    const a = checked(`
      .input a(x: int, y: int)
      .input b(y: int)
      .output keep
      keep(x, y) :- a(x, y), !b(y).
    `);
    expect(keys(findDistribution(a, 'test', { mode: 'co-hashing' }))).toEqual({ a: '(#1)', b: '(#0)', keep: '(#1)' });

    const unbound = checked(`
      .input a(x: int)
      .input b(z: int)
      .output keep
      empty: keep(x) :- a(x), !b(z).
    `);
    const result = findDistribution(unbound, 'test', { mode: 'dependencies' });
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]!.rule).toBe(ruleId(unbound, 'empty'));
    expect(result.violations[0]!.message).toContain('`!b(z)`');
  });

  it('lets `==` relate keys with dependencies only', () => {
    const a = checked(`
      .input a(x: int)
      .input b(y: int)
      .output o
      eq: o(x) :- a(x), b(y), (x == y).
    `);
    expect(findDistribution(a, 'test', { mode: 'co-hashing' }).violations[0]!.rule).toBe(ruleId(a, 'eq'));
    expect(keys(findDistribution(a, 'test', { mode: 'dependencies' }))).toEqual({ a: '(#0)', b: '(#0)', o: '(#0)' });
  });

  it('ignores the heads of `:~` rules, but co-locates their bodies; never keys statics, timers or sent channels', () => {
    const a = checked(`
      .input a(x: int, y: int)
      .input b(x: int, z: int)
      .async out(x: int, z: int)
      .static dest(d: addr)
      .timer tick 100ms
      role sender { send: out@d(x, z) :~ a(x, _), b(x, z), dest(d), tick(). }
      role receiver { .output got
        got(x, z) :- out(x, z). }
    `);
    expect(keys(findDistribution(a, 'sender', { mode: 'co-hashing' }))).toEqual({ a: '(#0)', b: '(#0)' });
  });

  it('rejects a role whose rule numbers facts with index()', () => {
    const a = checked(`
      .input a(x: int)
      .output numbered
      number: numbered(index(), x) :- a(x).
    `);
    const result = findDistribution(a, 'test', { mode: 'dependencies' });
    expect(result.policy).toBeUndefined();
    expect(result.violations.map((v) => v.rule)).toEqual([ruleId(a, 'number')]);
    expect(result.violations[0]!.message).toContain('index()');
  });

  it('rejects pins on relations the role does not partition, and empty pins', () => {
    const a = checked(`
      .input a(x: int)
      .static s(x: int)
      .output o
      o(x) :- a(x), s(x).
    `);
    const result = findDistribution(a, 'test', { mode: 'co-hashing', pinned: pin({ s: [col(0)], a: [] }) });
    expect(result.policy).toBeUndefined();
    expect(result.violations.map((v) => v.relation).sort()).toEqual(['a', 's']);
    expect(result.violations.find((v) => v.relation === 'a')!.message).toContain('empty key');
  });
});

describe('partial partitioning', () => {
  const source = `
    .input req(k: int, v: int)
    .input cfg(n: int, x: int)
    .persist conf
    .output answer
    conf(n, x) :+ cfg(n, x).
    look: answer(k, v, x) :- req(k, v), conf(1, x).
  `;

  it('fails when every relation is partitioned, naming the rule', () => {
    const a = checked(source);
    const result = findDistribution(a, 'test', { mode: 'dependencies' });
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]!.rule).toBe(ruleId(a, 'look'));
    expect(result.violations[0]!.hint).toContain('partial partitioning');
  });

  it('succeeds when the configuration is replicated; rules over replicated relations impose nothing', () => {
    const a = checked(source);
    const result = findDistribution(a, 'test', { mode: 'dependencies', relations: ['req', 'answer'] });
    expect(keys(result)).toEqual({ answer: '(#0, #1)', req: '(#0, #1)' });
  });

  it('partitions a transitive closure by its source once the edges are replicated', () => {
    const a = checked(`
      .input edge(a: int, b: int)
      .output path
      path(a, b) :- edge(a, b).
      path(a, c) :- path(a, b), edge(b, c).
    `);
    expect(findDistribution(a, 'test', { mode: 'dependencies' }).policy).toBeUndefined();
    expect(keys(findDistribution(a, 'test', { mode: 'dependencies', relations: ['path'] }))).toEqual({ path: '(#0)' });
  });

  it('reports a relation it cannot partition', () => {
    const a = checked(source);
    const result = findDistribution(a, 'test', { mode: 'co-hashing', relations: ['req', 'nothing'] });
    expect(result.violations.map((v) => v.relation)).toEqual(['nothing']);
  });
});
