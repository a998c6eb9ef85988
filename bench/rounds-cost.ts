// The cost of one `rounds(v, k)` call in a compiled module, in this process: the benchmark's
// stand-in for AES, measured so the micro bench can say how much of a node's CPU per command it
// is. Takes the build of micro-functional.ded (its leader makes two calls per request, each of
// `work` rounds) and runs two nodes of that module side by side, one with `work` = k and one with
// 0, one request per tick. Ticks first run until V8 has tiered the module up (a long call
// started in the baseline tier stays there); the cost is half the difference of the medians.

import { readBuild } from '../assembly/build/read-build.js';
import { WasmNode } from '../engine/wasm/wasm-node.js';
import { Deadline, med, round } from './harness.js';

export interface RoundsCost {
  readonly rounds: number;
  /** Median µs of one call. */
  readonly microsPerCall: number;
  readonly nsPerRound: number;
  readonly ticks: number;
}

/** `dir`: a build directory of micro-functional.ded (role `leader`, static `work`). */
export function roundsCost(dir: string, rounds: number, options: { readonly ticks?: number; readonly seconds?: number } = {}): RoundsCost {
  const read = readBuild(dir);
  if (!read.ok) throw new Error(`${dir}: ${read.diagnostics.map((d) => d.message).join('; ')}`);
  const module = read.build.modules.get('leader');
  if (!module) throw new Error(`${dir} has no role leader`);
  const node = (k: number) => new WasmNode(module, read.build.manifest.relations, { role: 'leader', address: 1n, statics: new Map([['work', [[BigInt(k)]]]]) });
  const heavy = node(rounds);
  const light = node(0);
  const deadline = new Deadline(options.seconds ?? 10);
  let seq = 0;
  const tick = (n: WasmNode) => {
    n.push({ relation: 'clientIn', rows: [[2n, BigInt(++seq), `cmd-2-${seq}`]] });
    const t0 = performance.now();
    n.tick();
    return (performance.now() - t0) * 1000;
  };
  // Warm-up: a few hundred ticks on a node making short calls, for the tier-up; bounded in time.
  const warm = node(1000);
  for (let i = 0; i < 1000 && !deadline.expired(); i++) tick(warm);
  const full: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < (options.ticks ?? 50) && !deadline.expired(); i++) {
    full.push(tick(heavy));
    empty.push(tick(light));
  }
  const micros = Math.max(0, (med(full) - med(empty)) / 2);
  return { rounds, microsPerCall: round(micros, 1), nsPerRound: round((micros * 1000) / Math.max(1, rounds), 2), ticks: full.length };
}
