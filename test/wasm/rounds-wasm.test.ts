// `rounds(v, n)` on both back ends: a program calling it on ints, addresses and strings, in
// heads, in predicates and nested, fed random rows over many ticks (random 64-bit values, counts
// across the whole range: negative, in bounds, 1,000,000, just above, and far above). The Wasm
// node must give exactly the interpreter's outputs, tick by tick, including every binding that
// derives nothing because the count is out of bounds.

import { describe, expect, it } from 'vitest';
import type { Row } from '../../compiler/values/value.js';
import type { NodeSpec } from '../../engine/node-engine.js';
import { ReferenceNode } from '../../engine/reference/reference-node.js';
import { WasmNode } from '../../engine/wasm/wasm-node.js';
import { Rng } from '../../sim/rng.js';
import { checked } from '../support/program.js';
import { compiled } from '../support/wasm.js';

const program = checked(
  `
.input ints(x: int, n: int)
.input strs(s: string, n: int)
.input addrs(a: addr, n: int)
.output ri(x: int, n: int, r: int)
.output rs(s: string, n: int, r: int)
.output ra(a: addr, n: int, r: int)
.output odd(x: int, n: int)
.output nested(s: string, r: int)
ri(x, n, rounds(x, n)) :- ints(x, n).
rs(s, n, rounds(s, n)) :- strs(s, n).
ra(a, n, rounds(a, n)) :- addrs(a, n).
odd(x, n) :- ints(x, n), (rounds(x, n % 50) % 2 == 1).
nested(s, rounds(rounds(s, 3), len(s))) :- strs(s, _).
`,
  'rounds.ded',
);

const spec: NodeSpec = { role: 'rounds', address: 1n, statics: new Map() };
const STRINGS = ['', 'a', 'hello', 'héllo', '😀', 'cmd-1-17', 'x y z', 'A'.repeat(300)];

function randomInt(rng: Rng): bigint {
  const word = () => BigInt(rng.int(0, 0xffff));
  const x = BigInt.asIntN(64, (word() << 48n) | (word() << 32n) | (word() << 16n) | word());
  return rng.chance(0.2) ? BigInt(rng.int(-3, 3)) : x;
}

/** Mostly small counts; sometimes negative, the bound, just above it, or far above. */
function randomCount(rng: Rng, big: { left: number }): bigint {
  const r = rng.int(0, 99);
  if (r < 70) return BigInt(rng.int(0, 2000));
  if (r < 80) return BigInt(rng.int(-5, -1));
  if (r < 85) return 1_000_001n;
  if (r < 90) return randomInt(rng);
  if (r < 95 && big.left > 0) {
    big.left--;
    return 1_000_000n;
  }
  return BigInt(rng.int(2000, 20_000));
}

describe('rounds on both back ends', () => {
  it('gives the interpreter\'s outputs over 40 ticks of random input', async () => {
    const wasm = await compiled(program);
    const nodes = [new ReferenceNode(program, spec), new WasmNode(wasm.modules.get('rounds')!, wasm.plan.relations, spec)];
    const rng = new Rng(5);
    const big = { left: 4 }; // a million rounds take ~25 ms in the interpreter
    let outputs = 0;
    for (let tick = 0; tick < 40; tick++) {
      const ints: Row[] = Array.from({ length: 12 }, () => [randomInt(rng), randomCount(rng, big)]);
      const strs: Row[] = Array.from({ length: 8 }, () => [STRINGS[rng.int(0, STRINGS.length - 1)]! + (rng.chance(0.5) ? String(rng.int(0, 99)) : ''), randomCount(rng, big)]);
      const addrs: Row[] = Array.from({ length: 4 }, () => [BigInt(rng.int(0, 1 << 20)), randomCount(rng, big)]);
      for (const n of nodes) {
        n.push({ relation: 'ints', rows: ints });
        n.push({ relation: 'strs', rows: strs });
        n.push({ relation: 'addrs', rows: addrs });
      }
      const [ref, got] = nodes.map((n) => n.tick());
      expect(got!.fault).toBeUndefined();
      expect(got!.outputs, `tick ${tick}`).toEqual(ref!.outputs);
      outputs += ref!.outputs.length;
    }
    // The comparison covered in-range calls and skipped out-of-range ones on both sides.
    expect(outputs).toBeGreaterThan(40 * 15);
  });
});
