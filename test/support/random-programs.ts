// Random well-typed, stratified, terminating Dedalus programs and input scripts, for
// differential tests of the back ends. Relations r0..r4 are derived in order: a rule for r_i
// reads inputs and r_j (j <= i) positively, negates and aggregates only r_j (j < i), so every
// program stratifies; integer expressions are reduced modulo small numbers and strings only
// pass through `upper`, so every fixpoint is finite. `:+` and `:~` rules carry facts across
// ticks and send messages to the node itself.

import { Rng } from '../../sim/rng.js';
import type { InterpScript } from './interp-script.js';

type Type = 'int' | 'string';

interface Rel {
  readonly name: string;
  readonly types: readonly Type[];
}

const INPUTS: Rel[] = [
  { name: 'in1', types: ['int', 'int'] },
  { name: 'in2', types: ['int', 'string'] },
  { name: 'msg', types: ['int', 'string'] },
  { name: 'k', types: ['int'] },
];
const STRINGS = ['a', 'b', 'ab', '', 'Zé', 'b\u00e9', 'x y'];

export interface RandomProgram {
  readonly text: string;
  readonly script: InterpScript;
}

export function randomProgram(seed: number): RandomProgram {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)]!;
  const chance = (p: number) => rng.chance(p);
  const derived: Rel[] = [];
  const lines: string[] = [
    `# random program, seed ${seed}`,
    '.input in1(a: int, b: int)',
    '.input in2(a: int, s: string)',
    '.async msg(x: int, s: string)',
    '.static self(n: addr)',
    '.static k(v: int)',
  ];
  for (let i = 0; i < 5; i++) {
    const arity = rng.int(1, 3);
    const types: Type[] = Array.from({ length: arity }, () => (chance(0.3) ? 'string' : 'int'));
    derived.push({ name: `r${i}`, types });
    const cols = types.map((t, c) => `c${c}: ${t}`).join(', ');
    const persistence = rng.int(0, 9);
    lines.push(`.output out${i}(${cols})`);
    if (persistence < 3) lines.push(`.persist r${i}`);
    else if (persistence < 4) lines.push(`.durable r${i}`);
  }
  const rules: string[] = [];

  /** A rule body over `sources` (negating `lower`), returning the bound variables by type. */
  const body = (sources: readonly Rel[], lower: readonly Rel[], atomsMax: number) => {
    const vars = new Map<string, Type>();
    const lits: string[] = [];
    let fresh = 0;
    const n = rng.int(1, atomsMax);
    for (let a = 0; a < n; a++) {
      const rel = pick(sources);
      const args = rel.types.map((t) => {
        const same = [...vars].filter(([, vt]) => vt === t).map(([v]) => v);
        const r = rng.int(0, 9);
        if (r < 3 && same.length) return pick(same);
        if (r < 4) return '_';
        if (r < 5) return t === 'int' ? String(rng.int(0, 3)) : JSON.stringify(pick(STRINGS));
        const v = `v${fresh++}`;
        vars.set(v, t);
        return v;
      });
      lits.push(`${rel.name}(${args.join(', ')})`);
    }
    if (chance(0.15)) {
      const v = `v${fresh++}`;
      lits.push(`less_than(${v}, ${rng.int(1, 3)})`);
      vars.set(v, 'int');
    }
    const ints = [...vars].filter(([, t]) => t === 'int').map(([v]) => v);
    const strs = [...vars].filter(([, t]) => t === 'string').map(([v]) => v);
    if (chance(0.3) && ints.length) lits.push(`(${pick(ints)} ${pick(['<', '<=', '!=', '==', '>'])} ${ints.length > 1 && chance(0.5) ? pick(ints) : rng.int(0, 3)})`);
    if (chance(0.15) && strs.length) lits.push(`(${pick(strs)} ${pick(['!=', '=='])} ${JSON.stringify(pick(STRINGS))})`);
    if (chance(0.35) && lower.length) {
      const rel = pick(lower);
      const args = rel.types.map((t) => {
        const same = [...vars].filter(([, vt]) => vt === t).map(([v]) => v);
        const r = rng.int(0, 9);
        if (r < 5 && same.length) return pick(same);
        if (r < 7) return '_';
        return `e${fresh++}`;
      });
      lits.push(`!${rel.name}(${args.join(', ')})`);
    }
    return { lits, vars, ints, strs };
  };

  /** A head value of type t from the bound variables; finite domains only. */
  const value = (t: Type, b: ReturnType<typeof body>): string => {
    const r = rng.int(0, 9);
    if (t === 'int') {
      if (b.ints.length && r < 5) return pick(b.ints);
      if (b.ints.length && r < 7) return `(${pick(b.ints)} + ${b.ints.length > 1 ? pick(b.ints) : rng.int(1, 3)}) % 4`;
      if (r < 8 && (b.ints.length || b.strs.length)) return `hash(${pick([...b.ints, ...b.strs])}) % 3`;
      if (r < 9 && b.strs.length) return `len(${pick(b.strs)})`;
      return String(rng.int(0, 3));
    }
    if (b.strs.length && r < 6) return pick(b.strs);
    if (b.strs.length && r < 8) return `upper(${pick(b.strs)})`;
    return JSON.stringify(pick(STRINGS));
  };

  derived.forEach((rel, i) => {
    const sources = [...INPUTS, ...derived.slice(0, i + 1)];
    const lower = [...INPUTS.slice(0, 2), ...derived.slice(0, i)];
    const count = rng.int(1, 3);
    for (let j = 0; j < count; j++) {
      const recursive = j > 0;
      const b = body(recursive ? sources : [...INPUTS, ...derived.slice(0, i)], lower, 3);
      const kind = rng.int(0, 9);
      let head: string[];
      if (kind < 3 && i > 0 && !recursive) {
        // An aggregate over the lower relations: one column aggregates, the rest group.
        // Mostly over derived relations and statics, which may only grow: aggregates the back
        // end maintains across ticks; sometimes over this tick's input too.
        const b2 = body(chance(0.7) ? [INPUTS[3]!, ...derived.slice(0, i)] : [...INPUTS, ...derived.slice(0, i)], lower, 2);
        const at = rng.int(0, rel.types.length - 1);
        head = rel.types.map((t, c) => {
          if (c !== at) return value(t, b2);
          const ofType = t === 'int' ? b2.ints : b2.strs;
          const fn = t === 'int' ? pick(['count', 'sum', 'min', 'max', 'choose', 'countStar']) : pick(['min', 'max', 'choose']);
          if (fn === 'countStar') return 'count(*)';
          if (fn === 'count') return b2.vars.size ? `count(${pick([...b2.vars.keys()])})` : 'count(*)';
          return ofType.length ? `${fn}(${pick(ofType)})` : t === 'int' ? 'count(*)' : value(t, b2);
        });
        if (!head.some((h) => /^(count|sum|min|max|choose)\(/.test(h))) head[at] = rel.types[at] === 'int' ? 'count(*)' : head[at]!;
        rules.push(`${rel.name}(${head.join(', ')}) :- ${b2.lits.join(', ')}.`);
        continue;
      }
      head = rel.types.map((t) => value(t, b));
      if (kind === 9 && !recursive) {
        const ints = rel.types.map((t, c) => (t === 'int' ? c : -1)).filter((c) => c >= 0);
        if (ints.length) head[pick(ints)] = 'index()';
      }
      rules.push(`${rel.name}(${head.join(', ')}) :- ${b.lits.join(', ')}.`);
    }
    rules.push(`out${i}(${rel.types.map((_, c) => `x${c}`).join(', ')}) :- ${rel.name}(${rel.types.map((_, c) => `x${c}`).join(', ')}).`);
  });
  const all = [...INPUTS, ...derived];
  for (let j = rng.int(0, 2); j > 0; j--) {
    const rel = pick(derived);
    const b = body(all, [...INPUTS.slice(0, 2), ...derived], 2);
    rules.push(`${rel.name}(${rel.types.map((t) => value(t, b)).join(', ')}) :+ ${b.lits.join(', ')}.`);
  }
  for (let j = rng.int(0, 2); j > 0; j--) {
    const b = body(all, [...INPUTS.slice(0, 2), ...derived], 2);
    rules.push(`msg@me(${value('int', b)}, ${value('string', b)}) :~ self(me), ${b.lits.join(', ')}.`);
  }
  const script: InterpScript = {
    nodes: [{ name: 'n', statics: { self: [[{ node: 'n' }]], k: [[1], [2]] } }],
    steps: Array.from({ length: rng.int(4, 9) }, () => ({
      push: {
        n: {
          in1: Array.from({ length: rng.int(0, 3) }, () => [rng.int(0, 3), rng.int(0, 3)]),
          in2: Array.from({ length: rng.int(0, 2) }, () => [rng.int(0, 3), pick(STRINGS)]),
        },
      },
    })),
  };
  return { text: `${lines.join('\n')}\n\n${rules.join('\n')}\n`, script };
}
