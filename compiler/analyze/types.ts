// Type inference over the whole file. Each relation column and each rule variable is a type
// variable; uses unify them (union-find), and literals, declarations, arithmetic, ordering
// comparisons and function signatures fix types. A conflict names both places: where the one
// type came from and where the other did. Unconstrained columns default to int, except that a
// variable used as a destination defaults to addr. A destination may be an addr or an int.

import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Atom, Expr, Rule } from '../parse/ast.js';
import type { Span } from '../source.js';
import { builtins } from '../values/builtins.js';
import type { ValueType } from '../values/value.js';
import type { ColumnInfo } from './analysis.js';
import type { CollectedProgram } from './collect.js';
import type { RelationTable } from './relations.js';

export interface TypeResult {
  readonly columns: ReadonlyMap<string, readonly ColumnInfo[]>;
  /** Indexed by rule id. */
  readonly variables: readonly ReadonlyMap<string, ValueType>[];
}

interface Origin {
  readonly span: Span;
  readonly reason: string;
}

class Solver {
  private readonly parent: number[] = [];
  private readonly type: (ValueType | undefined)[] = [];
  private readonly origin: (Origin | undefined)[] = [];
  private readonly soft: (ValueType | undefined)[] = [];
  /** Pairs of classes whose conflict was reported. */
  private readonly reported = new Set<string>();

  constructor(private readonly sink: Diagnostic[]) {}

  fresh(): number {
    const id = this.parent.length;
    this.parent.push(id);
    this.type.push(undefined);
    this.origin.push(undefined);
    this.soft.push(undefined);
    return id;
  }

  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }

  /** A fresh variable of a known type. */
  of(type: ValueType, origin: Origin): number {
    const t = this.fresh();
    this.type[t] = type;
    this.origin[t] = origin;
    return t;
  }

  prefer(x: number, type: ValueType): void {
    const r = this.find(x);
    this.soft[r] ??= type;
  }

  require(x: number, type: ValueType, origin: Origin, subject: string): void {
    this.unify(x, this.of(type, origin), origin.span, subject);
  }

  /**
   * Merges two type variables; `site` is where the program makes them equal. Two variables of
   * different types are reported and left apart, so that each side stays consistent and one
   * mistake gives one error, while an independent mistake elsewhere is still found.
   */
  unify(a: number, b: number, site: Span, subject: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const ta = this.type[ra];
    const tb = this.type[rb];
    if (ta && tb && ta !== tb) {
      const key = ra < rb ? `${ra}/${rb}` : `${rb}/${ra}`;
      if (!this.reported.has(key)) this.report(ra, rb, site, subject);
      this.reported.add(key);
      return;
    }
    this.parent[rb] = ra;
    if (!ta && tb) {
      this.type[ra] = tb;
      this.origin[ra] = this.origin[rb];
    }
    this.soft[ra] ??= this.soft[rb];
  }

  private report(here: number, there: number, site: Span, subject: string): void {
    // `there` is the side whose type came from elsewhere; name both origins.
    const [a, b] = [here, there].map((r) => ({ type: this.type[r]!, origin: this.origin[r]! }));
    const local = [a!, b!].find((x) => x.origin.span.start === site.start && x.origin.span.end === site.end);
    const other = local === a ? b! : a!;
    const mine = local ?? b!;
    const related = [{ span: other.origin.span, message: `${other.type} because of this: ${other.origin.reason}` }];
    if (!local) related.push({ span: mine.origin.span, message: `${mine.type} because of this: ${mine.origin.reason}` });
    const message = local
      ? `type conflict: ${subject} is ${mine.type} here, but ${other.type} elsewhere`
      : `type conflict: ${subject} would be both ${other.type} and ${mine.type}`;
    this.sink.push(
      diagnostic('DED203', message, {
        span: site,
        label: local ? `${mine.type}: ${mine.origin.reason}` : `${other.type} and ${mine.type} meet here`,
        related,
      }),
    );
  }

  resolve(x: number): ValueType {
    const r = this.find(x);
    return this.type[r] ?? this.soft[r] ?? 'int';
  }
}

export function inferTypes(program: CollectedProgram, relations: RelationTable, sink: Diagnostic[]): TypeResult {
  const solver = new Solver(sink);
  const columnVars = new Map<string, number[]>();
  for (const r of relations.values()) {
    const vars = Array.from({ length: r.arity }, () => solver.fresh());
    columnVars.set(r.name, vars);
    r.declaration?.columns?.forEach((c, i) => {
      if (c.type) solver.require(vars[i]!, c.type, { span: c.span, reason: `declared ${c.type}` }, `column \`${c.name}\` of \`${r.name}\``);
    });
  }
  // A use with the wrong number of arguments is DED202; its arguments are not typed.
  const column = (name: string, i: number, useArity: number) => {
    const rel = relations.get(name);
    return rel && rel.arity === useArity ? columnVars.get(name)?.[i] : undefined;
  };

  const destinations: { t: number; span: Span }[] = [];
  const variables = program.rules.map(({ rule }) => inferRule(rule, solver, column, destinations));
  // A destination is an addr or an int, never a string (checked once every rule is in).
  for (const d of destinations) {
    if (solver.resolve(d.t) === 'string') solver.require(d.t, 'addr', { span: d.span, reason: 'used as a destination' }, 'the destination');
  }

  const columns = new Map<string, ColumnInfo[]>();
  for (const r of relations.values()) {
    columns.set(
      r.name,
      columnVars.get(r.name)!.map((v, i) => {
        const name = r.declaration?.columns?.[i]?.name;
        return { ...(name ? { name } : {}), type: solver.resolve(v) };
      }),
    );
  }
  const resolved = variables.map((vars) => new Map([...vars].map(([name, v]) => [name, solver.resolve(v)])));
  return { columns, variables: resolved };
}

function inferRule(
  rule: Rule,
  solver: Solver,
  column: (name: string, i: number, useArity: number) => number | undefined,
  destinations: { t: number; span: Span }[],
): Map<string, number> {
  const vars = new Map<string, number>();
  const variable = (name: string) => {
    let v = vars.get(name);
    if (v === undefined) vars.set(name, (v = solver.fresh()));
    return v;
  };

  const atom = (a: Atom) => {
    a.args.forEach((arg, i) => {
      const col = column(a.name, i, a.args.length);
      if (col === undefined) return;
      const subject = `argument ${i + 1} of \`${a.name}\``;
      if (arg.kind === 'var' && arg.name !== '_') solver.unify(variable(arg.name), col, arg.span, subject);
      else if (arg.kind === 'int') solver.require(col, 'int', { span: arg.span, reason: 'an integer literal' }, subject);
      else if (arg.kind === 'string') solver.require(col, 'string', { span: arg.span, reason: 'a string literal' }, subject);
    });
  };

  const expr = (e: Expr): number => {
    switch (e.kind) {
      case 'var':
        return variable(e.name);
      case 'int':
        return solver.of('int', { span: e.span, reason: 'an integer literal' });
      case 'string':
        return solver.of('string', { span: e.span, reason: 'a string literal' });
      case 'unary': {
        solver.require(expr(e.operand), 'int', { span: e.span, reason: 'negated with `-`' }, 'the operand of `-`');
        return solver.of('int', { span: e.span, reason: 'the result of `-`' });
      }
      case 'binary': {
        const origin = { span: e.span, reason: `used in arithmetic (\`${e.op}\`)` };
        solver.require(expr(e.left), 'int', origin, `the left operand of \`${e.op}\``);
        solver.require(expr(e.right), 'int', origin, `the right operand of \`${e.op}\``);
        return solver.of('int', { span: e.span, reason: `the result of \`${e.op}\`` });
      }
      case 'call': {
        const fn = builtins.get(e.fn);
        e.args.forEach((arg, i) => {
          const t = expr(arg);
          const param = fn ? (fn.params[i] ?? fn.rest) : undefined;
          if (param && param !== 'any') {
            solver.require(t, param, { span: arg.span, reason: `an argument of \`${e.fn}\`` }, `argument ${i + 1} of \`${e.fn}\``);
          }
        });
        return fn ? solver.of(fn.result, { span: e.span, reason: `the result of \`${e.fn}\`` }) : solver.fresh();
      }
      default: {
        const never: never = e;
        return never;
      }
    }
  };

  for (const lit of rule.body) {
    switch (lit.kind) {
      case 'atom':
        atom(lit);
        break;
      case 'negation':
        atom(lit.atom);
        break;
      case 'predicate': {
        const l = expr(lit.left);
        const r = expr(lit.right);
        if (lit.op === '==' || lit.op === '!=') solver.unify(l, r, lit.span, `the comparison \`${lit.op}\``);
        else {
          const origin = { span: lit.span, reason: `compared with \`${lit.op}\`` };
          solver.require(l, 'int', origin, `the left side of \`${lit.op}\``);
          solver.require(r, 'int', origin, `the right side of \`${lit.op}\``);
        }
        break;
      }
      case 'lessThan': {
        const origin = { span: lit.span, reason: 'an argument of `less_than`' };
        solver.require(variable(lit.variable.name), 'int', origin, `\`${lit.variable.name}\``);
        if (lit.bound.kind === 'var') solver.require(variable(lit.bound.name), 'int', origin, `\`${lit.bound.name}\``);
        break;
      }
      default: {
        const never: never = lit;
        return never;
      }
    }
  }

  const { head } = rule;
  head.args.forEach((arg, i) => {
    const col = column(head.name, i, head.args.length);
    let t: number;
    if (arg.kind === 'aggregate') {
      if (arg.fn === 'count' || arg.args === 'star') t = solver.of('int', { span: arg.span, reason: `the result of \`${arg.fn}\`` });
      else {
        const v = variable(arg.args[0]!.name);
        if (arg.fn === 'sum') {
          solver.require(v, 'int', { span: arg.span, reason: `aggregated by \`${arg.fn}\`` }, `\`${arg.args[0]!.name}\``);
        }
        t = v;
      }
    } else if (arg.kind === 'index') {
      t = solver.of('int', { span: arg.span, reason: 'the result of `index()`' });
    } else t = expr(arg);
    if (col !== undefined) solver.unify(t, col, arg.span, `argument ${i + 1} of \`${head.name}\``);
  });
  if (head.dest) {
    const t = expr(head.dest);
    if (head.dest.kind === 'var') solver.prefer(t, 'addr');
    destinations.push({ t, span: head.dest.span });
  }
  return vars;
}
