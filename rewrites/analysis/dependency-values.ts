// The values a rule's bindings relate, as equivalence classes: a union-find over the rule's
// variables, constants and function calls, closed under congruence (equal arguments give equal
// results). This is the dependency analysis' working form of attribute-variable substitution
// and transitive closure (TR B.2.1): columns bound to one class are equal in every binding, and a
// call `result = fn(args)` is a functional dependency between classes. Key terms are evaluated
// to values and expressed back over the columns of an atom from here.

import { builtins } from '../../compiler/values/builtins.js';
import type { Value } from '../../compiler/values/value.js';
import { callTerm, columnTerm, compareKeyTerms, keyTermEquals, type KeyTerm } from './key-term.js';

/** `result = fn(args)` between classes. `fn` is a built-in or an operator (`+`, `neg`, ...). */
export interface ValueCall {
  readonly fn: string;
  readonly args: readonly number[];
  readonly result: number;
}

/**
 * A value under a rule's bindings: a class, or a call no binding of the rule computes (then it
 * equals only the same call of the same classes). Canonical: equal values have equal `valueKey`.
 */
export type RuleValue = number | { readonly fn: string; readonly args: readonly RuleValue[] };

/** The bound on nesting of calls in terms (keeps the analyses finite). */
export const maxTermDepth = 3;
/** At most this many terms are kept for one value (the smallest, in `compareKeyTerms` order). */
export const maxTermsPerValue = 8;

export class ValueGraph {
  private readonly parent: number[] = [];
  private readonly calls: { fn: string; args: number[]; result: number }[] = [];
  private readonly constants = new Map<string, number>();

  fresh(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }

  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[x] !== root) {
      const next = this.parent[x]!;
      this.parent[x] = root;
      x = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  /** The class of a literal; the same literal always gives the same class. */
  constant(v: Value): number {
    const key = typeof v === 'bigint' ? `i${v}` : `s${v}`;
    let c = this.constants.get(key);
    if (c === undefined) this.constants.set(key, (c = this.fresh()));
    return c;
  }

  /** The class of `fn(args)`; hash-consed, so the same call of the same classes is one class. */
  call(fn: string, args: readonly number[]): number {
    const roots = args.map((a) => this.find(a));
    for (const c of this.calls) {
      if (c.fn === fn && c.args.length === roots.length && c.args.every((a, i) => this.find(a) === roots[i])) {
        return this.find(c.result);
      }
    }
    const result = this.fresh();
    this.calls.push({ fn, args: roots, result });
    return result;
  }

  /** Congruence closure: calls of one function on equal classes have equal results. */
  close(): void {
    for (let changed = true; changed; ) {
      changed = false;
      const seen = new Map<string, number>();
      for (const c of this.calls) {
        const key = `${c.fn}(${c.args.map((a) => this.find(a)).join(',')})`;
        const other = seen.get(key);
        if (other === undefined) seen.set(key, c.result);
        else if (this.find(other) !== this.find(c.result)) {
          this.union(other, c.result);
          changed = true;
        }
      }
    }
  }

  /**
   * Closes the graph and numbers its classes 0, 1, ... in order of their smallest member.
   * `canon` maps any node to its class number; `calls` has one entry per distinct call.
   */
  freeze(): { canon: (x: number) => number; classCount: number; calls: ValueCall[] } {
    this.close();
    const numbers = new Map<number, number>();
    for (let x = 0; x < this.parent.length; x++) {
      const r = this.find(x);
      if (!numbers.has(r)) numbers.set(r, numbers.size);
    }
    const canon = (x: number) => numbers.get(this.find(x))!;
    const calls: ValueCall[] = [];
    const seen = new Set<string>();
    for (const c of this.calls) {
      const args = c.args.map(canon);
      const key = `${c.fn}(${args.join(',')})`;
      if (seen.has(key)) continue;
      seen.add(key);
      calls.push({ fn: c.fn, args, result: canon(c.result) });
    }
    return { canon, classCount: numbers.size, calls };
  }
}

/** Adds the value of a key term over an atom whose columns are the nodes `columns`. */
export function termNode(g: ValueGraph, t: KeyTerm, columns: readonly number[]): number {
  return t.kind === 'column' ? columns[t.index]! : g.call(t.fn, t.args.map((x) => termNode(g, x, columns)));
}

// --- reading frozen values ---------------------------------------------------------------------

interface CallIndex {
  readonly byResult: ReadonlyMap<number, readonly ValueCall[]>;
  readonly byCall: ReadonlyMap<string, number>;
}

const indexes = new WeakMap<readonly ValueCall[], CallIndex>();

function indexOf(calls: readonly ValueCall[]): CallIndex {
  let index = indexes.get(calls);
  if (!index) {
    const byResult = new Map<number, ValueCall[]>();
    const byCall = new Map<string, number>();
    for (const c of calls) {
      const list = byResult.get(c.result);
      if (list) list.push(c);
      else byResult.set(c.result, [c]);
      byCall.set(`${c.fn}(${c.args.join(',')})`, c.result);
    }
    indexes.set(calls, (index = { byResult, byCall }));
  }
  return index;
}

/** The value of a key term over an atom whose columns hold the classes `columns`. */
export function termValue(calls: readonly ValueCall[], columns: readonly number[], term: KeyTerm): RuleValue {
  if (term.kind === 'column') {
    const c = columns[term.index];
    if (c === undefined) throw new Error(`column #${term.index} out of range`);
    return c;
  }
  const args = term.args.map((a) => termValue(calls, columns, a));
  if (args.every((a): a is number => typeof a === 'number')) {
    const known = indexOf(calls).byCall.get(`${term.fn}(${args.join(',')})`);
    if (known !== undefined) return known;
  }
  return { fn: term.fn, args };
}

export function valueKey(v: RuleValue): string {
  return typeof v === 'number' ? `${v}` : `${v.fn}(${v.args.map(valueKey).join(',')})`;
}

export interface ExpressOptions {
  /** Whether calls of built-ins may be used (dependencies), or only columns (co-hashing). */
  readonly functions: boolean;
  readonly depth?: number;
}

/**
 * The key terms over an atom's columns (`columns[i]` is the class of column i; `undefined`
 * excludes the column) whose value is `value`, smallest first, at most `maxTermsPerValue`.
 */
export function expressValue(
  calls: readonly ValueCall[],
  value: RuleValue,
  columns: readonly (number | undefined)[],
  options: ExpressOptions,
): KeyTerm[] {
  const { byResult } = indexOf(calls);
  const memo = new Map<string, KeyTerm[]>();
  const ofClass = (cls: number, depth: number): KeyTerm[] => {
    const key = `${cls}:${depth}`;
    const cached = memo.get(key);
    if (cached) return cached;
    const out: KeyTerm[] = [];
    columns.forEach((c, i) => {
      if (c === cls) out.push(columnTerm(i));
    });
    if (options.functions && depth > 0) {
      for (const call of byResult.get(cls) ?? []) {
        if (!builtins.has(call.fn)) continue;
        out.push(...calls_(call.fn, call.args.map((a) => ofClass(a, depth - 1))));
      }
    }
    const result = smallest(out);
    memo.set(key, result);
    return result;
  };
  const ofValue = (v: RuleValue, depth: number): KeyTerm[] => {
    if (typeof v === 'number') return ofClass(v, depth);
    if (!options.functions || depth === 0 || !builtins.has(v.fn)) return [];
    return smallest(calls_(v.fn, v.args.map((a) => ofValue(a, depth - 1))));
  };
  return ofValue(value, options.depth ?? maxTermDepth);
}

/** Every call `fn(a1, ..., an)` with each ai from the i-th list (bounded). */
function calls_(fn: string, argChoices: readonly (readonly KeyTerm[])[]): KeyTerm[] {
  let partial: KeyTerm[][] = [[]];
  for (const choices of argChoices) {
    const next: KeyTerm[][] = [];
    for (const p of partial) for (const c of choices) if (next.length < maxTermsPerValue) next.push([...p, c]);
    partial = next;
  }
  return partial.map((args) => callTerm(fn, args));
}

function smallest(terms: KeyTerm[]): KeyTerm[] {
  const out: KeyTerm[] = [];
  for (const t of [...terms].sort(compareKeyTerms)) {
    if (out.length === maxTermsPerValue) break;
    if (!out.some((o) => keyTermEquals(o, t))) out.push(t);
  }
  return out;
}

/** The classes some key term over `columns` evaluates to (within the depth bound). */
export function reachableClasses(
  calls: readonly ValueCall[],
  columns: readonly number[],
  options: ExpressOptions,
): Set<number> {
  const out = new Set(columns);
  if (!options.functions) return out;
  for (let d = 0; d < (options.depth ?? maxTermDepth); d++) {
    const added: number[] = [];
    for (const c of calls) {
      if (builtins.has(c.fn) && !out.has(c.result) && c.args.every((a) => out.has(a))) added.push(c.result);
    }
    if (!added.length) break;
    for (const a of added) out.add(a);
  }
  return out;
}
