// Bad plans give diagnostics with a code and a place, never an exception: malformed JSON,
// unknown settings, roles, rules and relations, a taken role name, a step that no longer
// applies after an earlier one, and rewrites that cannot be routed.

import { describe, expect, it } from 'vitest';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import { SourceFile } from '../../compiler/source.js';
import { readPlan } from '../../rewrites/plan/read-plan.js';
import { rewriteFile } from '../support/rewrite.js';

const VOTING = 'protocols/voting.ded';

describe('malformed plan files', () => {
  const cases: [string, string, string][] = [
    ['not JSON', '{"steps": [', 'DED301'],
    ['empty', '', 'DED301'],
    ['unknown top-level key', '{"stepz": []}', 'DED302'],
    ['a step of no kind', '{"steps": [{"to": "x"}]}', 'DED302'],
    ['an unknown decoupling kind', '{"steps": [{"decouple": "leader", "rules": ["broadcast"], "to": "b", "kind": "magic"}]}', 'DED302'],
    ['a partition count of zero', '{"steps": [{"partition": "participant", "partitions": 0}]}', 'DED302'],
    ['a name that is not an identifier', '{"steps": [{"decouple": "leader", "rules": ["broadcast"], "to": "new role"}]}', 'DED302'],
    ['sealing on a co-hashing step', '{"steps": [{"partition": "participant", "policy": "co-hashing", "sealing": true}]}', 'DED302'],
  ];
  for (const [what, text, code] of cases) {
    it(`${what}: ${code} with a caret`, () => {
      const source = new SourceFile('bad.plan.json', text);
      const read = readPlan(source);
      expect(read.plan).toBeUndefined();
      expect(read.diagnostics.map((d) => d.code)).toContain(code);
      expect(renderDiagnostics(read.diagnostics, source, { color: false })).toMatch(/bad\.plan\.json:\d+:\d+/);
    });
  }
});

describe('plans that do not fit the program', () => {
  const cases: [string, object[], string][] = [
    ['unknown role', [{ decouple: 'leadr', rules: ['broadcast'], to: 'b' }], 'DED303'],
    ['unknown rule label', [{ decouple: 'leader', rules: ['broadcst'], to: 'b' }], 'DED304'],
    ['a rule of another role', [{ decouple: 'leader', rules: ['castVote'], to: 'b' }], 'DED304'],
    ['unknown relation', [{ decouple: 'leader', relations: ['vots'], to: 'b' }], 'DED304'],
    ['a new role name that is taken', [{ decouple: 'leader', rules: ['broadcast'], to: 'participant' }], 'DED305'],
    [
      'a step that no longer applies: the rule moved in step 1',
      [
        { decouple: 'leader', rules: ['broadcast'], to: 'broadcaster', kind: 'functional' },
        { decouple: 'leader', rules: ['broadcast'], to: 'other', kind: 'functional' },
      ],
      'DED304',
    ],
    ['partitioning the role clients write to', [{ partition: 'leader', partitions: 2 }], 'DED317'],
    ['a pinned key on a column that does not exist', [{ partition: 'participant', keys: { voteReq: ['nope'] } }], 'DED304'],
    ['partial partitioning with nothing to replicate', [{ partition: 'participant', policy: 'partial' }], 'DED302'],
    ['partial partitioning replicating a relation the role does not have', [{ partition: 'participant', policy: 'partial', replicate: ['votes'] }], 'DED304'],
    ['a coordinator named like an existing role', [{ partition: 'participant', policy: 'partial', replicate: ['voteReq'], coordinator: 'leader' }], 'DED305'],
  ];
  for (const [what, steps, code] of cases) {
    it(`${what}: ${code}`, () => {
      const r = rewriteFile(VOTING, { steps });
      expect(r.result.result).toBeUndefined();
      expect(r.codes.map((c) => c.slice(0, 6))).toContain(code);
      for (const p of r.result.problems) {
        expect(p.diagnostic.span).toBeDefined();
        expect(renderDiagnostics([p.diagnostic], p.source, { color: false })).toMatch(/\^/);
      }
    });
  }

  it('a later step names the rule where it now is', () => {
    const r = rewriteFile(VOTING, {
      steps: [
        { decouple: 'leader', rules: ['broadcast'], to: 'broadcaster', kind: 'functional' },
        { decouple: 'leader', rules: ['broadcast'], to: 'other', kind: 'functional' },
      ],
    });
    expect(r.codes.join('\n')).toContain('rule `broadcast` belongs to role `broadcaster`, not `leader`');
  });
});
