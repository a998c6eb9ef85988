// `dedc profile`, `dedc sim --engine wasm` and `dedc show plan|assembly` as a user runs them
// (the built CLI, dist/: run `npm run build` first). The Wasm runs compile every role; with
// DEDC_CACHE_DIR set (vitest.config.ts) each module is compiled once across these tests.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedc } from '../support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'dedc-profile-'));
const file = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};
const noStack = (r: { stderr: string; stdout: string }) => expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+/);

/** A relation one column wider than the Wasm back end takes: lowering fails with DED401. */
const wide = () => {
  const cols = Array.from({ length: 63 }, (_, i) => `c${i}: int`).join(', ');
  const vars = Array.from({ length: 63 }, (_, i) => `x${i}`).join(', ');
  return file('wide.ded', `.input wide(${cols})\n.output out(${cols})\n\nrole r {\n  out(${vars}) :- wide(${vars}).\n}\n`);
};

interface ProfileJson {
  seed: number;
  runs: number;
  requests: number;
  replies: number;
  totalMs: number;
  rules: { rank: number; role: string; label?: string; text: string; evaluation: string; tuplesIn: number; tuplesOut: number; ms: number; share: number }[];
  roles: { role: string; nodes: number; ticks: number; rules: number; tuplesIn: number; tuplesOut: number; ms: number; share: number }[];
}

describe('dedc profile', () => {
  it('prints the rules of both roles, hottest first, with the run and per-role totals', () => {
    const r = dedc(['profile', 'protocols/voting.ded', '--top', '100', '--runs', '1']);
    expect(r.stderr).toContain('compiling 2 roles');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dedc profile protocols\/voting\.ded with protocols\/voting\.deploy\.json \(seed 1\)\n/);
    expect(r.stdout).toMatch(/run: quiescent at .* simulated; 30 requests sent, 30 completed; ticks leader \d+, participant \d+/);
    expect(r.stdout).toContain('hottest 8 of 8 rules');
    expect(r.stdout).toMatch(/rank +role +rule +eval +tuples in +tuples out +ms +share/);
    const rows = r.stdout.split('\n').filter((l) => /^ +\d+ {2}(leader|participant) /.test(l));
    expect(rows).toHaveLength(8);
    expect(rows.map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const row = (rule: string) => rows.find((l) => l.includes(rule));
    // The leader receives 90 votes (3 participants x 30 commands) and counts them.
    expect(row('votes(p, c, id, v) :- vote(p, c, id, v).')).toMatch(/per-tick +90 +90 /);
    expect(row('numVotes(count(p), c, id, v) :- votes(p, c, id, v).')).toMatch(/once +[1-9]\d* +[1-9]\d* /);
    expect(row('castVote')).toMatch(/^ +\d+ {2}participant +castVote +async +[1-9]\d* +90 /);
    expect(r.stdout).toMatch(/^ +leader +1 +\d+ +7 /m);
    expect(r.stdout).toMatch(/^ +participant +3 +\d+ +1 /m);
    expect(r.stdout).toMatch(/^ +total +4 +\d+ +8 .*100\.0%$/m);
  });

  it('--json: the same profile as JSON, limited by --top', () => {
    const r = dedc(['profile', 'protocols/voting.ded', '--json', '--top', '3', '--seed', '2', '--runs', '2']);
    expect(r.status, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as ProfileJson;
    expect(p).toMatchObject({ seed: 2, runs: 2, requests: 30, replies: 30 });
    expect(p.rules.map((x) => x.rank)).toEqual([1, 2, 3]);
    for (let i = 1; i < p.rules.length; i++) expect(p.rules[i]!.ms).toBeLessThanOrEqual(p.rules[i - 1]!.ms);
    expect(p.roles.map((x) => [x.role, x.nodes, x.rules])).toEqual([
      ['leader', 1, 7],
      ['participant', 3, 1],
    ]);
    expect(p.roles.reduce((t, x) => t + x.share, 0)).toBeCloseTo(1, 6);
    expect(p.roles[0]!.tuplesIn).toBeGreaterThan(0);
  });

  it('--plan profiles the rewritten program', () => {
    const r = dedc(['profile', 'protocols/voting.ded', '--plan', 'protocols/voting-scalable.plan.json', '--json', '--top', '100', '--runs', '1']);
    expect(r.status, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as ProfileJson;
    expect(p.roles.map((x) => x.role).sort()).toEqual(['broadcaster', 'collector', 'leader', 'participant']);
    expect(p.replies).toBe(30);
    const collector = p.rules.find((x) => x.role === 'collector' && x.text.startsWith('votes(p, c, id, v) :- vote('));
    expect(collector?.tuplesIn).toBe(90);
  });

  it('a program with errors: exit 1 with the diagnostics, also those of the back end (DED401)', () => {
    const bad = dedc(['profile', file('bad.ded', 'role r {\n  a(x) :- b(y).\n}\n')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('error[DED205]');
    expect(bad.stdout).toBe('');
    noStack(bad);
    const tooWide = dedc(['profile', wide()]);
    expect(tooWide.status).toBe(1);
    expect(tooWide.stderr).toContain('error[DED401]: relation `out` has 63 columns');
    noStack(tooWide);
  });

  it('usage errors exit 2', () => {
    for (const args of [['--top', '0'], ['--seed', 'x'], ['--runs', '0'], ['--plan', 'no-such.plan.json']]) {
      const r = dedc(['profile', 'protocols/voting.ded', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      noStack(r);
    }
  });
});

describe('dedc sim --engine', () => {
  it('wasm prints the same run as interp', () => {
    const interp = dedc(['sim', 'protocols/voting.ded', '--engine', 'interp']);
    const wasm = dedc(['sim', 'protocols/voting.ded', '--engine', 'wasm']);
    expect(interp.status).toBe(0);
    expect(wasm.status, wasm.stderr).toBe(0);
    expect(wasm.stderr).toContain('compiling 2 roles to WebAssembly');
    expect(wasm.stdout).toContain('commands   30 sent, 30 replied');
    expect(wasm.stdout).toBe(interp.stdout);
    expect(interp.stdout).toBe(dedc(['sim', 'protocols/voting.ded']).stdout);
  });

  it('an unknown engine is a usage error; a program the back end cannot take exits 1', () => {
    const r = dedc(['sim', 'protocols/voting.ded', '--engine', 'jit']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--engine is interp or wasm, not "jit"');
    const tooWide = dedc(['sim', '--engine', 'wasm', wide()]);
    expect(tooWide.status).toBe(1);
    expect(tooWide.stderr).toContain('error[DED401]');
    noStack(tooWide);
  });
});

describe('dedc show plan|assembly', () => {
  it('plan: every role, or one with --role; rewritten with --plan', () => {
    const all = dedc(['show', 'plan', 'protocols/voting.ded']);
    expect(all.status).toBe(0);
    expect(all.stdout).toMatch(/^role leader\n {2}relations\n/);
    expect(all.stdout).toContain('\nrole participant\n');
    expect(all.stdout).toContain('      variant Δ numVotes:\n        scan numVotes(n, c, id, v)  delta rows\n');
    const one = dedc(['show', 'plan', 'protocols/voting.ded', '--role', 'participant']);
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^role participant\n/);
    expect(one.stdout).not.toContain('role leader');
    const rewritten = dedc(['show', 'plan', 'protocols/voting.ded', '--plan', 'protocols/voting-scalable.plan.json', '--role', 'collector']);
    expect(rewritten.status, rewritten.stderr).toBe(0);
    expect(rewritten.stdout).toMatch(/^role collector\n/);
  });

  it('assembly: one role, with each rule above its kernel', () => {
    const r = dedc(['show', 'assembly', 'protocols/voting.ded', '--role', 'leader']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ dedc: generated AssemblyScript for role `leader`/);
    expect(r.stdout).toContain('// reply: clientOut@c(id, v) :~ allVoted(c, id, v).');
  });

  it('a bad or missing --role is a usage error that lists the roles', () => {
    for (const args of [['plan', 'protocols/voting.ded', '--role', 'nobody'], ['assembly', 'protocols/voting.ded', '--role', 'nobody'], ['assembly', 'protocols/voting.ded']]) {
      const r = dedc(['show', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain('leader, participant');
      expect(r.stdout).toBe('');
      noStack(r);
    }
  });

  it('a program the back end cannot take: exit 1 with DED401', () => {
    const r = dedc(['show', 'plan', wide()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[DED401]');
  });
});
