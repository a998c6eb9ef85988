// Client workloads of deployment files: `{"choose": [...]}` cells pick one value per request,
// stably, and use every value; `retry` sends an unanswered request again to the next instance of
// the target's role in the simulator; malformed cells give diagnostics at the right place.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import { readDeployment } from '../../compiler/deploy/read-deployment.js';
import { resolveDeployment, type Cluster } from '../../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../../compiler/source.js';
import { simulate } from '../../sim/simulator.js';
import { checked } from '../support/program.js';
import { protocolsDir } from '../support/protocol.js';

const paxosText = readFileSync(`${protocolsDir}paxos.ded`, 'utf8');
const paxos = checked(paxosText, 'paxos.ded');
const deployText = readFileSync(`${protocolsDir}paxos.deploy.json`, 'utf8');

function resolve(text: string): { cluster?: Cluster; errors: string } {
  const source = new SourceFile('d.deploy.json', text);
  const read = readDeployment(source);
  if (!read.deployment) return { errors: renderDiagnostics(read.diagnostics, source) };
  const r = resolveDeployment(read.deployment, paxos);
  return r.cluster ? { cluster: r.cluster, errors: '' } : { errors: renderDiagnostics(r.diagnostics, source) };
}

describe('choose cells', () => {
  it('pick every value, the same one for the same client and request', () => {
    const { cluster } = resolve(deployText);
    const w = cluster!.workload!;
    const ops = new Map<string, number>();
    for (const client of cluster!.clients)
      for (let seq = 1; seq <= 300; seq++) {
        const row = w.request(client, seq);
        expect(w.request(client, seq)).toEqual(row);
        ops.set(`${String(row[2])} ${String(row[3])}`, (ops.get(`${String(row[2])} ${String(row[3])}`) ?? 0) + 1);
      }
    // put and get on each of three keys; put chosen twice as often (it is listed twice).
    expect([...ops.keys()].sort()).toEqual(['get k0', 'get k1', 'get k2', 'put k0', 'put k1', 'put k2']);
    const puts = [...ops].filter(([k]) => k.startsWith('put')).reduce((n, [, c]) => n + c, 0);
    expect(puts / 1200).toBeGreaterThan(0.55);
    expect(puts / 1200).toBeLessThan(0.78);
  });

  it('reject an empty list and mixed types, with the place', () => {
    expect(resolve(deployText.replace('{ "choose": ["k0", "k1", "k2"] }', '{ "choose": [] }')).errors).toMatch(/`choose` needs at least one value[\s\S]*\^/);
    expect(resolve(deployText.replace('{ "choose": ["k0", "k1", "k2"] }', '{ "choose": ["k0", 1] }')).errors).toMatch(/all numbers or all strings/);
    expect(resolve(deployText.replace('{ "choose": ["k0", "k1", "k2"] }', '{ "choose": [1, 2] }')).errors).toMatch(/DED606|type/);
  });
});

describe('retry', () => {
  it('sends an unanswered request again to the next proposer, and the run completes', () => {
    const { cluster } = resolve(deployText);
    const c = { ...cluster!, workload: { ...cluster!.workload!, requests: 3 } };
    expect(c.clients[0]!.targets.length).toBe(2);
    // Proposer 0 is down from the start: every request is first sent to it, then to proposer 1.
    const p0 = c.nodes.find((n) => n.name === 'proposer[0]')!.address;
    const r = simulate(paxos, { ...c, faults: [{ kind: 'crash', node: p0, at: 0 }] }, { seed: 1 });
    const retried = r.events.filter((e) => e.kind === 'request' && (e.attempt ?? 0) > 0);
    expect(retried.length).toBeGreaterThan(0);
    // Attempt k goes to target k mod 2: the first retry to proposer 1, the next back to 0, ...
    expect(retried.every((e) => e.kind === 'request' && (e.to === p0) === ((e.attempt ?? 0) % 2 === 0))).toBe(true);
    expect(r.clients.reduce((n, cl) => n + cl.completed, 0)).toBe(c.clients.length * 3);
  });

  it('rejects a malformed duration', () => {
    expect(resolve(deployText.replace('"retry": "40ms"', '"retry": "soon"')).errors).toMatch(/retry/);
  });
});
