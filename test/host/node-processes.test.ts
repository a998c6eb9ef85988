// Voting as real processes: `dedc build` into a directory, one `dedc node` process per node of
// the deployment (uWebSockets.js on 127.0.0.1), the clients in this process. Every request is
// answered exactly once; killing a participant's process and restarting it leaves the cluster
// serving; SIGTERM stops each node cleanly with its counters.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../assembly/build/build-program.js';
import { SourceFile } from '../../compiler/source.js';
import { loadCluster } from '../../host/load-cluster.js';
import { protocolsDir } from '../support/protocol.js';
import { repo } from '../support/run-cli.js';
import { startClients } from '../support/socket-clients.js';

const dir = mkdtempSync(join(tmpdir(), 'dedc-node-processes-'));
const secret = 'processes test secret';
const basePort = 20_000 + Math.floor(Math.random() * 20_000);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string) => new SourceFile(name, readFileSync(join(protocolsDir, name), 'utf8'));

/** Starts `dedc node` and resolves once it says it is listening (bounded wait). */
function startNode(role: string, index: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [join(repo, 'dist/cli/main.js'), 'node', dir, '--role', role, '--index', String(index), '--base-port', String(basePort), '--secret', secret], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role}[${index}] did not start: ${output}`)), 15_000);
    const check = setInterval(() => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        clearInterval(check);
        resolve({ child, output: () => output });
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        clearInterval(check);
        reject(new Error(`${role}[${index}] exited ${child.exitCode}: ${output}`));
      }
    }, 20);
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('voting as one process per node', () => {
  it('serves every request exactly once, survives a participant restart, and stops cleanly', async () => {
    const built = await buildProgram({ program: file('voting.ded'), deployment: file('voting.deploy.json') }, { outDir: dir });
    expect(built.problems.map((p) => p.diagnostic.message)).toEqual([]);
    const loaded = loadCluster(dir, undefined, { host: '127.0.0.1', basePort });
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.diagnostic.message).join('\n'));
    const { cluster, endpoints, build } = loaded.loaded;
    const nodes = await Promise.all(cluster.nodes.map((n) => startNode(n.role, n.index)));

    const first = await startClients(cluster, build.manifest.relations, endpoints, secret);
    const expected = cluster.clients.length * cluster.workload!.requests;
    expect(await first.waitForReplies(15_000)).toBe(expected);
    for (const got of first.replies.values()) expect([...got.values()].every((n) => n === 1)).toBe(true);
    await first.close();

    // Kill a participant's process, restart it, and serve a second round of clients.
    const victim = cluster.nodes.findIndex((n) => n.role === 'participant');
    nodes[victim]!.child.kill('SIGKILL');
    await new Promise((r) => nodes[victim]!.child.once('exit', r));
    nodes[victim] = await startNode(cluster.nodes[victim]!.role, cluster.nodes[victim]!.index);
    const second = await startClients(cluster, build.manifest.relations, endpoints, secret);
    expect(await second.waitForReplies(15_000)).toBe(expected);
    await second.close();

    for (const n of nodes) expect(await stop(n.child)).toBe(0);
    const leader = nodes[cluster.nodes.findIndex((n) => n.role === 'leader')]!;
    expect(leader.output()).toMatch(/stopped: \d+ ticks, \d+ frames in, \d+ out, 0 rejected/);
  });
});
