// One role's plan to an AssemblyScript module: a global per relation set (rows, staged next-
// tick facts, sends, pending input), every rule kernel with its source text above it, the
// strata as fixpoint loops, and the host ABI (init, load, push, tick, output, dump). The tick
// records each set's row count first, so an abandoned tick truncates back to it.

import type { ProgramPlan, RelationPlan, RolePlan, RulePlan } from '../../compiler/ir/plan.js';
import { generateRule, stringMask, type RoleNames, type RuleCode } from './generate-rule.js';

export interface GenerateOptions {
  /** Adds per-rule counters (tuples in and out, time) that the node can read out. */
  readonly profile?: boolean;
}

/** The functions every generated module exports: the host ABI, version 1. */
export const abiExports = ['memory', 'init', 'loadFacts', 'inputBuffer', 'push', 'tick', 'status', 'dump', 'memoryStats'] as const;

const KIND_MESSAGE = 0;
const KIND_OUTPUT = 1;
const KIND_DURABLE = 2;
const KIND_CARRIED = 3;

/** The role's rules in the order the module numbers them (profile counters are by this number). */
export function ruleOrder(rp: RolePlan): RulePlan[] {
  return [...rp.strata.flatMap((s) => [...s.once, ...s.fixpoint]), ...rp.next, ...rp.async];
}

export function generateRole(plan: ProgramPlan, role: string, options: GenerateOptions = {}): string {
  const rp = plan.roles.find((r) => r.role === role);
  if (!rp) throw new Error(`internal: no role ${role} in the plan`);
  return new RoleWriter(plan, rp, options.profile ?? false).module();
}

class RoleWriter {
  private readonly rels: Map<string, RelationPlan>;
  private readonly literals: Map<string, string>;
  private readonly rules: { plan: RulePlan; k: number; code: RuleCode }[] = [];
  private readonly maxWidth: number;

  constructor(
    private readonly plan: ProgramPlan,
    private readonly rp: RolePlan,
    private readonly profile: boolean,
  ) {
    this.rels = new Map(rp.relations.map((r) => [r.name, r]));
    this.literals = new Map(rp.literals.map((v, i) => [v, `L${i}`]));
    const names: RoleNames = {
      relation: (n) => this.rels.get(n)!,
      rows: (n) => `R_${n}`,
      staging: (n) => `N_${n}`,
      sends: (n) => `S_${n}`,
      index: (n, k) => `I_${n}_${k}`,
      literal: (v) => this.literals.get(v)!,
    };
    const all = ruleOrder(rp);
    all.forEach((p, k) => this.rules.push({ plan: p, k, code: generateRule(p, k, names, profile) }));
    const widths = rp.relations.map((r) => r.types.length + 1);
    for (const r of all) widths.push(r.variables.length + 1, r.head.values.length + 2);
    this.maxWidth = Math.max(8, ...widths);
  }

  private k(p: RulePlan): number {
    return this.rules.find((r) => r.plan === p)!.k;
  }

  module(): string {
    const rp = this.rp;
    const out: string[] = [];
    out.push(
      `// dedc: generated AssemblyScript for role \`${rp.role}\`. Do not edit: \`dedc build\` rewrites it.`,
      '// Every value is an i64 column (strings are interned ids). Each rule kernel carries its source',
      '// text; `dedc show plan` prints the join trees these loops implement.',
      '',
      'import { RowSet, Index } from "./runtime/rows";',
      'import { markStrings } from "./runtime/rows";',
      'import { IdList } from "./runtime/sort";',
      'import { I64Vec } from "./runtime/vectors";',
      'import { outReset, writeRecord, pushRecords, publish, statusPtr, inputBuffer as recordBuffer } from "./runtime/records";',
      'import { internLiteral, compareStrings, stringsWantSweep, sweepStrings, liveStrings, stringHeapBytes } from "./runtime/strings";',
      'import { hashBegin, hashInt, hashString, hashEnd } from "./runtime/stable-hash";',
      'import { upperString, concatStrings, stringByteLength } from "./runtime/string-builtins";',
      'import { mixRounds } from "./runtime/rounds";',
      '',
      '// ── relations ────────────────────────────────────────────────────────────────',
    );
    for (const r of rp.relations) out.push(...this.relationGlobals(r));
    out.push(
      '',
      '// ── tick state ───────────────────────────────────────────────────────────────',
      'let ACCEPT: Array<RowSet | null> = [];',
      'let LOADS: Array<RowSet | null> = [];',
      'let OUTL: IdList = new IdList();',
      'let LIMIT: i64 = 0;',
      'let budget: i64 = 0;',
      '/** Facts derived so far in this tick: the strata loop until a pass adds none. */',
      'let derived: i32 = 0;',
      'let CHANGED: bool = true;',
      'let ROW: usize = 0;',
      'let KEY: usize = 0;',
    );
    for (const [v, name] of this.literals) out.push(`let ${name}: i64 = 0; // ${JSON.stringify(v)}`);
    if (this.profile) out.push(...this.profileSupport());
    for (const r of this.rules) out.push(...r.code.globals);
    out.push('', ...this.init(), '', ...this.hostAbi(), '', ...this.tick(), '');
    out.push('// ── rules ────────────────────────────────────────────────────────────────────', '');
    for (const r of this.rules) out.push(r.code.fn, '');
    out.push(...this.strata());
    return out.join('\n') + '\n';
  }

  private relationGlobals(r: RelationPlan): string[] {
    const cols = r.types.join(', ');
    const lines = [`// ${r.name}(${cols}): ${r.storage}${r.durable ? ', durable' : ''}${r.output ? ', output' : ''}, relation #${r.id}`];
    lines.push(`let R_${r.name}!: RowSet;`, `let C_${r.name}: i32 = 0;`);
    r.indexes.forEach((cols, k) => lines.push(`let I_${r.name}_${k}!: Index; // on columns ${cols.join(', ')}`));
    if (r.staged) lines.push(`let N_${r.name}!: RowSet; // staged by :+ rules for the next tick`);
    if (r.sent) lines.push(`let S_${r.name}!: RowSet; // sends: destination, then the row`, `let SL_${r.name}: IdList = new IdList();`);
    if (r.pending) lines.push(`let P_${r.name}!: RowSet; // pushed, waiting for the next tick`);
    return lines;
  }

  private init(): string[] {
    const rp = this.rp;
    const L = [`export function init(limit: i32): void {`, '  LIMIT = <i64>limit;', `  ROW = heap.alloc(${this.maxWidth * 8});`, `  KEY = heap.alloc(${this.maxWidth * 8});`];
    const n = this.plan.relations.length;
    L.push(`  for (let i = 0; i < ${n}; i++) {`, '    ACCEPT.push(null);', '    LOADS.push(null);', '  }');
    for (const r of rp.relations) {
      const mask = stringMask(r.types);
      L.push(`  R_${r.name} = new RowSet(${r.types.length}, ${mask});`);
      r.indexes.forEach((cols, k) => L.push(`  I_${r.name}_${k} = R_${r.name}.addIndex([${cols.join(', ')}]);`));
      if (r.staged) {
        L.push(`  N_${r.name} = new RowSet(${r.types.length}, ${mask});`);
        if (r.storage === 'carried') r.indexes.forEach((cols) => L.push(`  N_${r.name}.addIndex([${cols.join(', ')}]);`));
      }
      if (r.sent) L.push(`  S_${r.name} = new RowSet(${r.types.length + 1}, ${mask} << 1);`);
      if (r.pending) L.push(`  P_${r.name} = new RowSet(${r.types.length}, ${mask});`);
      if (r.external) L.push(`  ACCEPT[${r.id}] = ${r.pending ? 'P_' : 'R_'}${r.name};`);
      if (r.id >= 0) L.push(`  LOADS[${r.id}] = R_${r.name};`);
    }
    for (const [v, name] of this.literals) {
      const bytes = [...new TextEncoder().encode(v)];
      L.push(bytes.length ? `  ${name} = internLiteral(memory.data<u8>([${bytes.join(', ')}]), ${bytes.length});` : `  ${name} = internLiteral(0, 0);`);
    }
    for (const r of this.rules) L.push(...r.code.init.map((s) => `  ${s}`));
    if (this.profile) L.push(`  PROF = heap.alloc(${this.rules.length * 24});`, `  memory.fill(PROF, 0, ${this.rules.length * 24});`);
    L.push('}');
    return L;
  }

  private hostAbi(): string[] {
    const L = [
      '/** Statics and recovered durable facts, before the first tick: into any relation. */',
      'export function loadFacts(ptr: usize, len: i32): i32 {',
      `  return pushRecords(ptr, len, ${KIND_MESSAGE}, LOADS);`,
      '}',
      '',
      '/** Messages, client input, timers: rejected rows are counted, new rows wait for the tick. */',
      'export function push(ptr: usize, len: i32): i32 {',
      `  return pushRecords(ptr, len, ${KIND_MESSAGE}, ACCEPT);`,
      '}',
      '',
      'export function inputBuffer(n: i32): usize {',
      '  return recordBuffer(n);',
      '}',
      '',
      '/** The status block: output pointer and length, rows accepted, changed (see runtime/records). */',
      'export function status(): usize {',
      '  return statusPtr();',
      '}',
      '',
      '/** The facts carried into the next tick, as records of kind 3 in the output buffer. */',
      'export function dump(): void {',
      '  outReset();',
    ];
    for (const r of this.rp.relations) {
      if (r.storage !== 'stored' && r.storage !== 'carried') continue;
      L.push(`  OUTL.fill(0, R_${r.name}.count);`, `  OUTL.sort(R_${r.name}, 0);`, `  writeRecord(${KIND_CARRIED}, ${r.id}, 0, R_${r.name}, OUTL, 0, OUTL.n, 0);`);
    }
    L.push('  publish(CHANGED);');
    L.push('}', '', '/** Bytes held by relation sets (0) and by strings (1), live strings (2): u32 values. */', 'export function memoryStats(which: i32): u32 {', '  if (which == 1) return <u32>stringHeapBytes();', '  if (which == 2) return <u32>liveStrings();', '  let b: i64 = 0;');
    for (const r of this.rp.relations) L.push(`  b += R_${r.name}.bytes();`);
    L.push('  return <u32>b;', '}');
    return L;
  }

  private tick(): string[] {
    const rp = this.rp;
    const rels = rp.relations;
    const L = ['export function tick(): i32 {', '  outReset();', '  budget = LIMIT;', '  derived = 0;'];
    for (const r of rels) if (r.storage !== 'static') L.push(`  C_${r.name} = R_${r.name}.count;`);
    for (const r of rels) if (r.pending) L.push(`  for (let i = 0; i < P_${r.name}.count; i++) R_${r.name}.insert(P_${r.name}.row(i));`);
    for (const r of this.rules) L.push(...r.code.tickStart.map((s) => `  ${s}`));
    rp.strata.forEach((_, i) => L.push(`  if (!stratum${i}()) return abandon();`));
    if (rp.next.length) L.push('  if (!nextRules()) return abandon();');
    if (rp.async.length) L.push('  if (!asyncRules()) return abandon();');
    L.push('  writeSends();');
    for (const name of rp.outputs) {
      const r = this.rels.get(name)!;
      L.push(`  OUTL.fill(0, R_${name}.count);`, `  OUTL.sort(R_${name}, 0);`, `  writeRecord(${KIND_OUTPUT}, ${r.id}, 0, R_${name}, OUTL, 0, OUTL.n, 0);`);
    }
    L.push('  CHANGED = false;');
    for (const r of rels) {
      if (r.storage !== 'stored') continue;
      if (r.staged) L.push(`  for (let i = 0; i < N_${r.name}.count; i++) R_${r.name}.insert(N_${r.name}.row(i));`, `  N_${r.name}.clear();`);
      L.push(`  if (R_${r.name}.count > C_${r.name}) CHANGED = true;`);
    }
    for (const name of rp.durable) {
      const r = this.rels.get(name)!;
      L.push(`  OUTL.fill(C_${name}, R_${name}.count);`, `  OUTL.sort(R_${name}, 0);`, `  writeRecord(${KIND_DURABLE}, ${r.id}, 0, R_${name}, OUTL, 0, OUTL.n, 0);`);
    }
    for (const r of rels) {
      if (r.storage === 'carried') {
        L.push(`  if (!R_${r.name}.sameAsPrefix(C_${r.name}, N_${r.name})) CHANGED = true;`, `  R_${r.name}.swapWith(N_${r.name});`, `  N_${r.name}.clear();`);
      } else if (r.storage === 'input' || r.storage === 'transient') L.push(`  R_${r.name}.clear();`);
      if (r.sent) L.push(`  S_${r.name}.clear();`);
      if (r.pending) L.push(`  P_${r.name}.clear();`);
    }
    L.push('  OUTL.shrink();', '  if (stringsWantSweep()) sweep();', '  publish(CHANGED);', '  return 0;', '}', '');
    L.push('/** An abandoned tick: every set back to its row count when the tick started; pending input stays. */', 'function abandon(): i32 {');
    for (const r of rels) {
      if (r.storage !== 'static') L.push(`  R_${r.name}.truncate(C_${r.name});`);
      if (r.staged) L.push(`  N_${r.name}.clear();`);
      if (r.sent) L.push(`  S_${r.name}.clear();`);
    }
    L.push('  outReset();', '  publish(CHANGED);', '  return 1;', '}', '');
    L.push('/** Frees the strings no fact refers to any more. */', 'function sweep(): void {');
    for (const r of rels) {
      if (!r.types.includes('string')) continue;
      L.push(`  markStrings(R_${r.name});`);
      if (r.pending) L.push(`  markStrings(P_${r.name});`);
    }
    L.push('  sweepStrings();', '}', '');
    L.push(...this.writeSends());
    return L;
  }

  /** Sends in canonical order: by destination, then relation name, then row; one record per (destination, relation). */
  private writeSends(): string[] {
    const sent = this.rp.relations.filter((r) => r.sent);
    const L = ['function writeSends(): void {'];
    for (const r of sent) L.push(`  SL_${r.name}.fill(0, S_${r.name}.count);`, `  SL_${r.name}.sort(S_${r.name}, 0);`, `  let at_${r.name} = 0;`);
    if (sent.length) {
      L.push('  for (;;) {', '    let have = false;', '    let dest: i64 = 0;');
      for (const r of sent) {
        L.push(
          `    if (at_${r.name} < SL_${r.name}.n) {`,
          `      const d = S_${r.name}.get(SL_${r.name}.at(at_${r.name}), 0);`,
          '      if (!have || d < dest) {',
          '        dest = d;',
          '        have = true;',
          '      }',
          '    }',
        );
      }
      L.push('    if (!have) break;');
      for (const r of sent) {
        L.push(
          `    if (at_${r.name} < SL_${r.name}.n) {`,
          `      let e = at_${r.name};`,
          `      while (e < SL_${r.name}.n && S_${r.name}.get(SL_${r.name}.at(e), 0) == dest) e++;`,
          `      writeRecord(${KIND_MESSAGE}, ${r.id}, dest, S_${r.name}, SL_${r.name}, at_${r.name}, e, 1);`,
          `      at_${r.name} = e;`,
          '    }',
        );
      }
      L.push('  }');
      for (const r of sent) L.push(`  SL_${r.name}.shrink();`);
    }
    L.push('}');
    return L;
  }

  private call(p: RulePlan, indent: string): string[] {
    const k = this.k(p);
    if (!this.profile) return [`${indent}if (!rule${k}()) return false;`];
    return [`${indent}{`, `${indent}  const t0 = now();`, `${indent}  const ok = rule${k}();`, `${indent}  PROF_MS(${k}, now() - t0);`, `${indent}  if (!ok) return false;`, `${indent}}`];
  }

  private strata(): string[] {
    const L: string[] = [];
    this.rp.strata.forEach((s, i) => {
      L.push(`function stratum${i}(): bool {`);
      for (const p of s.once) L.push(...this.call(p, '  '));
      if (s.fixpoint.length) {
        L.push('  let before = 0;', '  do {', '    before = derived;');
        for (const p of s.fixpoint) L.push(...this.call(p, '    '));
        L.push('  } while (derived != before);');
      }
      L.push('  return true;', '}', '');
    });
    if (this.rp.next.length) {
      L.push('function nextRules(): bool {');
      for (const p of this.rp.next) L.push(...this.call(p, '  '));
      L.push('  return true;', '}', '');
    }
    if (this.rp.async.length) {
      L.push('function asyncRules(): bool {');
      for (const p of this.rp.async) L.push(...this.call(p, '  '));
      L.push('  return true;', '}', '');
    }
    return L;
  }

  private profileSupport(): string[] {
    return [
      '',
      '// ── profile: per rule, f64 tuples in, tuples out, milliseconds ─────────────────',
      '@external("env", "now") declare function now(): f64;',
      'let PROF: usize = 0;',
      `export const PROFILE_RULES: i32 = ${this.rules.length};`,
      'export function profilePtr(): usize {',
      '  return PROF;',
      '}',
      '// @ts-ignore: decorator',
      '@inline function PROF_IN(k: i32): void {',
      '  const p = PROF + <usize>k * 24;',
      '  store<f64>(p, load<f64>(p) + 1);',
      '}',
      '// @ts-ignore: decorator',
      '@inline function PROF_OUT(k: i32): void {',
      '  const p = PROF + <usize>k * 24 + 8;',
      '  store<f64>(p, load<f64>(p) + 1);',
      '}',
      '// @ts-ignore: decorator',
      '@inline function PROF_MS(k: i32, ms: f64): void {',
      '  const p = PROF + <usize>k * 24 + 16;',
      '  store<f64>(p, load<f64>(p) + ms);',
      '}',
    ];
  }
}
