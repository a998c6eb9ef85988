// `dedc show plan`: a ProgramPlan as text. Per role, how each relation is stored (storage and
// size class, flags, indexes by column name), then each stratum's rules with their source
// text and evaluation, and every variant's join tree one step per line, ending in the head.
// Deterministic: the output depends only on the plan, so it is snapshot-tested.

import { assertNever, type Expr } from '../parse/ast.js';
import { printExpr, quoteString } from '../parse/print.js';
import type { HeadPlan, HeadValue, KeyTerm, ProgramPlan, RelationPlan, RolePlan, RowRange, RulePlan, Step, Variant } from './plan.js';
import type { RelationEntry } from './relation-table.js';

export function printPlan(plan: ProgramPlan): string {
  return plan.roles.map((r) => printRolePlan(plan, r)).join('\n');
}

export function printRolePlan(plan: ProgramPlan, role: RolePlan): string {
  const p = new PlanPrinter(plan, role);
  return `${p.role().join('\n')}\n`;
}

const rangeText: Record<RowRange, string> = { all: 'all rows', delta: 'delta rows', seen: 'seen rows' };

class PlanPrinter {
  private readonly entries: ReadonlyMap<string, RelationEntry>;
  private readonly relations: ReadonlyMap<string, RelationPlan>;

  constructor(
    plan: ProgramPlan,
    private readonly rp: RolePlan,
  ) {
    this.entries = new Map(plan.relations.map((r) => [r.name, r]));
    this.relations = new Map(rp.relations.map((r) => [r.name, r]));
  }

  role(): string[] {
    const rp = this.rp;
    const out = [`role ${rp.role}`, '  relations'];
    const width = Math.max(0, ...rp.relations.map((r) => r.name.length));
    for (const r of rp.relations) {
      const parts = [r.name.padEnd(width), r.storage.padEnd(9), r.size.padEnd(11), this.flags(r), this.indexes(r)].filter(Boolean);
      out.push(`    ${parts.join('  ').trimEnd()}`);
    }
    if (rp.outputs.length) out.push(`  outputs: ${rp.outputs.join(', ')}`);
    if (rp.durable.length) out.push(`  durable log: ${rp.durable.join(', ')}`);
    if (rp.literals.length) out.push(`  string literals: ${rp.literals.map(quoteString).join(', ')}`);
    rp.strata.forEach((s, i) => {
      if (!s.once.length && !s.fixpoint.length) out.push(`  stratum ${i}: no rules`);
      if (s.once.length) out.push(`  stratum ${i}: once, at its start`, ...s.once.flatMap((r) => this.rule(r)));
      if (s.fixpoint.length) out.push(`  stratum ${i}: to fixpoint`, ...s.fixpoint.flatMap((r) => this.rule(r)));
    });
    if (rp.next.length) out.push('  next tick (:+)', ...rp.next.flatMap((r) => this.rule(r)));
    if (rp.async.length) out.push('  send (:~)', ...rp.async.flatMap((r) => this.rule(r)));
    return out;
  }

  private flags(r: RelationPlan): string {
    const flags: [boolean, string][] = [
      [r.external, 'external'],
      [r.pending, 'pending'],
      [r.durable, 'durable'],
      [r.output, 'output'],
      [r.staged, 'staged'],
      [r.sent, 'sent'],
    ];
    return flags
      .filter(([on]) => on)
      .map(([, name]) => name)
      .join(', ');
  }

  private indexes(r: RelationPlan): string {
    return r.indexes.map((cols, k) => `index ${k} on (${cols.map((c) => this.column(r.name, c)).join(', ')})`).join(', ');
  }

  /** A column by its declared name, else by number (`#2`). */
  private column(relation: string, col: number): string {
    return this.entries.get(relation)?.columns[col]?.name ?? `#${col}`;
  }

  private rule(r: RulePlan): string[] {
    const out = [`    rule ${r.text}   [${r.evaluation}]`];
    if (r.full) out.push('      first pass in a tick:', ...r.full.steps.map((s) => `        ${this.step(s)}`), '      then, while the stratum derives more:');
    for (const v of r.variants) {
      if (v.delta === undefined) out.push(...v.steps.map((s) => `      ${this.step(s)}`));
      else out.push(`      ${this.variantTitle(r, v)}:`, ...v.steps.map((s) => `        ${this.step(s)}`));
    }
    out.push(`      ${head(r.head, r.evaluation)}`);
    return out;
  }

  private variantTitle(r: RulePlan, v: Variant): string {
    const name = r.atoms[v.delta!]!;
    // Two atoms of one relation: say which one by its position among the positive atoms.
    const same = r.atoms.filter((a) => a === name).length > 1;
    return `variant Δ ${name}${same ? ` (atom ${v.delta! + 1})` : ''}`;
  }

  private step(s: Step): string {
    switch (s.kind) {
      case 'scan':
        return `scan ${this.pattern(s.relation, [], s.binds, s.checks)}  ${rangeText[s.range]}`;
      case 'lookup': {
        const cols = this.keyColumns(s.relation, s.index, s.key.length);
        return `lookup ${this.pattern(s.relation, zip(cols, s.key), s.binds, s.checks)}  by (${s.key.map(keyTerm).join(', ')}) on ${s.index === 'row' ? 'full row' : `index ${s.index}`}  ${rangeText[s.range]}`;
      }
      case 'generate':
        return `generate less_than(${s.name}, ${keyTerm(s.bound)})`;
      case 'filter':
        return `filter ${printExpr(s.left)} ${s.op} ${printExpr(s.right)}${s.type === 'string' ? '  (strings)' : ''}`;
      case 'antijoin': {
        const cols = typeof s.index === 'number' || s.index === 'row' ? this.keyColumns(s.relation, s.index, s.key.length) : [];
        const pattern = this.pattern(s.relation, zip(cols, s.key), [], []);
        const same = s.sameAs.map((x) => `${this.column(s.relation, x.col)} = ${this.column(s.relation, x.other)}`).join(', ');
        const how =
          s.index === 'row'
            ? `by (${s.key.map(keyTerm).join(', ')}) on full row`
            : s.index === 'empty'
              ? 'when empty'
              : s.index === 'none'
                ? `scan where ${same}`
                : `by (${s.key.map(keyTerm).join(', ')}) on index ${s.index}${same ? ` where ${same}` : ''}`;
        return `anti-join !${pattern}  ${how}`;
      }
      default:
        return assertNever(s);
    }
  }

  private keyColumns(relation: string, index: number | 'row', keys: number): readonly number[] {
    if (index === 'row') return Array.from({ length: keys }, (_, i) => i);
    return this.relations.get(relation)?.indexes[index] ?? [];
  }

  /** The atom as the step reads it: key terms, bound variables and checks in place, `_` elsewhere. */
  private pattern(
    relation: string,
    keys: readonly { col: number; term: KeyTerm }[],
    binds: readonly { col: number; name: string }[],
    checks: readonly { col: number; term: KeyTerm }[],
  ): string {
    const arity = this.relations.get(relation)?.types.length ?? this.entries.get(relation)?.columns.length ?? 0;
    const cols: string[] = Array.from({ length: arity }, () => '_');
    for (const k of keys) cols[k.col] = keyTerm(k.term);
    for (const b of binds) cols[b.col] = b.name;
    for (const c of checks) cols[c.col] = keyTerm(c.term);
    return `${relation}(${cols.join(', ')})`;
  }
}

function zip(cols: readonly number[], terms: readonly KeyTerm[]): { col: number; term: KeyTerm }[] {
  return terms.map((term, i) => ({ col: cols[i] ?? i, term }));
}

function keyTerm(t: KeyTerm): string {
  switch (t.kind) {
    case 'var':
      return t.name;
    case 'int':
      return t.value.toString();
    case 'string':
      return quoteString(t.value);
    default:
      return assertNever(t);
  }
}

function headValue(v: HeadValue): string {
  switch (v.kind) {
    case 'expr':
      return printExpr(v.expr);
    case 'aggregate':
      return `${v.fn}(${v.vars === 'star' ? '*' : v.vars.join(', ')})`;
    case 'index':
      return 'index()';
    default:
      return assertNever(v);
  }
}

function destination(dest: Expr | undefined): string {
  if (!dest) return '';
  return dest.kind === 'var' || (dest.kind === 'int' && dest.value >= 0n) ? `@${printExpr(dest)}` : `@(${printExpr(dest)})`;
}

/** The last line of a rule: what its join results become. */
function head(h: HeadPlan, evaluation: RulePlan['evaluation']): string {
  const atom = `${h.relation}${destination(h.dest)}(${h.values.map(headValue).join(', ')})`;
  const groups = h.values.filter((v) => v.kind === 'expr').map(headValue);
  const by = groups.length ? ` by ${groups.join(', ')}` : '';
  const aggregates = h.values.filter((v) => v.kind === 'aggregate');
  if (aggregates.length) return `${evaluation === 'accumulate' ? 'fold new bindings into kept groups:' : 'aggregate'} ${aggregates.map(headValue).join(', ')}${by} → ${h.relation}`;
  if (h.values.some((v) => v.kind === 'index')) return `number with index()${by} → ${h.relation}`;
  switch (evaluation) {
    case 'next':
      return `stage for the next tick → ${atom}`;
    case 'async':
      return `send → ${atom}`;
    case 'incremental':
    case 'per-tick':
    case 'once':
    case 'accumulate':
      return `→ ${atom}`;
    default:
      return assertNever(evaluation);
  }
}
