// The Wasm node through the NodeEngine interface and its raw record path: input validation,
// malformed records from the network, the per-tick work limit (the abandoned tick leaves the
// state as it was), recovery of durable facts, and reclamation of strings no fact holds.

import { describe, expect, it } from 'vitest';
import type { NodeSpec } from '../../engine/node-engine.js';
import { ReferenceNode } from '../../engine/reference/reference-node.js';
import { encodeRecord, RecordKind } from '../../engine/wasm/records.js';
import { WasmNode } from '../../engine/wasm/wasm-node.js';
import { checked } from '../support/program.js';
import { compiled } from '../support/wasm.js';

const counter = checked(
  `
.input bump(n: int)
.input label(s: string)
.async note(n: int)
.static limit(n: int)
.output seen(n: int)
.output named(s: string)
.durable log
c(n) :- bump(n).
c(n + 1) :+ c(n), limit(m), (n + 1 < m).
seen(n) :- c(n).
log(n) :- bump(n).
named(upper(s)) :- label(s).
tell: note@3(n) :~ bump(n).
`,
  'counter.ded',
);

const spec = (recovered: NodeSpec['recovered'] = []): NodeSpec => ({ role: 'counter', address: 1n, statics: new Map([['limit', [[4n]]]]), recovered });

async function node(recovered: NodeSpec['recovered'] = [], stepLimit?: number): Promise<WasmNode> {
  const program = await compiled(counter);
  return new WasmNode(program.modules.get('counter')!, program.plan.relations, spec(recovered), stepLimit ? { stepLimit } : {});
}

describe('Wasm node', () => {
  it('rejects rows of the wrong shape and relations that do not take input, like the interpreter', async () => {
    const n = await node();
    const ref = new ReferenceNode(counter, spec());
    for (const e of [n, ref]) {
      expect(e.push({ relation: 'bump', rows: [[1n], ['x'], [1n, 2n], []] })).toBe(3);
      expect(e.push({ relation: 'nope', rows: [[1n]] })).toBe(1);
      expect(e.push({ relation: 'limit', rows: [[9n]] })).toBe(1);
      expect(e.push({ relation: 'seen', rows: [[9n]] })).toBe(1);
    }
    expect(n.tick()).toEqual(ref.tick());
  });

  it('rejects malformed records from the network, counts them, and keeps serving', async () => {
    const n = await node();
    n.tick();
    const bump = counter.relations.get('bump')!;
    const ids = [...counter.relations.keys()].sort();
    const good = encodeRecord(RecordKind.message, { id: ids.indexOf('bump'), types: bump.columns.map((c) => c.type) }, [[2n]]);
    const label = encodeRecord(RecordKind.message, { id: ids.indexOf('label'), types: ['string'] }, [['ab']]);
    const truncated = good.subarray(0, good.length - 4);
    const unknown = good.slice();
    new DataView(unknown.buffer).setUint32(4, 999, true);
    const notInput = good.slice();
    new DataView(notInput.buffer).setUint32(4, ids.indexOf('seen'), true);
    const wrongKind = good.slice();
    new DataView(wrongKind.buffer).setUint32(0, RecordKind.output, true);
    const badString = label.slice();
    new DataView(badString.buffer).setUint32(24, 1000, true); // offset past the string bytes
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(16, 0xffffffff, true); // claims 4 billion rows
    for (const bytes of [truncated, unknown, notInput, wrongKind, badString, huge, new Uint8Array(3)]) {
      expect(n.pushRecords(bytes).rejected, `${bytes.length} bytes`).toBeGreaterThan(0);
    }
    expect(n.pushRecords(good)).toEqual({ accepted: 1, rejected: 0 });
    expect(n.tick().outputs).toEqual([{ relation: 'seen', row: [2n] }]);
  });

  it('abandons a runaway tick with DED501, keeps its state and input, and serves on', async () => {
    const runaway = checked(
      `
.input go(n: int)
.input other(n: int)
.output big(n: int)
.persist kept
kept(n) :- other(n).
big(n) :- go(n).
big(n + 1) :- big(n).
`,
      'runaway.ded',
    );
    const program = await compiled(runaway);
    const n = new WasmNode(program.modules.get('runaway')!, program.plan.relations, { role: 'runaway', address: 1n, statics: new Map() }, { stepLimit: 1000 });
    n.tick();
    n.push({ relation: 'other', rows: [[7n]] });
    n.tick();
    const before = n.carriedFacts();
    n.push({ relation: 'go', rows: [[0n]] });
    n.push({ relation: 'other', rows: [[8n]] });
    const t = n.tick();
    expect(t.fault?.code).toBe('DED501');
    expect(t.sends).toEqual([]);
    expect(t.outputs).toEqual([]);
    expect(n.wantsTick()).toBe(true);
    expect(n.carriedFacts()).toEqual(before);
  });

  it('starts from recovered durable facts after a restart, without logging them again', async () => {
    const n = await node([{ relation: 'log', row: [5n] }]);
    n.tick();
    expect(n.carriedFacts()).toEqual([{ relation: 'log', row: [5n] }]);
    n.push({ relation: 'bump', rows: [[5n], [6n]] });
    expect(n.tick().durable).toEqual([{ relation: 'log', row: [6n] }]);
  });

  it('reclaims strings that no fact refers to any more', async () => {
    const n = await node();
    n.tick();
    let peak = 0;
    for (let round = 0; round < 200; round++) {
      n.push({ relation: 'label', rows: Array.from({ length: 500 }, (_, i) => [`s-${round}-${i}`]) });
      const t = n.tick();
      expect(t.outputs.length).toBe(500);
      expect(t.outputs[0]!.row[0]).toBe(`S-${round}-0`);
      peak = Math.max(peak, n.memory().liveStrings);
    }
    // 200,000 distinct strings went through; only about a tick's worth (twice) may stay live.
    expect(peak).toBeLessThan(10_000);
  });
});
