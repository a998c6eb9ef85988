// `dedc build` as a process (the built CLI, dist/: run `npm run build` first): usage errors
// exit 2, problems in the program or with the directory exit 1 with their diagnostics, and
// never a stack trace.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedc } from '../support/run-cli.js';
import { tempDir } from '../support/build-dir.js';

const noStack = (r: { stderr: string; stdout: string }) => expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('dedc build (CLI)', () => {
  it('explains itself with --help', () => {
    const r = dedc(['build', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: dedc build/);
    expect(r.stdout).toMatch(/-o, --output <dir>/);
  });

  it('without -o: a usage error, exit 2', () => {
    const r = dedc(['build', 'protocols/voting.ded']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dedc build: missing -o DIR/);
    noStack(r);
  });

  it('bad -O and missing files: usage errors, exit 2', () => {
    const out = join(tempDir(), 'out');
    for (const args of [['-O', '7'], ['-O', 'fast'], ['--plan', 'no-such.plan.json'], ['--deploy', 'no-such.deploy.json']]) {
      const r = dedc(['build', 'protocols/voting.ded', '-o', out, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      noStack(r);
    }
    expect(dedc(['build', 'no-such.ded', '-o', out]).stderr).toMatch(/program not found: no-such\.ded/);
    expect(existsSync(out)).toBe(false);
  });

  it('-o naming a regular file: DED403, exit 1, the file untouched', () => {
    const file = join(tempDir(), 'taken');
    writeFileSync(file, 'keep me');
    const r = dedc(['build', 'protocols/voting.ded', '-o', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error[DED403]: cannot build into ${file}: it is a file, not a directory`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    noStack(r);
  });

  it('a program with a syntax error: its diagnostic, exit 1, nothing written', () => {
    const dir = tempDir();
    const program = join(dir, 'bad.ded');
    writeFileSync(program, 'role a {\n  x(v) :- y(v\n}\n');
    const r = dedc(['build', program, '-o', join(dir, 'out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[DED101\]/);
    expect(r.stderr).toContain(`--> ${program}:2:`);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    noStack(r);
  });

  it('a plan with errors: diagnostics against the plan, exit 1', () => {
    const dir = tempDir();
    const plan = join(dir, 'p.plan.json');
    writeFileSync(plan, '{"steps": [{"partition": "nobody", "partitions": 2, "policy": "auto"}]}');
    const r = dedc(['build', 'protocols/voting.ded', '--plan', plan, '-o', join(dir, 'out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[DED303\]/);
    expect(r.stderr).toContain(plan);
    noStack(r);
  });
});
