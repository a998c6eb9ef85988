// `dedc run`, `dedc load` and `dedc node` as a user meets them: a program built and run as a
// local cluster under load with a report, Ctrl-C stopping every node cleanly, and mistakes in
// the command line reported as usage errors (exit 2) with a clear message.

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/build-dir.js';
import { dedc, repo } from '../support/run-cli.js';

const dir = tempDir('dedc-run-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const basePort = () => 22_000 + Math.floor(Math.random() * 30_000);

describe('dedc run', () => {
  it('builds a program, runs it as a cluster under load, reports, and stops every node', () => {
    const r = dedc(['run', 'protocols/voting.ded', '-o', join(dir, 'voting'), '--duration', '1', '--warmup', '0', '--base-port', String(basePort()), '--quiet']);
    expect(r.stderr).toMatch(/starting 4 nodes/);
    for (const n of ['leader[0]', 'participant[0]', 'participant[1]', 'participant[2]']) {
      expect(r.stderr).toMatch(new RegExp(`${n.replace(/[[\]]/g, '\\$&')}\\s+127\\.0\\.0\\.1:\\d+\\s+address \\d`));
      expect(r.stderr).toMatch(new RegExp(`\\[${n.replace(/[[\]]/g, '\\$&')}\\]\\s+stopped: \\d+ ticks`));
    }
    expect(r.stdout).toMatch(/throughput\s+[\d,]+ commands\/s/);
    expect(r.stdout).toMatch(/latency\s+p50 [\d.]+ ms/);
    expect(r.stdout).toMatch(/bottleneck\s+\S+: [\d.]+ µs of CPU per command/);
    expect(r.status).toBe(0);
  });

  it('stops every node cleanly on Ctrl-C (SIGINT) and exits 130', async () => {
    const child = spawn(process.execPath, [join(repo, 'dist/cli/main.js'), 'run', join(dir, 'voting'), '--serve', '--base-port', String(basePort())], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no serving line: ${err}`)), 30_000);
      const poll = setInterval(() => {
        if (!err.includes('serving;')) return;
        clearInterval(poll);
        clearTimeout(timer);
        child.kill('SIGINT');
      }, 20);
      child.once('exit', (c) => {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(err.match(/stopped: \d+ ticks/g)).toHaveLength(4);
    expect(code).toBe(130);
  });

  it('reports usage mistakes with exit 2', () => {
    const missing = dedc(['run', 'no-such-file.ded']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/not found: no-such-file\.ded/);
    const notBuild = dedc(['run', 'protocols']);
    expect(notBuild.status).toBe(2);
    expect(notBuild.stderr).toMatch(/not a build directory/);
    const badDuration = dedc(['run', 'protocols/voting.ded', '--duration', 'soon']);
    expect(badDuration.status).toBe(2);
    expect(badDuration.stderr).toMatch(/--duration must be a number of seconds/);
  });
});

describe('dedc load and dedc node', () => {
  it('need the cluster secret, and a role that exists', () => {
    const env = { ...process.env };
    delete env['DEDC_CLUSTER_SECRET'];
    const load = dedc(['load', join(dir, 'voting')], { env });
    expect(load.status).toBe(2);
    expect(load.stderr).toMatch(/no cluster secret: pass --secret or set DEDC_CLUSTER_SECRET/);
    const node = dedc(['node', join(dir, 'voting'), '--role', 'acceptor', '--secret', 's']);
    expect(node.status).toBe(2);
    expect(node.stderr).toMatch(/the deployment has no node acceptor\[0\] \(roles and instances: leader \(1\), participant \(3\)\)/);
    const listen = dedc(['node', join(dir, 'voting'), '--role', 'leader', '--secret', 's', '--listen', 'nowhere']);
    expect(listen.status).toBe(2);
    expect(listen.stderr).toMatch(/--listen must be host:port/);
  });
});
