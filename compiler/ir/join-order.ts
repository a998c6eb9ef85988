// Join trees for one rule: the order of the body's positive atoms, generators, filters and
// anti-joins. The order is greedy over what is bound: the delta atom (if any) first, then the
// atom with the most bound columns and the smallest size class, preferring lookups to
// generators and generators to cross products; filters and anti-joins go as early as their
// variables allow. Each atom step records the columns it binds, checks and looks up by.

import type { Atom, Expr, LessThan, Negation, Predicate, Rule, Term } from '../parse/ast.js';
import type { ValueType } from '../values/value.js';
import type { KeyTerm, RowRange, SizeClass, Step } from './plan.js';

export interface JoinContext {
  readonly size: (relation: string) => SizeClass;
  readonly typeOf: (e: Expr) => ValueType;
  /** Registers an index on `cols` of `relation`; returns its position. */
  readonly index: (relation: string, cols: readonly number[]) => number;
}

const sizeRank: Record<SizeClass, number> = { tick: 0, deployment: 1, accumulated: 2 };

export function positiveAtoms(rule: Rule): Atom[] {
  return rule.body.filter((l): l is Atom => l.kind === 'atom');
}

/** Variables of an expression. */
export function exprVars(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'var':
      out.add(e.name);
      break;
    case 'binary':
      exprVars(e.left, out);
      exprVars(e.right, out);
      break;
    case 'unary':
      exprVars(e.operand, out);
      break;
    case 'call':
      for (const a of e.args) exprVars(a, out);
      break;
    default:
      break;
  }
  return out;
}

function keyTerm(t: Term): KeyTerm | undefined {
  if (t.kind === 'var') return { kind: 'var', name: t.name };
  if (t.kind === 'int') return { kind: 'int', value: t.value };
  if (t.kind === 'string') return { kind: 'string', value: t.value };
  return undefined;
}

/** The steps of one variant; `ranges[i]` is the range atom i reads. */
export function orderJoin(rule: Rule, ranges: readonly RowRange[], delta: number | undefined, ctx: JoinContext): Step[] {
  const atoms = positiveAtoms(rule);
  const generators = rule.body.filter((l): l is LessThan => l.kind === 'lessThan');
  const predicates = rule.body.filter((l): l is Predicate => l.kind === 'predicate');
  const negations = rule.body.filter((l): l is Negation => l.kind === 'negation');
  const positiveVars = new Set<string>();
  for (const a of atoms) for (const t of a.args) if (t.kind === 'var') positiveVars.add(t.name);
  for (const g of generators) positiveVars.add(g.variable.name);

  const bound = new Set<string>();
  const steps: Step[] = [];
  const atomsLeft = new Set(atoms.map((_, i) => i));
  const gensLeft = new Set(generators);
  const predsLeft = new Set(predicates);
  const negsLeft = new Set(negations);

  const isBound = (t: Term) => t.kind === 'int' || t.kind === 'string' || (t.kind === 'var' && bound.has(t.name));
  const placeFilters = () => {
    if (steps.length === 0) return;
    for (const p of [...predsLeft]) {
      const vars = exprVars(p.right, exprVars(p.left));
      if ([...vars].every((v) => bound.has(v))) {
        steps.push({ kind: 'filter', op: p.op, left: p.left, right: p.right, type: ctx.typeOf(p.left) });
        predsLeft.delete(p);
      }
    }
    for (const n of [...negsLeft]) {
      const needed = n.atom.args.filter((t) => t.kind === 'var' && positiveVars.has(t.name));
      if (needed.every(isBound)) {
        steps.push(antiJoin(n.atom, isBound, ctx));
        negsLeft.delete(n);
      }
    }
  };

  const addAtom = (i: number) => {
    const atom = atoms[i]!;
    const { keyCols, key, firsts, repeats } = atomColumns(atom, isBound);
    const binds = firsts.map((f) => ({ col: f.col, name: f.name }));
    const checks = repeats.map((r) => ({ col: r.col, term: { kind: 'var', name: r.name } as KeyTerm }));
    const range = ranges[i]!;
    if (keyCols.length === 0) steps.push({ kind: 'scan', atom: i, relation: atom.name, range, binds, checks });
    else {
      const index = keyCols.length === atom.args.length ? 'row' : ctx.index(atom.name, keyCols);
      steps.push({ kind: 'lookup', atom: i, relation: atom.name, range, index, key, binds, checks });
    }
    for (const b of binds) bound.add(b.name);
    atomsLeft.delete(i);
  };

  if (delta !== undefined) addAtom(delta);
  placeFilters();
  while (atomsLeft.size || gensLeft.size) {
    let best: { score: number; atom?: number; gen?: LessThan } | undefined;
    for (const i of atomsLeft) {
      const atom = atoms[i]!;
      const boundCols = atom.args.filter((t) => t.kind !== 'wildcard' && isBound(t)).length;
      const rank = sizeRank[ctx.size(atom.name)];
      const score = boundCols === atom.args.length ? 0 : boundCols > 0 ? 1 + rank : 10 + rank;
      if (!best || score < best.score) best = { score, atom: i };
    }
    for (const g of gensLeft) {
      const ready = g.bound.kind === 'int' || bound.has(g.bound.name);
      if (ready && (!best || 5 < best.score)) best = { score: 5, gen: g };
    }
    if (!best) break; // unreachable for checked rules: generators wait only on atoms
    if (best.gen) {
      const g = best.gen;
      steps.push({ kind: 'generate', name: g.variable.name, bound: g.bound.kind === 'int' ? { kind: 'int', value: g.bound.value } : { kind: 'var', name: g.bound.name } });
      bound.add(g.variable.name);
      gensLeft.delete(g);
    } else addAtom(best.atom!);
    placeFilters();
  }
  return steps;
}

function antiJoin(atom: Atom, isBound: (t: Term) => boolean, ctx: JoinContext): Step {
  const { keyCols, key, repeats } = atomColumns(atom, isBound);
  const sameAs = repeats.map((r) => ({ col: r.col, other: r.first }));
  const index =
    keyCols.length === atom.args.length ? ('row' as const) : keyCols.length === 0 ? (sameAs.length ? ('none' as const) : ('empty' as const)) : ctx.index(atom.name, keyCols);
  return { kind: 'antijoin', relation: atom.name, index, key, sameAs };
}

/** An atom's columns at its place in the join: bound ones (constants and bound variables) form
 * the lookup key; a free variable's first column binds it, its later columns repeat it. */
function atomColumns(atom: Atom, isBound: (t: Term) => boolean) {
  const keyCols: number[] = [];
  const key: KeyTerm[] = [];
  const firsts: { col: number; name: string }[] = [];
  const repeats: { col: number; name: string; first: number }[] = [];
  atom.args.forEach((t, col) => {
    if (t.kind === 'wildcard') return;
    if (isBound(t)) {
      keyCols.push(col);
      key.push(keyTerm(t)!);
    } else if (t.kind === 'var') {
      const first = firsts.find((f) => f.name === t.name);
      if (first) repeats.push({ col, name: t.name, first: first.col });
      else firsts.push({ col, name: t.name });
    }
  });
  return { keyCols, key, firsts, repeats };
}
