import { describe, expect, test } from 'vitest';
import { independenceViolations, mutualIndependenceViolations } from '../../../rewrites/analysis/independence.js';
import { checked } from '../../support/program.js';
import { labelled, protocol, rest, textAt } from './rule-sets.js';

// a -> mid -> b: `b` depends on `a`.
const pipeline = `
.input in(x: int)
.output out(x: int)
.output other(x: int)
.static self(a: addr)
role r {
  a: mid(x) :- in(x).
  b: out(x) :- mid(x).
  c: other(x) :- in(x), self(_).
  d: out(x) :- in(x), !mid(x).
}
`;

describe('independence', () => {
  test("voting: the leader's broadcast and its vote collection are mutually independent", () => {
    const a = protocol('voting');
    const broadcast = labelled(a, 'broadcast');
    const collection = rest(a, 'leader', broadcast);
    expect(collection).toHaveLength(6);
    expect(mutualIndependenceViolations(a, broadcast, collection)).toEqual([]);
    expect(mutualIndependenceViolations(a, collection, broadcast)).toEqual([]);
    expect(independenceViolations(a, broadcast, collection)).toEqual([]);
    expect(independenceViolations(a, collection, broadcast)).toEqual([]);
  });

  test('fails when C1 reads a relation that C2 derives; the converse holds', () => {
    const a = checked(pipeline);
    const [c1, c2] = [labelled(a, 'b'), labelled(a, 'a')];
    const v = independenceViolations(a, c1, c2);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ precondition: 'independence', rule: c1[0], relation: 'mid' });
    expect(v[0]!.message).toContain('rule `b` reads `mid`, which the other rule set derives (rule `a`)');
    expect(textAt(a, v[0]!.span)).toBe('mid(x)');
    // C2 = {a} reads only `in`, and C1 = {b} derives nothing `a` reads: a is independent of b.
    expect(independenceViolations(a, c2, c1)).toEqual([]);
  });

  test('a negated read is a reference too, and the span covers the negation', () => {
    const a = checked(pipeline);
    const v = independenceViolations(a, labelled(a, 'd'), labelled(a, 'a'));
    // `d` reads `in` (which `a` reads too) and `mid` (which `a` derives).
    expect(v.map((x) => [x.relation, textAt(a, x.span)])).toEqual([
      ['in', 'in(x)'],
      ['mid', '!mid(x)'],
    ]);
  });

  test('a relation C2 both derives and reads is reported once, as derived', () => {
    const a = checked(`
.input in(x: int)
.output out(x: int)
role r {
  a: mid(x) :- in(x).
  keep: mid(x) :+ mid(x).
  b: out(x) :- mid(x).
}
`);
    const v = independenceViolations(a, labelled(a, 'b'), labelled(a, 'a', 'keep'));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ relation: 'mid' });
    expect(v[0]!.message).toMatch(/derives \(rule `a`\), and reads too$/);
  });

  test('fails when both read the same relation, even one received from outside; statics do not count', () => {
    const a = checked(pipeline);
    // `a` and `c` both read the input `in`; `c` also reads the static `self`, which is no reference.
    const v = independenceViolations(a, labelled(a, 'c'), labelled(a, 'a'));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ precondition: 'independence', relation: 'in', rule: labelled(a, 'c')[0] });
    expect(v[0]!.message).toContain('which the other rule set reads too (rule `a`)');
    // Mutual independence reports the shared relation once, not from both sides.
    const m = mutualIndependenceViolations(a, labelled(a, 'c'), labelled(a, 'a'));
    expect(m.map((x) => [x.precondition, x.relation, x.rule])).toEqual([['mutual-independence', 'in', labelled(a, 'c')[0]]]);
  });

  test('mutual independence also fails when C2 depends on C1', () => {
    const a = checked(pipeline);
    const [c1, c2] = [labelled(a, 'a'), labelled(a, 'b')];
    expect(independenceViolations(a, c1, c2)).toEqual([]);
    const m = mutualIndependenceViolations(a, c1, c2);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ precondition: 'mutual-independence', relation: 'mid', rule: c2[0] });
  });

  test('mutual independence: a relation C1 derives and both read is reported once, from its reader in C2', () => {
    const a = checked(pipeline);
    const c1 = labelled(a, 'a', 'd'); // derives `mid`, and `d` reads it
    const c2 = labelled(a, 'b'); // reads `mid`
    // Plain independence of C1 fails by (a): both reference `mid`.
    expect(independenceViolations(a, c1, c2).map((v) => v.relation)).toEqual(['mid']);
    const m = mutualIndependenceViolations(a, c1, c2);
    expect(m.map((v) => [v.relation, v.rule])).toEqual([['mid', c2[0]]]);
    expect(m[0]!.message).toContain('which the other rule set derives (rule `a`)');
  });

  test('two rule sets that only derive the same relation are mutually independent', () => {
    const a = checked(`
.input in1(x: int)
.input in2(x: int)
.output out(x: int)
role r {
  x: out(x) :- in1(x).
  y: out(x) :- in2(x).
}
`);
    // `out` is an output of both; neither references it.
    expect(mutualIndependenceViolations(a, labelled(a, 'x'), labelled(a, 'y'))).toEqual([]);
  });
});
