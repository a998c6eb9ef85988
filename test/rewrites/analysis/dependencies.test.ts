// Functional and co-partition dependencies (TR B.2.1): FDs from built-ins, variable sharing,
// predicates and inheritance through rules; the union and intersection steps across the rules
// deriving a relation, recursive rules included; and the CDs of a rule's body atoms.

import { hashCollisions } from './rule-sets.js';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../../compiler/analyze/analysis.js';
import {
  coPartitionDependencies,
  functionalDependencies,
  type RuleDependencies,
} from '../../../rewrites/analysis/dependencies.js';
import { callTerm, columnTerm, printKeyTerm } from '../../../rewrites/analysis/key-term.js';
import { checked } from '../../support/program.js';

/** The FDs of one relation, as `#i = term`, in the analysis' order. */
function fds(a: Analysis, relation: string): string[] {
  const all = functionalDependencies(a);
  return (all.get(relation) ?? []).map((fd) => `#${fd.column} = ${printKeyTerm(fd.term)}`);
}

function ruleId(a: Analysis, label: string): number {
  const id = a.rules.findIndex((r) => r.label === label);
  if (id < 0) throw new Error(`no rule ${label}`);
  return id;
}

describe('key terms', () => {
  it('print with column numbers or names', () => {
    const t = callTerm('hash', [columnTerm(0), callTerm('upper', [columnTerm(2)])]);
    expect(printKeyTerm(t)).toBe('hash(#0, upper(#2))');
    expect(printKeyTerm(t, ['val', 'sig', 'name'])).toBe('hash(val, upper(name))');
    expect(printKeyTerm(columnTerm(1), ['a'])).toBe('#1');
  });
});

describe('functional dependencies', () => {
  it('finds a string and its upper-case form, and a value and its hash (built-ins)', () => {
    const a = checked(`
      .input words(s: string)
      .input nums(n: int)
      .output w
      .output h
      .output pair
      w(s, upper(s)) :- words(s).
      h(hash(n), n) :- nums(n).
      pair(x, y, hash(x, y)) :- nums(x), nums(y).
    `);
    expect(fds(a, 'w')).toEqual(['#1 = upper(#0)']);
    expect(fds(a, 'h')).toEqual(['#0 = hash(#1)']);
    expect(fds(a, 'pair')).toEqual(['#2 = hash(#0, #1)']);
    // Inputs from clients have none.
    expect(fds(a, 'words')).toEqual([]);
  });

  it('reads `rounds(v, n)` as a function of both arguments, like the other built-ins', () => {
    const a = checked(`
      .input req(v: string, n: int)
      .static work(n: int)
      .output signed
      .output fixed
      signed(v, n, rounds(v, n)) :- req(v, n).
      fixed(rounds(v, k), v) :- req(v, _), work(k).
    `);
    expect(fds(a, 'signed')).toEqual(['#2 = rounds(#0, #1)']);
    // The count comes from a static that is not a column: no FD over the columns alone.
    expect(fds(a, 'fixed')).toEqual([]);
  });

  it('finds identities from a variable used twice in a head, and nothing for distinct variables', () => {
    const a = checked(`
      .input in(x: int, y: int)
      .output t
      t(x, x, y) :- in(x, y).
    `);
    expect(fds(a, 't')).toEqual(['#0 = #1', '#1 = #0']);
  });

  it('reads `==` predicates as equalities, and inherits FDs through rules (transitive closure)', () => {
    const a = checked(`
      .input in(v: string)
      .input other(h: int, w: int)
      .output twice
      .output moved
      s(v, hash(v)) :- in(v).
      p(v, h) :- in(v), other(h, _), (h == hash(v)).
      moved(h, v, w) :- s(v, h), other(_, w).
      twice(v, g) :- p(v, h), other(g, _), (g == hash(h)).
    `);
    expect(fds(a, 's')).toEqual(['#1 = hash(#0)']);
    expect(fds(a, 'p')).toEqual(['#1 = hash(#0)']);
    // Attribute-variable substitution on s, variable-attribute substitution onto moved.
    expect(fds(a, 'moved')).toEqual(['#0 = hash(#1)']);
    // hash(h) with h = hash(v): composed.
    expect(fds(a, 'twice')).toEqual(['#1 = hash(hash(#0))']);
  });

  it('plugs constants into FDs (two hashes of the same constant are equal)', () => {
    const a = checked(`
      .input in(v: int)
      .output k
      s(v, hash(v)) :- in(v).
      k(h1, h2) :- s(5, h1), s(5, h2).
    `);
    expect(fds(a, 'k')).toEqual(['#0 = #1', '#1 = #0']);
  });

  it('gives aggregate columns no FD, but keeps those among the group-by arguments', () => {
    const a = checked(`
      .input in(k: string, x: int)
      .output cnt
      cnt(count(x), upper(k), k) :- in(k, x).
    `);
    expect(fds(a, 'cnt')).toEqual(['#1 = upper(#2)']);
  });

  it('keeps only the FDs every rule deriving a relation gives (intersection across rules)', () => {
    const a = checked(`
      .input a(v: string)
      .input b(v: string, w: string)
      .input c(v: string, w: string)
      .output both
      .output broken
      both(v, upper(v), v) :- a(v).
      both(v, upper(v), w) :- b(v, w).
      broken(v, upper(v)) :- a(v).
      broken(v, w) :- c(v, w).
    `);
    // The first rule alone also gives #0 = #2; the second does not.
    expect(fds(a, 'both')).toEqual(['#1 = upper(#0)']);
    expect(fds(a, 'broken')).toEqual([]);
  });

  it('collects a channel FDs from the `:~` rules of other roles', () => {
    const a = checked(`
      .input in(v: string)
      .async ch(v: string, h: int)
      .output seen
      role sender { ch@1(v, hash(v)) :~ in(v). }
      role receiver { seen(h, v) :- ch(v, h). }
    `);
    expect(fds(a, 'ch')).toEqual(['#1 = hash(#0)']);
    expect(fds(a, 'seen')).toEqual(['#0 = hash(#1)']);
  });

  it('keeps an FD through recursion when every rule preserves it, with or without `.persist`', () => {
    const a = checked(`
      .input in(x: int)
      .input edge(a: int, b: int)
      .persist kept
      .output kept
      .output reach
      .output loop
      r(x, hash(x)) :- in(x).
      r(x, h) :+ r(x, h).
      r(h, hash(h)) :+ r(_, h).
      kept(x, hash(x)) :- in(x).
      reach(x, hash(x)) :- in(x).
      reach(y, hash(y)) :- reach(x, _), edge(x, y).
      loop(x, h) :- r(x, h).
    `);
    expect(fds(a, 'r')).toEqual(['#1 = hash(#0)']);
    expect(fds(a, 'kept')).toEqual(['#1 = hash(#0)']);
    expect(fds(a, 'reach')).toEqual(['#1 = hash(#0)']);
    expect(fds(a, 'loop')).toEqual(['#1 = hash(#0)']);
  });

  it('drops an FD that one recursive rule breaks, and terminates on ever-deeper terms', () => {
    const a = checked(`
      .input in(x: int)
      .output path
      .output s
      .output r
      edge(a, hash(a)) :- in(a).
      path(a, b) :- edge(a, b).
      path(a, c) :- path(a, b), edge(b, c).
      s(x, x) :- in(x).
      s(x, hash(y)) :- s(x, y).
      r(x, hash(x)) :- in(x).
      r(x, y) :+ r(x, _), in(y).
    `);
    expect(fds(a, 'edge')).toEqual(['#1 = hash(#0)']);
    // path(a, hash(hash(a))) exists: the recursive rule does not give #1 = hash(#0).
    expect(fds(a, 'path')).toEqual([]);
    // s holds (x, x), (x, hash(x)), (x, hash(hash(x))), ...: the union step grows terms until
    // the depth bound, the intersection step removes them all.
    expect(fds(a, 's')).toEqual([]);
    expect(fds(a, 'r')).toEqual([]);
  });

  it('gives statics, inputs and timers none', () => {
    const a = checked(`
      .static st(x: int, y: int)
      .input in(x: int, y: int)
      .timer tick 100ms
      .output o
      in(x, x) :+ in(x, _).
      o(x, y) :- st(x, y), in(x, _), tick().
    `);
    expect(fds(a, 'st')).toEqual([]);
    expect(fds(a, 'in')).toEqual([]);
    expect(fds(a, 'tick')).toEqual([]);
    expect(fds(a, 'o')).toEqual([]);
  });
});

describe('co-partition dependencies', () => {
  const source = hashCollisions;

  /** CDs of a rule as `to.column = term(from)`, atoms named by relation. */
  function list(deps: RuleDependencies): string[] {
    const name = (x: number | 'head') => (x === 'head' ? `head ${deps.head.relation}` : deps.atoms[x]!.relation);
    return deps.dependencies.map((d) => `${name(d.to)}.#${d.column} = ${printKeyTerm(d.term)} of ${name(d.from)}`);
  }

  it('relate the columns of joined atoms through a function and through the FD of hashset', () => {
    const a = checked(source);
    const [deps] = coPartitionDependencies(a, [ruleId(a, 'collide')]);
    const cds = list(deps!);
    expect(cds).toContain('hashset.#0 = hash(#0) of toStorage');
    // Through hashset's FD #0 = hash(#1).
    expect(cds).toContain('head collisions.#1 = hash(#1) of hashset');
    expect(cds).toContain('head collisions.#1 = #0 of hashset');
    expect(cds).toContain('head collisions.#0 = #1 of hashset');
    // Nothing relates the signature to anything.
    expect(cds.filter((c) => c.startsWith('toStorage.#1'))).toEqual([]);
    // The classes say the same: toStorage's value hashes to hashset's first column.
    const [ts, hs] = deps!.atoms;
    const call = deps!.calls.find((c) => c.fn === 'hash' && c.args[0] === ts!.columns[0]);
    expect(call?.result).toBe(hs!.columns[0]);
  });

  it('are only shared variables under co-hashing', () => {
    const a = checked(source);
    const [deps] = coPartitionDependencies(a, [ruleId(a, 'collide')], { mode: 'co-hashing' });
    const cds = list(deps!);
    expect(cds.filter((c) => c.includes('toStorage'))).toEqual([]);
    expect(cds).toContain('head collisions.#1 = #0 of hashset');
    expect(cds.every((c) => !c.includes('hash('))).toBe(true);
  });

  it('do not use the FDs of negated atoms, nor bind their unbound variables', () => {
    const a = checked(`
      .input in(v: string)
      .input other(v: string, z: int)
      .input ints(x: int, y: int)
      .output o
      h(v, hash(v)) :- in(v).
      e(x, y) :- ints(x, y).
      neg: o(v) :- other(v, z), !h(v, z), !e(z2, z2).
    `);
    const [deps] = coPartitionDependencies(a, [ruleId(a, 'neg')]);
    const [other, h1, h2] = deps!.atoms;
    expect(h1!.negated).toBe(true);
    expect(h1!.columns[0]).toBe(other!.columns[0]);
    expect(h1!.columns[1]).toBe(other!.columns[1]);
    // h's FD would make z = hash(v) if h were positive; negated, it says nothing.
    expect(deps!.calls.filter((c) => c.result === other!.columns[1])).toEqual([]);
    expect(list(deps!)).not.toContain('h.#1 = hash(#0) of other');
    // z2 is bound nowhere: local to its atom (both columns equal), unrelated to the rest.
    expect(h2!.columns[0]).toBe(h2!.columns[1]);
    expect(other!.columns).not.toContain(h2!.columns[0]);
  });
});
