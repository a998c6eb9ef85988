// One rule over one database, naively and literally: join the positive atoms in body order,
// generate less_than values, filter by predicates and negations, then build head facts, with
// GROUP BY for aggregates and numbering for index(). It is the oracle the other back ends are
// checked against, so it favours being obviously right over being fast.

import { assertNever, type Atom, type Expr, type HeadArg, type Rule, type Term } from '../../compiler/parse/ast.js';
import { builtins } from '../../compiler/values/builtins.js';
import { compareRows, compareValues, rowKey, wrap64, type Row, type Value } from '../../compiler/values/value.js';
import type { FactSet } from './fact-set.js';

export type Binding = ReadonlyMap<string, Value>;

/** A head fact, with its destination for `:~` rules. */
export interface Derived {
  readonly dest?: Value;
  readonly row: Row;
}

/** Counts work so that a runaway program stops instead of hanging the process. */
export class Budget {
  private used = 0;
  constructor(readonly limit: number) {}
  spend(n = 1): void {
    this.used += n;
    if (this.used > this.limit) throw new BudgetExceeded(this.limit);
  }
}

export class BudgetExceeded extends Error {
  constructor(readonly limit: number) {
    super(`tick exceeded ${limit} derivation steps`);
  }
}

export type Database = (relation: string) => FactSet | undefined;

/** Every distinct binding of the rule's body variables. */
export function bodyBindings(rule: Rule, db: Database, budget: Budget): Binding[] {
  const atoms = rule.body.filter((l): l is Atom => l.kind === 'atom');
  let partial: Map<string, Value>[] = [new Map()];
  for (const atom of atoms) {
    const facts = db(atom.name);
    const next: Map<string, Value>[] = [];
    if (facts) {
      for (const b of partial) {
        for (const row of facts) {
          budget.spend();
          const extended = match(atom.args, row, b);
          if (extended) next.push(extended);
        }
      }
    }
    partial = next;
  }
  // less_than(x, n): x ranges over [0, n) once n is known; generators may depend on each other.
  const pending = rule.body.filter((l) => l.kind === 'lessThan');
  while (pending.length) {
    const ready = pending.findIndex((g) => g.bound.kind === 'int' || partial.every((b) => b.has(g.bound.kind === 'var' ? g.bound.name : '')));
    const g = pending.splice(ready < 0 ? 0 : ready, 1)[0]!;
    const next: Map<string, Value>[] = [];
    for (const b of partial) {
      const n = g.bound.kind === 'int' ? g.bound.value : (b.get(g.bound.name) as bigint);
      for (let i = 0n; i < n; i++) {
        budget.spend();
        const extended = new Map(b);
        extended.set(g.variable.name, i);
        next.push(extended);
      }
    }
    partial = next;
  }
  const kept: Binding[] = [];
  const seen = new Set<string>();
  for (const b of partial) {
    if (!passesFilters(rule, b, db, budget)) continue;
    const key = bindingKey(b);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(b);
  }
  return kept;
}

function match(args: readonly Term[], row: Row, binding: Map<string, Value>): Map<string, Value> | undefined {
  let out: Map<string, Value> | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = row[i]!;
    switch (arg.kind) {
      case 'wildcard':
        break;
      case 'int':
      case 'string':
        if (arg.value !== value) return undefined;
        break;
      case 'var': {
        const current = (out ?? binding).get(arg.name);
        if (current === undefined) {
          out ??= new Map(binding);
          out.set(arg.name, value);
        } else if (current !== value) return undefined;
        break;
      }
      default:
        return assertNever(arg);
    }
  }
  return out ?? new Map(binding);
}

function passesFilters(rule: Rule, b: Binding, db: Database, budget: Budget): boolean {
  for (const lit of rule.body) {
    if (lit.kind === 'predicate') {
      const l = evalExpr(lit.left, b);
      const r = evalExpr(lit.right, b);
      if (l === undefined || r === undefined) return false;
      const c = compareValues(l, r);
      const ok =
        lit.op === '==' ? c === 0 : lit.op === '!=' ? c !== 0 : lit.op === '<' ? c < 0 : lit.op === '<=' ? c <= 0 : lit.op === '>' ? c > 0 : c >= 0;
      if (!ok) return false;
    } else if (lit.kind === 'negation') {
      // Variables bound elsewhere must match; unbound ones are existential (like `_`, but a
      // variable repeated inside the negated atom must match itself).
      const facts = db(lit.atom.name);
      if (facts) {
        for (const row of facts) {
          budget.spend();
          if (match(lit.atom.args, row, new Map(b))) return false;
        }
      }
    }
  }
  return true;
}

function bindingKey(b: Binding): string {
  const names = [...b.keys()].sort();
  return rowKey(names.flatMap((n) => [n, b.get(n)!]));
}

/** The value of an expression, or undefined when it has none (division by zero). */
export function evalExpr(e: Expr, b: Binding): Value | undefined {
  switch (e.kind) {
    case 'var':
      return b.get(e.name);
    case 'int':
    case 'string':
      return e.value;
    case 'unary': {
      const v = evalExpr(e.operand, b);
      return v === undefined ? undefined : wrap64(-(v as bigint));
    }
    case 'binary': {
      const l = evalExpr(e.left, b) as bigint | undefined;
      const r = evalExpr(e.right, b) as bigint | undefined;
      if (l === undefined || r === undefined) return undefined;
      const op = e.op;
      switch (op) {
        case '+':
          return wrap64(l + r);
        case '-':
          return wrap64(l - r);
        case '*':
          return wrap64(l * r);
        case '/':
          return r === 0n ? undefined : wrap64(l / r); // truncates toward zero
        case '%':
          return r === 0n ? undefined : wrap64(l % r); // sign of the dividend
        default:
          return assertNever(op);
      }
    }
    case 'call': {
      const args: Value[] = [];
      for (const a of e.args) {
        const v = evalExpr(a, b);
        if (v === undefined) return undefined;
        args.push(v);
      }
      return builtins.get(e.fn)!.apply(args);
    }
    default:
      return assertNever(e);
  }
}

/** The distinct head facts a rule derives from its body bindings. */
export function deriveHead(rule: Rule, bindings: readonly Binding[]): Derived[] {
  const { head } = rule;
  const hasAggregate = head.args.some((a) => a.kind === 'aggregate');
  const indexAt = head.args.findIndex((a) => a.kind === 'index');
  if (hasAggregate) return aggregate(rule, bindings);

  const out = new Map<string, Derived>();
  for (const b of bindings) {
    const dest = head.dest ? evalExpr(head.dest, b) : undefined;
    if (head.dest && dest === undefined) continue;
    const row: Value[] = [];
    let ok = true;
    for (const arg of head.args) {
      if (arg.kind === 'index') {
        row.push(0n); // placeholder, numbered below
        continue;
      }
      const v = evalExpr(arg as Expr, b);
      if (v === undefined) {
        ok = false;
        break;
      }
      row.push(v);
    }
    if (!ok) continue;
    const derived = dest === undefined ? { row } : { dest, row };
    out.set(rowKey(dest === undefined ? row : [dest, ...row]), derived);
  }
  const facts = [...out.values()];
  if (indexAt < 0) return facts;
  // index(): number the distinct facts 0, 1, 2... in the canonical order of (destination, other
  // arguments), so that the numbering is the same on every back end.
  const keyOf = (d: Derived) => [...(d.dest === undefined ? [] : [d.dest]), ...d.row.filter((_, i) => i !== indexAt)];
  facts.sort((x, y) => compareRows(keyOf(x), keyOf(y)));
  return facts.map((d, i) => ({ ...d, row: d.row.map((v, j) => (j === indexAt ? BigInt(i) : v)) }));
}

function aggregate(rule: Rule, bindings: readonly Binding[]): Derived[] {
  const { head } = rule;
  const groups = new Map<string, { dest?: Value; key: (Value | undefined)[]; members: Binding[] }>();
  for (const b of bindings) {
    const dest = head.dest ? evalExpr(head.dest, b) : undefined;
    if (head.dest && dest === undefined) continue;
    const key: (Value | undefined)[] = head.args.map((a) => (a.kind === 'aggregate' ? undefined : evalExpr(a as Expr, b)));
    if (head.args.some((a, i) => a.kind !== 'aggregate' && key[i] === undefined)) continue;
    const k = rowKey([...(dest === undefined ? [] : [dest]), ...key.filter((v): v is Value => v !== undefined)]);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ...(dest === undefined ? {} : { dest }), key, members: [] }));
    g.members.push(b);
  }
  const chooseVars = head.args.flatMap((a) => (a.kind === 'aggregate' && a.fn === 'choose' && a.args !== 'star' ? [a.args[0]!.name] : []));
  const out: Derived[] = [];
  for (const g of groups.values()) {
    // choose: every choose of the head reads the same binding, the least by its chosen values.
    const chosen = chooseVars.length
      ? g.members.reduce((best, b) => (compareRows(chooseVars.map((v) => b.get(v)!), chooseVars.map((v) => best.get(v)!)) < 0 ? b : best))
      : undefined;
    const row = head.args.map((a, i) => (a.kind === 'aggregate' ? aggregateValue(a, g.members, chosen) : g.key[i]!));
    out.push(g.dest === undefined ? { row } : { dest: g.dest, row });
  }
  return out;
}

function aggregateValue(a: HeadArg & { kind: 'aggregate' }, members: readonly Binding[], chosen: Binding | undefined): Value {
  if (a.args === 'star') return BigInt(members.length);
  const vars = a.args.map((v) => v.name);
  const distinct = new Map<string, Value[]>();
  for (const b of members) {
    const values = vars.map((v) => b.get(v)!);
    distinct.set(rowKey(values), values);
  }
  const values = [...distinct.values()].map((vs) => vs[0]!);
  switch (a.fn) {
    case 'count':
      return BigInt(distinct.size);
    case 'sum':
      return values.reduce<bigint>((s, v) => wrap64(s + (v as bigint)), 0n);
    case 'min':
      return values.reduce((m, v) => (compareValues(v, m) < 0 ? v : m));
    case 'max':
      return values.reduce((m, v) => (compareValues(v, m) > 0 ? v : m));
    case 'choose':
      return chosen!.get(vars[0]!)!;
    default:
      return assertNever(a.fn);
  }
}
