// The `dedc` command line as a user meets it: help on every command, exit codes (0 ok,
// 1 diagnostics, 2 usage), clear messages for bad files and arguments, no stack traces.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedc } from '../support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'dedc-cli-'));
const file = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};
const noStack = (r: { stderr: string; stdout: string }) => expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('dedc', () => {
  it.each(['', 'check', 'fmt', 'show', 'sim', 'analyze', 'rewrite', 'verify', 'build', 'node', 'profile'])('dedc %s --help explains itself and exits 0', (cmd) => {
    const r = dedc([...(cmd ? [cmd] : []), '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: dedc/);
  });

  it('prints its version', () => {
    const r = dedc(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('rejects unknown commands and options with exit 2', () => {
    for (const args of [['frobnicate'], ['check', '--frob', 'protocols/voting.ded'], ['check'], ['show', 'tokens', 'protocols/voting.ded']]) {
      const r = dedc(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0);
      noStack(r);
    }
  });

  it('check: exit 0 on the protocols, 1 with every diagnostic on a broken file, 2 on a missing file', () => {
    const ok = dedc(['check', 'protocols/voting.ded', 'protocols/2pc.ded']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('protocols/2pc.ded: ok');
    const bad = file('bad.ded', 'a(x) :- b(x\nc(y) :- d(y)).\n');
    const r = dedc(['check', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[DED101\]/);
    expect(r.stderr).toMatch(/ --> .*bad\.ded:1:\d+/);
    expect(r.stderr).toMatch(/\^/);
    const missing = dedc(['check', join(tmp, 'nope.ded')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('not found');
    noStack(missing);
  });

  it('check --json gives machine-readable diagnostics', () => {
    const bad = file('json.ded', '.input in(x: int)\nout(y) :- in(x).\n');
    const r = dedc(['check', '--json', bad]);
    expect(r.status).toBe(1);
    const ds = JSON.parse(r.stdout) as { code: string; start: { line: number; column: number } }[];
    expect(ds.map((d) => d.code)).toContain('DED205');
    expect(ds.find((d) => d.code === 'DED205')!.start).toEqual({ line: 2, column: 5 });
  });

  it('reads standard input for -', () => {
    const r = dedc(['check', '-'], { input: '.input in(x: int)\n.output out(x: int)\nout(x) :- in(x).\n' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<stdin>: ok');
  });

  it('fmt: prints canonical text, --check fails on unformatted files, --write fixes them', () => {
    const messy = file('messy.ded', '.input in(x:int) # in\nout(x):-in(x)\n.output out(x:int)\n');
    const printed = dedc(['fmt', messy]);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toBe('.input in(x: int) # in\nout(x) :- in(x).\n.output out(x: int)\n');
    expect(dedc(['fmt', '--check', messy]).status).toBe(1);
    expect(dedc(['fmt', '--write', messy]).status).toBe(0);
    expect(dedc(['fmt', '--check', messy]).status).toBe(0);
    expect(dedc(['fmt', '--check', 'protocols/voting.ded', 'protocols/2pc.ded']).status).toBe(0);
    expect(dedc(['fmt', '--check', '--write', messy]).status).toBe(2);
  });

  it('show ast, analysis and cluster', () => {
    const ast = dedc(['show', 'ast', '--spans', 'protocols/voting.ded']);
    expect(ast.status).toBe(0);
    expect(ast.stdout).toMatch(/^program\n/);
    expect(ast.stdout).toMatch(/rule :~ label=broadcast \[\d+:\d+-\d+:\d+\]/);
    const analysis = dedc(['show', 'analysis', 'protocols/2pc.ded']);
    expect(analysis.status).toBe(0);
    expect(analysis.stdout).toContain('voteReq: coordinator -> participant');
    const cluster = dedc(['show', 'cluster', 'protocols/voting.ded']);
    expect(cluster.status).toBe(0);
    expect(cluster.stdout).toContain('participant[2]  address 4');
    expect(cluster.stdout).toContain('static participants(participant[0])');
  });

  it('sim: runs the default deployment and prints a summary', () => {
    const r = dedc(['sim', 'protocols/voting.ded', '--clients', '2', '--requests', '3']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('commands   6 sent, 6 replied');
    const many = dedc(['sim', 'protocols/2pc.ded', '--seeds', '3', '--requests', '2']);
    expect(many.status).toBe(0);
    expect(many.stdout.trim().split('\n')).toHaveLength(3);
    const trace = dedc(['sim', 'protocols/voting.ded', '--trace', '--clients', '1', '--requests', '1']);
    expect(trace.stdout).toMatch(/client\[0\] -> leader\[0\]\s+clientIn\(client\[0\], 1, "cmd-0-1"\)/);
  });

  it('sim: the same seed prints the same run', () => {
    const a = dedc(['sim', 'protocols/2pc.ded', '--seed', '11', '--trace', '--requests', '3']);
    const b = dedc(['sim', 'protocols/2pc.ded', '--seed', '11', '--trace', '--requests', '3']);
    expect(a.stdout).toBe(b.stdout);
  });

  it('sim: bad arguments are usage errors (exit 2) with a clear message', () => {
    for (const [args, text] of [
      [['--seed', 'abc'], '--seed must be a whole number'],
      [['--drop', '2'], '--drop must be a probability'],
      [['--delay', '5ms..1ms'], '--delay must be a duration or a range'],
      [['--until', 'forever'], '--until must be a duration'],
      [['--batching', 'sometimes'], '--batching is "message" or "tick"'],
      [['--clients', '-1'], '--clients must be a whole number'],
      [['--deploy', join(tmp, 'missing.json')], 'deployment file not found'],
    ] as const) {
      const r = dedc(['sim', 'protocols/voting.ded', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(text);
      noStack(r);
    }
  });

  it('sim: a malformed deployment file gives located diagnostics and exit 1', () => {
    const cases: [string, string][] = [
      ['{ "roles": { "leader": 1, ', 'DED601'],
      ['{ "roles": { "leadr": 1 } }', 'DED603'],
      ['{ "rolez": {} }', 'DED602'],
      ['{ "statics": { "participants": [[1, 2]] } }', 'DED605'],
      ['{ "statics": { "participants": [["x"]] } }', 'DED606'],
      ['{ "sim": { "delay": "fast" } }', 'DED607'],
      ['{ "sim": { "faults": [{ "crash": "participant[7]", "at": "1ms" }] } }', 'DED608'],
      ['{ "clients": { "target": "leader", "input": "vote", "row": [], "reply": { "relation": "clientOut", "seqColumn": 0 } } }', 'DED610'],
    ];
    for (const [text, code] of cases) {
      const deploy = file('d.deploy.json', text);
      const r = dedc(['sim', 'protocols/voting.ded', '--deploy', deploy]);
      expect(r.status, text).toBe(1);
      expect(r.stderr, text).toContain(`[${code}]`);
      expect(r.stderr, text).toMatch(/d\.deploy\.json:\d+:\d+/);
      noStack(r);
    }
  });
});
