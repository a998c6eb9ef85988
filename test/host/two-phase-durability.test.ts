// 2PC's durability as real processes (one `dedc node` per node, durable logs on disk, outputs as
// JSON lines): a participant and then the coordinator are killed (SIGKILL) mid-run and
// restarted from their logs. No decided transaction is lost (each commit decision is in the
// coordinator's log, and asking again does not decide anything new), no transaction is decided
// two ways, no participant's outcome and no client's reply contradicts the decision, and the
// cluster serves on.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterClient } from '../../compiler/deploy/resolve-deployment.js';
import type { Row } from '../../compiler/values/value.js';
import { DurableLog, recoveredFacts } from '../../host/durable-log.js';
import { nodeFileName } from '../../host/local-cluster.js';
import { ProtocolClient } from '../../host/protocol-client.js';
import { startProcessCluster, type ProcessCluster } from '../support/process-cluster.js';
import { sleep } from '../support/waits.js';

let running: ProcessCluster | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const key = (client: number | string | bigint, tx: number | string | bigint) => `${client}/${tx}`;

/** The durable facts a node's log holds, as `relation client/tx` keys. */
function logged(c: ProcessCluster, nodeName: string): Set<string> {
  const node = c.cluster.nodes.find((n) => n.name === nodeName)!;
  const opened = DurableLog.open(join(c.dataDir, `${nodeFileName(node)}.log`));
  opened.log.close();
  const facts = recoveredFacts(opened.payloads, c.build.manifest.relations).facts;
  // committing(c, tx) / ended(c, tx) at the coordinator; prepared(c, tx) / committed(c, tx) at a participant.
  return new Set(facts.map((f) => `${f.relation} ${key(f.row[0]!, f.row[1]!)}`));
}

describe('2PC durability across killed and restarted processes', () => {
  it('loses no decided transaction and never contradicts a decision', async () => {
    running = await startProcessCluster('protocols/2pc.ded');
    const c = running;
    const workload = c.cluster.workload!;
    const replies = new Map<string, string[]>();
    const loading = c.load({
      requestsPerClient: 250,
      timeoutMs: 1_500,
      onReply: (client: ClusterClient, seq: number, row: Row) => replies.set(key(client.address, seq), [...(replies.get(key(client.address, seq)) ?? []), row[1] as string]),
    });
    const participant = c.cluster.nodes.find((n) => n.name === 'participant[1]')!;
    const coordinator = c.cluster.nodes.find((n) => n.role === 'coordinator')!;
    await sleep(300);
    await c.local.kill(participant.name, 'SIGKILL');
    await sleep(200);
    await c.local.startNode(participant);
    const committedSoFar = () => new Set(c.outputs(coordinator.name).filter((o) => o.row[2] === 'commit').map((o) => key(o.row[0]!, o.row[1]!)));
    for (let waited = 0; waited < 10_000 && committedSoFar().size < 40; waited += 50) await sleep(50);
    const decidedBeforeCrash = committedSoFar();
    await c.local.kill(coordinator.name, 'SIGKILL');
    await sleep(200);
    await c.local.startNode(coordinator);
    const report = await loading;
    // Presumed abort: aborts are not logged, so a restarted coordinator may abort a transaction
    // again when late votes arrive, and its client hears "aborted" twice. Nothing else repeats.
    expect(report.unexpected).toBe(0);
    for (const [k, rs] of replies) if (rs.length > 1) expect(rs.every((r) => r === 'aborted'), `${k} answered ${rs.join(', ')}`).toBe(true);
    expect(report.completed).toBeGreaterThan(100);

    // Ask again about transactions committed before the coordinator crashed: the restarted
    // coordinator remembers them (from its log) and decides nothing new.
    expect(decidedBeforeCrash.size).toBeGreaterThanOrEqual(40);
    const again = [...decidedBeforeCrash].slice(0, 40).map((k) => k.split('/').map(BigInt) as [bigint, bigint]);
    const byClient = new Map<bigint, bigint[]>();
    for (const [client, tx] of again) byClient.set(client, [...(byClient.get(client) ?? []), tx]);
    for (const [address, txs] of byClient) {
      const client = c.cluster.clients.find((x) => x.address === address)!;
      const p = new ProtocolClient({ address, secret: c.secret, relations: c.build.manifest.relations, nodes: new Map([[coordinator.address, c.endpoints.get(coordinator.address)!]]), onRows: () => {} });
      await p.ready();
      p.send(coordinator.address, workload.input, txs.map((tx) => workload.request(client, Number(tx))));
      await sleep(300);
      await p.close();
    }
    await sleep(500);

    // The cluster serves on after both restarts.
    const after = await c.load({ requestsPerClient: 20, timeoutMs: 10_000 });
    expect({ timeouts: after.timeouts, duplicates: after.duplicates, completed: after.completed }).toEqual({ timeouts: 0, duplicates: 0, completed: c.cluster.clients.length * 20 });

    // Decisions: at most one per transaction, across both lives of the coordinator.
    const decisions = new Map<string, string[]>();
    for (const o of c.outputs(coordinator.name)) decisions.set(key(o.row[0]!, o.row[1]!), [...(decisions.get(key(o.row[0]!, o.row[1]!)) ?? []), o.row[2] as string]);
    for (const [k, ds] of decisions) expect(ds.length === 1 || ds.every((d) => d === 'abort'), `${k} decided ${ds.join(', ')}`).toBe(true);
    for (const k of decidedBeforeCrash) expect(decisions.get(k), k).toEqual(['commit']);
    // Every commit decision is in the coordinator's log: none is lost.
    const coordinatorLog = logged(c, coordinator.name);
    for (const [k, ds] of decisions) if (ds[0] === 'commit') expect(coordinatorLog.has(`committing ${k}`), k).toBe(true);
    // Participants: an outcome never contradicts the decision; a commit they report is in their log.
    for (const n of c.cluster.nodes.filter((x) => x.role === 'participant')) {
      const participantLog = logged(c, n.name);
      for (const o of c.outputs(n.name)) {
        const k = key(o.row[1]!, o.row[2]!);
        const decision = decisions.get(k)?.[0];
        if (o.row[3] === 'committed') {
          expect(decision, `${n.name} committed ${k}`).toBe('commit');
          expect(participantLog.has(`committed ${k}`), `${n.name} logged commit of ${k}`).toBe(true);
        } else expect(decision, `${n.name} aborted ${k}`).not.toBe('commit');
      }
    }
    // Clients: a reply says what was decided.
    for (const [k, rs] of replies) {
      const decision = decisions.get(k)?.[0];
      for (const r of rs) expect(r, k).toBe(decision === 'commit' ? 'committed' : 'aborted');
    }
  });
});
