// `dedc show plan` as a sample test: the plan of each protocol (base and rewritten) and of the
// samples under test/samples/plan/<case>/input.ded, compared with expected.txt (UPDATE=1
// rewrites it; read the diff). Beside the snapshots: every rule and relation of every role is
// printed, fixpoint rules with one delta variant per positive atom, and the text is stable.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import { lowerProgram } from '../../compiler/ir/lower.js';
import { printPlan, printRolePlan } from '../../compiler/ir/print-plan.js';
import { expectFile } from '../support/expected-file.js';
import { checked } from '../support/program.js';
import { rewriteFile } from '../support/rewrite.js';

const root = new URL('../samples/plan/', import.meta.url).pathname;
const protocols = new URL('../../protocols/', import.meta.url).pathname;

/** The program of a case: a protocol, a protocol rewritten by its plan, or a sample's input.ded. */
const cases: Record<string, () => Analysis> = {
  voting: () => checked(readFileSync(join(protocols, 'voting.ded'), 'utf8'), 'voting.ded'),
  '2pc': () => checked(readFileSync(join(protocols, '2pc.ded'), 'utf8'), '2pc.ded'),
  'voting-scalable': () => {
    const r = rewriteFile(join(protocols, 'voting.ded'), join(protocols, 'voting-scalable.plan.json'));
    if (!r.result.result) throw new Error(`the rewrite failed: ${r.codes.join('; ')}`);
    return r.result.result.analysis;
  },
};
for (const dir of existsSync(root) ? readdirSync(root).sort() : []) {
  const input = join(root, dir, 'input.ded');
  if (existsSync(input)) cases[dir] = () => checked(readFileSync(input, 'utf8'), `${dir}.ded`);
}

describe('plan samples', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const analysis = cases[name]!();
    const lowered = lowerProgram(analysis);
    expect(lowered.diagnostics).toEqual([]);
    const text = printPlan(lowered.plan);
    expectFile(text, join(root, name, 'expected.txt'));
    // Deterministic: lowering again prints the same text.
    expect(printPlan(lowerProgram(analysis).plan)).toBe(text);
  });
});

describe('printPlan', () => {
  it.each(Object.keys(cases))('%s: every rule and relation of every role appears', (name) => {
    const analysis = cases[name]!();
    const { plan } = lowerProgram(analysis);
    for (const role of analysis.roles) {
      const rp = plan.roles.find((r) => r.role === role.name)!;
      const text = printRolePlan(plan, rp);
      expect(text.startsWith(`role ${role.name}\n`)).toBe(true);
      const ruleLines = text.split('\n').filter((l) => l.startsWith('    rule '));
      expect(ruleLines).toHaveLength(role.rules.length);
      for (const id of role.rules) {
        const info = analysis.rules[id]!;
        const line = ruleLines.find((l) => l.startsWith(`    rule ${info.text.replace(/\s+/g, ' ').trim()}   [`));
        expect(line, info.text).toBeDefined();
      }
      for (const r of rp.relations) expect(text, r.name).toMatch(new RegExp(`^    ${r.name} +${r.storage} +${r.size}`, 'm'));
      // A rule run semi-naively has one variant per positive atom, each led by its delta atom.
      const fixpoint = rp.strata.flatMap((s) => s.fixpoint);
      const variants = text.split('\n').filter((l) => l.startsWith('      variant Δ '));
      expect(variants).toHaveLength(fixpoint.reduce((n, r) => n + r.atoms.length, 0));
    }
  });

  it('names index columns where the relation declares them, by number otherwise', () => {
    const { plan } = lowerProgram(cases['constructs']!());
    const text = printPlan(plan);
    expect(text).toMatch(/^ {4}edge +static +deployment +index 0 on \(from\), index 1 on \(to\)$/m);
    expect(text).toContain('lookup edge(x, 7)  by (7) on index 1  delta rows');
    const voting = printPlan(lowerProgram(cases['voting']!()).plan);
    expect(voting).toMatch(/^ {4}numVotes +transient +tick +index 0 on \(#0\)$/m);
  });
});
