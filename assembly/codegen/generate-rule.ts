// One rule's kernel as an AssemblyScript function: its join variants as nested loops over row
// ranges and index chains, filters and anti-joins in place, and the head: a plain insert, or
// the bindings collected for aggregation (group table, distinct sets per aggregate) or for
// index() numbering (sorted, then numbered). The function returns false when the tick's work
// budget runs out; the caller abandons the tick.

import { assertNever } from '../../compiler/parse/ast.js';
import type { KeyTerm, RelationPlan, RulePlan, Step } from '../../compiler/ir/plan.js';
import type { ValueType } from '../../compiler/values/value.js';
import { ExprWriter, intLiteral, type ExprScope } from './generate-expr.js';

export interface RoleNames {
  readonly relation: (name: string) => RelationPlan;
  /** Global of a relation's rows (R_), staged next-tick facts (N_), sends (S_). */
  readonly rows: (name: string) => string;
  readonly staging: (name: string) => string;
  readonly sends: (name: string) => string;
  readonly index: (name: string, k: number) => string;
  readonly literal: (value: string) => string;
}

export interface RuleCode {
  readonly globals: string[];
  readonly init: string[];
  /** Statements that make a per-tick rule start from scratch at the start of a tick. */
  readonly tickStart: string[];
  readonly fn: string;
}

/** Bit mask of string columns for the runtime's RowSet. */
export function stringMask(types: readonly ValueType[]): string {
  let m = 0n;
  types.forEach((t, i) => {
    if (t === 'string') m |= 1n << BigInt(i);
  });
  return `<u64>${m}`;
}

export function generateRule(rule: RulePlan, k: number, names: RoleNames, profile: boolean): RuleCode {
  const globals: string[] = [];
  const init: string[] = [];
  const tickStart: string[] = [];
  const lines: string[] = [];
  const types = new Map(rule.variables.map((v) => [v.name, v.type]));
  const scope: ExprScope = { variable: (n) => `v_${n}`, literal: names.literal, typeOfVar: (n) => types.get(n) ?? 'int' };
  const head = rule.head;
  const hasAggregate = head.values.some((v) => v.kind === 'aggregate');
  const indexAt = head.values.findIndex((v) => v.kind === 'index');
  const target = rule.evaluation === 'next' ? names.staging(head.relation) : rule.evaluation === 'async' ? names.sends(head.relation) : names.rows(head.relation);
  const out = (indent: string) => (profile ? `${indent}PROF_OUT(${k});` : '');

  // Temporary sets: bindings for aggregates, distinct head rows for index().
  const bindSet = `B${k}`;
  const bindTypes = rule.variables.map((v) => v.type);
  const destCols = head.dest ? 1 : 0;
  const plainValues = head.values.flatMap((v) => (v.kind === 'expr' ? [v] : []));
  const groupTypes: ValueType[] = [...(head.dest ? (['addr'] as ValueType[]) : []), ...plainValues.map((v) => v.type)];
  if (hasAggregate) {
    globals.push(`let ${bindSet}!: RowSet; // distinct bindings of the body`, `let G${k}!: RowSet; // groups: destination and GROUP BY key`);
    init.push(`${bindSet} = new RowSet(${bindTypes.length}, ${stringMask(bindTypes)});`, `G${k} = new RowSet(${groupTypes.length}, ${stringMask(groupTypes)});`);
  } else if (indexAt >= 0) {
    globals.push(`let T${k}!: RowSet; // distinct head facts before numbering`, `let O${k}!: IdList;`);
    init.push(`T${k} = new RowSet(${groupTypes.length}, ${stringMask(groupTypes)});`, `O${k} = new IdList();`);
  }

  // Watermarks: per positive atom, the rows this rule has read and the epoch they belong to.
  const accumulate = rule.evaluation === 'accumulate';
  const semiNaive = rule.evaluation === 'incremental' || rule.evaluation === 'per-tick' || accumulate;
  lines.push(`// ${rule.text}`);
  lines.push(`// ${rule.evaluation}${rule.label ? `, rule ${rule.label}` : ''}`);
  lines.push(`function rule${k}(): bool {`);
  if (accumulate) {
    // Kept groups stay valid while every body relation keeps its rows; a relation that was
    // truncated (an abandoned tick) starts the groups over.
    lines.push('  let restart = false;');
    rule.atoms.forEach((rel, i) => {
      globals.push(`let W${k}_${i}: i32 = 0;`, `let E${k}_${i}: i32 = -1;`);
      lines.push(`  if (E${k}_${i} != ${names.rows(rel)}.epoch) restart = true;`);
    });
    lines.push('  if (restart) {');
    rule.atoms.forEach((rel, i) => lines.push(`    W${k}_${i} = 0;`, `    E${k}_${i} = ${names.rows(rel)}.epoch;`));
    lines.push(`    ${bindSet}.clear();`, '    restartGroups();', '  }');
  }
  rule.atoms.forEach((rel, i) => {
    const set = names.rows(rel);
    if (semiNaive) {
      if (!accumulate) {
        globals.push(`let W${k}_${i}: i32 = 0;`, `let E${k}_${i}: i32 = -1;`);
        lines.push(`  if (E${k}_${i} != ${set}.epoch) { W${k}_${i} = 0; E${k}_${i} = ${set}.epoch; }`);
      }
      lines.push(`  const end${i} = ${set}.count;`, `  const seen${i} = W${k}_${i};`);
    } else lines.push(`  const end${i} = ${set}.count;`);
  });
  if (hasAggregate && !accumulate) lines.push(`  ${bindSet}.clear();`);
  if (hasAggregate) lines.push(`  const firstNew = ${bindSet}.count;`);
  if (indexAt >= 0) lines.push(`  T${k}.clear();`);

  if (rule.full) {
    // The first pass of the tick joins everything from the smallest relation; later passes of
    // the stratum's fixpoint read only what is new since.
    globals.push(`let F${k}: bool = true; // the first pass of this tick is still to come`);
    tickStart.push(`F${k} = true;`);
    const body: string[] = [];
    emitSteps(rule.full.steps, 0, '    ', body);
    lines.push(`  if (F${k}) {`, `    F${k} = false;`, ...body, '  } else {');
  }
  for (const variant of rule.variants) {
    const body: string[] = [];
    const indent = semiNaive ? '    ' : '  ';
    emitSteps(variant.steps, 0, indent, body);
    if (semiNaive) lines.push(`  if (end${variant.delta} > seen${variant.delta}) {`, ...body, '  }');
    else lines.push(...body);
  }
  if (rule.full) lines.push('  }');
  if (semiNaive) rule.atoms.forEach((_, i) => lines.push(`  W${k}_${i} = end${i};`));
  let groupRestart: string[] = [];
  if (hasAggregate) emitAggregation();
  if (indexAt >= 0) emitNumbering();
  lines.push('  return true;', '}');
  const fn = lines.join('\n').replace('restartGroups();', `restartGroups${k}();`);
  return { globals, init, tickStart, fn: groupRestart.length ? `${groupRestart.join('\n')}\n\n${fn}` : fn };

  function term(t: KeyTerm): string {
    return t.kind === 'var' ? `v_${t.name}` : t.kind === 'int' ? intLiteral(t.value) : names.literal(t.value);
  }

  function storeKey(key: readonly KeyTerm[], indent: string, body: string[]): void {
    key.forEach((t, i) => body.push(`${indent}store<i64>(KEY, ${term(t)}, ${i * 8});`));
  }

  function range(step: { atom: number; range: string }): [string, string] {
    const i = step.atom;
    if (step.range === 'delta') return [`seen${i}`, `end${i}`];
    if (step.range === 'seen') return ['0', `seen${i}`];
    return ['0', `end${i}`];
  }

  function emitSteps(steps: readonly Step[], at: number, indent: string, body: string[]): void {
    if (at === steps.length) {
      emitHead(indent, body);
      return;
    }
    const step = steps[at]!;
    const d = at;
    const inner = indent + '  ';
    switch (step.kind) {
      case 'scan':
      case 'lookup': {
        const set = names.rows(step.relation);
        const [lo, hi] = range(step);
        if (step.kind === 'scan') body.push(`${indent}for (let r${d} = ${lo}; r${d} < ${hi}; r${d}++) {`);
        else if (step.index === 'row') {
          storeKey(step.key, indent, body);
          body.push(`${indent}do {`, `${inner}const r${d} = ${set}.find(KEY);`, `${inner}if (r${d} < ${lo} || r${d} >= ${hi}) continue;`);
        } else {
          storeKey(step.key, indent, body);
          const ix = names.index(step.relation, step.index);
          body.push(`${indent}for (let r${d} = ${ix}.first(KEY), m${d} = ${ix}.more; r${d} >= 0; r${d} = m${d} ? ${ix}.nextOf(r${d}) : -1, m${d} = true) {`);
          body.push(`${inner}if (r${d} >= ${hi}) continue;`);
          if (lo !== '0') body.push(`${inner}if (r${d} < ${lo}) break;`);
        }
        body.push(`${inner}if (--budget < 0) return false;`);
        if (profile) body.push(`${inner}PROF_IN(${k});`);
        if (step.checks.length || step.binds.length) body.push(`${inner}const p${d} = ${set}.row(r${d});`);
        for (const b of step.binds) body.push(`${inner}const v_${b.name} = load<i64>(p${d}, ${b.col * 8});`);
        for (const c of step.checks) body.push(`${inner}if (load<i64>(p${d}, ${c.col * 8}) != ${term(c.term)}) continue;`);
        emitSteps(steps, at + 1, inner, body);
        body.push(step.kind === 'lookup' && step.index === 'row' ? `${indent}} while (false);` : `${indent}}`);
        return;
      }
      case 'generate':
        body.push(`${indent}for (let v_${step.name}: i64 = 0; v_${step.name} < ${term(step.bound)}; v_${step.name}++) {`);
        body.push(`${inner}if (--budget < 0) return false;`);
        emitSteps(steps, at + 1, inner, body);
        body.push(`${indent}}`);
        return;
      case 'filter': {
        const w = new ExprWriter(scope, body, indent, `f${d}_`);
        const l = w.write(step.left);
        const r = w.write(step.right);
        const ordered = step.op !== '==' && step.op !== '!=';
        const cond = step.type === 'string' && ordered ? `compareStrings(${l}, ${r}) ${step.op} 0` : `(${l}) ${step.op} (${r})`;
        body.push(`${indent}if (!(${cond})) continue;`);
        emitSteps(steps, at + 1, indent, body);
        return;
      }
      case 'antijoin': {
        const set = names.rows(step.relation);
        if (step.index === 'empty') body.push(`${indent}if (${set}.count > 0) continue;`);
        else if (step.index === 'row') {
          storeKey(step.key, indent, body);
          body.push(`${indent}if (${set}.find(KEY) >= 0) continue;`);
        } else {
          const found = `found${d}`;
          body.push(`${indent}let ${found} = false;`);
          if (step.index === 'none') body.push(`${indent}for (let q${d} = 0; q${d} < ${set}.count; q${d}++) {`);
          else {
            storeKey(step.key, indent, body);
            const ix = names.index(step.relation, step.index);
            body.push(`${indent}for (let q${d} = ${ix}.first(KEY), m${d} = ${ix}.more; q${d} >= 0; q${d} = m${d} ? ${ix}.nextOf(q${d}) : -1, m${d} = true) {`);
          }
          body.push(`${inner}if (--budget < 0) return false;`);
          for (const s of step.sameAs) body.push(`${inner}if (${set}.get(q${d}, ${s.col}) != ${set}.get(q${d}, ${s.other})) continue;`);
          body.push(`${inner}${found} = true;`, `${inner}break;`, `${indent}}`, `${indent}if (${found}) continue;`);
        }
        emitSteps(steps, at + 1, indent, body);
        return;
      }
      default:
        assertNever(step);
    }
  }

  function emitHead(indent: string, body: string[]): void {
    if (hasAggregate) {
      rule.variables.forEach((v, i) => body.push(`${indent}store<i64>(ROW, v_${v.name}, ${i * 8});`));
      body.push(`${indent}${bindSet}.insert(ROW);`);
      return;
    }
    const w = new ExprWriter(scope, body, indent, 'h');
    const cells: string[] = [];
    if (head.dest) cells.push(w.write(head.dest));
    if (indexAt >= 0) {
      for (const v of head.values) if (v.kind === 'expr') cells.push(w.write(v.expr));
      cells.forEach((c, i) => body.push(`${indent}store<i64>(ROW, ${c}, ${i * 8});`));
      body.push(`${indent}T${k}.insert(ROW);`);
      return;
    }
    for (const v of head.values) if (v.kind === 'expr') cells.push(w.write(v.expr));
    cells.forEach((c, i) => body.push(`${indent}store<i64>(ROW, ${c}, ${i * 8});`));
    body.push(`${indent}if (${target}.insert(ROW) >= 0) {`, `${indent}  derived++;`, out(indent + '  '), `${indent}}`);
  }

  /** Groups the distinct bindings, folds each aggregate over its distinct values, emits one fact per group. */
  function emitAggregation(): void {
    const vars = rule.variables;
    const col = (name: string) => vars.findIndex((v) => v.name === name);
    const aggs = head.values.flatMap((v, i) => (v.kind === 'aggregate' ? [{ ...v, at: i }] : []));
    const chooseVars = aggs.filter((a) => a.fn === 'choose').map((a) => (a.vars as string[])[0]!);
    aggs.forEach((a, j) => {
      globals.push(`let A${k}_${j}!: I64Vec;`);
      init.push(`A${k}_${j} = new I64Vec();`);
      if ((a.fn === 'count' || a.fn === 'sum') && a.vars !== 'star') {
        const dTypes: ValueType[] = ['int', ...a.vars.map((n) => vars[col(n)]!.type)];
        globals.push(`let D${k}_${j}!: RowSet; // distinct (group, values) of aggregate ${j}`);
        init.push(`D${k}_${j} = new RowSet(${dTypes.length}, ${stringMask(dTypes)});`);
      }
    });
    if (chooseVars.length) {
      globals.push(`let C${k}!: I64Vec; // per group, the binding choose() picked`);
      init.push(`C${k} = new I64Vec();`);
    }
    const L = lines;
    // Emptying the groups: every tick, or (accumulating) only when the bindings start over.
    const restart = [`  G${k}.clear();`];
    aggs.forEach((a, j) => {
      restart.push(`  A${k}_${j}.reset();`);
      if (a.fn === 'count' || a.fn === 'sum') if (a.vars !== 'star') restart.push(`  D${k}_${j}.clear();`);
    });
    if (chooseVars.length) restart.push(`  C${k}.reset();`);
    if (accumulate) groupRestart = [`function restartGroups${k}(): void {`, ...restart, '}'];
    else L.push(...restart);
    L.push(`  for (let b = firstNew; b < ${bindSet}.count; b++) {`, '    if (--budget < 0) return false;', `    const pb = ${bindSet}.row(b);`);
    vars.forEach((v, i) => L.push(`    const v_${v.name} = load<i64>(pb, ${i * 8});`));
    const w = new ExprWriter(scope, L, '    ', 'g');
    const keyCells: string[] = [];
    if (head.dest) keyCells.push(w.write(head.dest));
    for (const v of plainValues) keyCells.push(w.write(v.expr));
    keyCells.forEach((c, i) => L.push(`    store<i64>(ROW, ${c}, ${i * 8});`));
    L.push(`    let g = G${k}.find(ROW);`, '    const fresh = g < 0;', `    if (fresh) g = G${k}.insert(ROW);`);
    aggs.forEach((a, j) => {
      const A = `A${k}_${j}`;
      const x = a.vars === 'star' ? '' : `v_${a.vars[0]}`;
      switch (a.fn) {
        case 'count':
        case 'sum': {
          L.push(`    if (fresh) ${A}.push(0);`);
          if (a.vars === 'star') {
            L.push(`    ${A}.set(g, ${A}.get(g) + 1);`);
            break;
          }
          L.push(`    store<i64>(ROW, <i64>g);`);
          a.vars.forEach((n, i) => L.push(`    store<i64>(ROW, v_${n}, ${(i + 1) * 8});`));
          L.push(`    if (D${k}_${j}.insert(ROW) >= 0) ${A}.set(g, ${A}.get(g) + ${a.fn === 'count' ? '1' : x});`);
          break;
        }
        case 'min':
        case 'max': {
          const less = a.type === 'string' ? `compareStrings(${x}, ${A}.get(g)) ${a.fn === 'min' ? '<' : '>'} 0` : `(${x}) ${a.fn === 'min' ? '<' : '>'} (${A}.get(g))`;
          L.push(`    if (fresh) ${A}.push(${x});`, `    else if (${less}) ${A}.set(g, ${x});`);
          break;
        }
        case 'choose':
          break;
        default:
          assertNever(a.fn);
      }
    });
    if (chooseVars.length) {
      // Every choose() of the head reads one binding: the least by its chosen values.
      L.push(`    if (fresh) C${k}.push(<i64>b);`, '    else {', `      const pc = ${bindSet}.row(<i32>C${k}.get(g));`, '      let c = 0;');
      for (const n of chooseVars) {
        const off = col(n) * 8;
        const cmp =
          types.get(n) === 'string'
            ? `compareStrings(v_${n}, load<i64>(pc, ${off}))`
            : `((v_${n}) < (load<i64>(pc, ${off})) ? -1 : (v_${n}) > (load<i64>(pc, ${off})) ? 1 : 0)`;
        L.push(`      if (c == 0) c = ${cmp};`);
      }
      L.push(`      if (c < 0) C${k}.set(g, <i64>b);`, '    }');
    }
    L.push('  }');
    L.push(`  for (let g = 0; g < G${k}.count; g++) {`, '    if (--budget < 0) return false;', `    const pg = G${k}.row(g);`);
    const cells: string[] = [];
    if (head.dest) cells.push(`load<i64>(pg, 0)`);
    let plain = destCols;
    let agg = 0;
    for (const v of head.values) {
      if (v.kind === 'expr') cells.push(`load<i64>(pg, ${plain++ * 8})`);
      else if (v.kind === 'aggregate') {
        const j = agg++;
        cells.push(v.fn === 'choose' ? `${bindSet}.get(<i32>C${k}.get(g), ${col((v.vars as string[])[0]!)})` : `A${k}_${j}.get(g)`);
      }
    }
    cells.forEach((c, i) => L.push(`    store<i64>(ROW, ${c}, ${i * 8});`));
    L.push(`    if (${target}.insert(ROW) >= 0) {`, '      derived++;', out('      '), '    }', '  }');
  }

  /** index(): the distinct head facts in canonical order, numbered from 0. */
  function emitNumbering(): void {
    const L = lines;
    L.push(`  O${k}.fill(0, T${k}.count);`, `  O${k}.sort(T${k}, 0);`, `  for (let i = 0; i < O${k}.n; i++) {`, `    const pt = T${k}.row(O${k}.at(i));`);
    const cells: string[] = [];
    let c = 0;
    if (head.dest) cells.push(`load<i64>(pt, ${c++ * 8})`);
    for (const v of head.values) cells.push(v.kind === 'index' ? '<i64>i' : `load<i64>(pt, ${c++ * 8})`);
    cells.forEach((x, i) => L.push(`    store<i64>(ROW, ${x}, ${i * 8});`));
    L.push(`    if (${target}.insert(ROW) >= 0) {`, '      derived++;', out('      '), '    }', '  }');
  }
}
