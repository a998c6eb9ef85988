// Functional and co-partition dependencies (paper §4.2, TR B.2.1).
//
// A functional dependency (FD) `#i = t` of relation r says: in every fact of r, column i equals
// the key term t evaluated on the fact's other columns (`#1 = hash(#0)`, `#0 = #2`). Because the
// functions are known (built-ins and identity), an FD is a property of each fact, so it can be
// proved by induction over derivations: an FD holds for r when every rule deriving r produces it
// from FDs of its body that hold.
//
// Per rule, the bindings are modelled as classes of equal values (dependency-values.ts): shared
// variables, `==` predicates and the FDs of positive body atoms (attribute-variable and constant
// substitution) put values in one class or relate them by a call; congruence closure and the
// search for terms give the transitive closure; expressing each head argument over the other
// head arguments is the variable-attribute substitution. Across rules, the union step collects
// every FD some rule can produce (a least fixpoint: the finite candidate set); the intersection
// step then removes, until nothing changes, every FD of r that some rule deriving r does not
// produce under the current sets (a greatest fixpoint inside the candidates). Both terminate:
// terms are at most `maxTermDepth` calls deep, so the candidates are finite, and the second step
// only removes. The final sets are closed (each rule reproduces them), hence sound on recursion.
//
// Inputs (clients, `:+` loops), statics, timers and relations no rule derives have no FDs. A
// channel's rules are the `:~` rules of every role that send it. The implicit persistence rule of
// a `.persist`/`.durable` relation preserves every FD, so it is left out. Aggregate and `index()`
// columns are opaque; arithmetic relates values inside a rule but is never part of a key term.
//
// Co-partition dependencies (CDs) are the same per-rule classes seen from the body atoms: two
// atom columns in one class are equal in every binding of the rule, and a call between classes
// relates them by a function. `RuleDependencies` keeps the classes (what the policy search
// evaluates keys against) and lists the CDs explicitly: `to.column = term(from's columns)`.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Expr, Term } from '../../compiler/parse/ast.js';
import type { Span } from '../../compiler/source.js';
import { compareStrings } from '../../compiler/values/value.js';
import { ValueGraph, expressValue, termNode, type ValueCall } from './dependency-values.js';
import { compareKeyTerms, printKeyTerm, type KeyTerm } from './key-term.js';
import type { RuleSet } from './rule-set.js';

export interface FunctionalDependency {
  readonly relation: string;
  /** Column `column` of every fact equals `term` evaluated on the fact's other columns. */
  readonly column: number;
  readonly term: KeyTerm;
}

export type FunctionalDependencies = ReadonlyMap<string, readonly FunctionalDependency[]>;

/** A body atom or the head of a rule, with the class of the value in each column. */
export interface AtomValues {
  readonly relation: string;
  /** Index of the literal in the rule's body, or 'head'. */
  readonly literal: number | 'head';
  readonly negated: boolean;
  /** The atom (a negated one with its `!`) or the head. */
  readonly span: Span;
  /** Class of each column; for the head, of each argument (a fresh class for aggregates). */
  readonly columns: readonly number[];
}

/** One rule's bindings as classes of equal values. */
export interface RuleValues {
  readonly rule: number;
  /** Body atoms, positive and negated (statics included), in body order. */
  readonly atoms: readonly AtomValues[];
  readonly head: AtomValues;
  /** For a head with aggregates: the classes of the group-by arguments (and the destination). */
  readonly groupBy?: readonly number[];
  /** `result = fn(args)` between classes, congruence-closed. */
  readonly calls: readonly ValueCall[];
  readonly classCount: number;
}

/** `atoms[to].columns[column]` = `term` over the columns of `atoms[from]` ('head': the head). */
export interface CoPartitionDependency {
  readonly from: number | 'head';
  readonly to: number | 'head';
  readonly column: number;
  readonly term: KeyTerm;
}

export interface RuleDependencies extends RuleValues {
  readonly dependencies: readonly CoPartitionDependency[];
}

export interface RuleValuesOptions {
  /** FDs of the body relations to use; none (plain variable sharing) when absent. */
  readonly fds?: FunctionalDependencies;
  /** Whether `==` predicates equate values (default: true). */
  readonly predicates?: boolean;
}

/** Builds the classes of one rule's bindings. */
export function ruleValues(a: Analysis, ruleId: number, options: RuleValuesOptions = {}): RuleValues {
  const { rule } = a.rules[ruleId]!;
  const g = new ValueGraph();
  const vars = new Map<string, number>();
  const variable = (name: string): number => {
    let c = vars.get(name);
    if (c === undefined) vars.set(name, (c = g.fresh()));
    return c;
  };
  const bound = new Set<string>();
  for (const lit of rule.body) {
    if (lit.kind === 'atom') for (const t of lit.args) if (t.kind === 'var') bound.add(t.name);
    if (lit.kind === 'lessThan') bound.add(lit.variable.name);
  }
  // In a negated atom, a variable no positive atom binds is a wildcard local to that atom.
  const termClass = (t: Term, local?: Map<string, number>): number => {
    switch (t.kind) {
      case 'wildcard':
        return g.fresh();
      case 'int':
      case 'string':
        return g.constant(t.value);
      case 'var': {
        if (!local || bound.has(t.name)) return variable(t.name);
        let c = local.get(t.name);
        if (c === undefined) local.set(t.name, (c = g.fresh()));
        return c;
      }
    }
  };
  const exprClass = (e: Expr): number => {
    switch (e.kind) {
      case 'var':
        return variable(e.name);
      case 'int':
      case 'string':
        return g.constant(e.value);
      case 'call':
        return g.call(e.fn, e.args.map(exprClass));
      case 'binary':
        return g.call(e.op, [exprClass(e.left), exprClass(e.right)]);
      case 'unary':
        return g.call('neg', [exprClass(e.operand)]);
    }
  };

  const atoms: { relation: string; literal: number; negated: boolean; span: Span; columns: number[] }[] = [];
  rule.body.forEach((lit, i) => {
    if (lit.kind === 'atom') {
      atoms.push({ relation: lit.name, literal: i, negated: false, span: lit.span, columns: lit.args.map((t) => termClass(t)) });
    } else if (lit.kind === 'negation') {
      const local = new Map<string, number>();
      const columns = lit.atom.args.map((t) => termClass(t, local));
      atoms.push({ relation: lit.atom.name, literal: i, negated: true, span: lit.span, columns });
    } else if (lit.kind === 'lessThan') {
      variable(lit.variable.name);
    }
  });
  if (options.fds) {
    for (const atom of atoms) {
      if (atom.negated) continue; // a negated atom matches no fact: its FDs say nothing here
      for (const fd of options.fds.get(atom.relation) ?? []) {
        g.union(atom.columns[fd.column]!, termNode(g, fd.term, atom.columns));
      }
    }
  }
  if (options.predicates ?? true) {
    for (const lit of rule.body) {
      if (lit.kind === 'predicate' && lit.op === '==') g.union(exprClass(lit.left), exprClass(lit.right));
    }
  }
  const head = rule.head.args.map((arg) => (arg.kind === 'aggregate' || arg.kind === 'index' ? g.fresh() : exprClass(arg)));
  let groupBy: number[] | undefined;
  if (rule.head.args.some((arg) => arg.kind === 'aggregate')) {
    groupBy = rule.head.args.flatMap((arg, i) => (arg.kind === 'aggregate' ? [] : [head[i]!]));
    if (rule.head.dest) groupBy.push(exprClass(rule.head.dest));
  }

  const { canon, classCount, calls } = g.freeze();
  return {
    rule: ruleId,
    atoms: atoms.map((x) => ({ ...x, columns: x.columns.map(canon) })),
    head: { relation: rule.head.name, literal: 'head', negated: false, span: rule.head.span, columns: head.map(canon) },
    ...(groupBy ? { groupBy: [...new Set(groupBy.map(canon))] } : {}),
    calls,
    classCount,
  };
}

/** The FDs a rule gives its head, assuming `fds` of its body relations. */
function ruleFunctionalDependencies(a: Analysis, ruleId: number, fds: FunctionalDependencies): FunctionalDependency[] {
  const values = ruleValues(a, ruleId, { fds });
  const relation = values.head.relation;
  const out: FunctionalDependency[] = [];
  values.head.columns.forEach((cls, column) => {
    const others = values.head.columns.map((c, j) => (j === column ? undefined : c));
    for (const term of expressValue(values.calls, cls, others, { functions: true })) out.push({ relation, column, term });
  });
  return out;
}

const fdKey = (fd: FunctionalDependency) => `${fd.column}=${printKeyTerm(fd.term)}`;

/**
 * The FDs of every relation of the program (an empty list for one without), each list sorted by
 * column and then term.
 */
export function functionalDependencies(a: Analysis): FunctionalDependencies {
  const derived = [...a.relations.values()]
    .filter((r) => (r.kind === 'local' || r.kind === 'output' || r.kind === 'async') && r.derivedBy.length > 0)
    .sort((x, y) => compareStrings(x.name, y.name));
  const sets = new Map<string, Map<string, FunctionalDependency>>(derived.map((r) => [r.name, new Map()]));
  const view = (): FunctionalDependencies => new Map([...sets].map(([name, set]) => [name, [...set.values()]]));

  // Union: every FD some rule produces, until no rule produces a new one.
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of derived) {
      const set = sets.get(r.name)!;
      for (const id of r.derivedBy) {
        for (const fd of ruleFunctionalDependencies(a, id, view())) {
          const key = fdKey(fd);
          if (!set.has(key)) {
            set.set(key, fd);
            changed = true;
          }
        }
      }
    }
  }
  // Intersection: drop every FD that some rule deriving the relation does not reproduce.
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of derived) {
      const set = sets.get(r.name)!;
      for (const id of r.derivedBy) {
        if (!set.size) break;
        const produced = new Set(ruleFunctionalDependencies(a, id, view()).map(fdKey));
        for (const key of [...set.keys()]) {
          if (!produced.has(key)) {
            set.delete(key);
            changed = true;
          }
        }
      }
    }
  }

  const out = new Map<string, FunctionalDependency[]>();
  for (const name of [...a.relations.keys()].sort(compareStrings)) {
    const list = [...(sets.get(name)?.values() ?? [])];
    out.set(name, list.sort((x, y) => x.column - y.column || compareKeyTerms(x.term, y.term)));
  }
  return out;
}

export interface CoPartitionOptions {
  /** 'dependencies' (default) uses FDs and `==` predicates; 'co-hashing' only shared variables. */
  readonly mode?: 'co-hashing' | 'dependencies';
  /** FDs to use in 'dependencies' mode, when already computed. */
  readonly fds?: FunctionalDependencies;
}

/** The CDs of each rule of a rule set, in the order of the set. */
export function coPartitionDependencies(a: Analysis, rules: RuleSet, options: CoPartitionOptions = {}): RuleDependencies[] {
  const functions = (options.mode ?? 'dependencies') === 'dependencies';
  const fds = functions ? (options.fds ?? functionalDependencies(a)) : undefined;
  return rules.map((id) => {
    const values = ruleValues(a, id, fds ? { fds } : { predicates: false });
    const participants: [number | 'head', AtomValues][] = [...values.atoms.map((x, i): [number, AtomValues] => [i, x]), ['head', values.head]];
    const dependencies: CoPartitionDependency[] = [];
    for (const [to, target] of participants) {
      for (const [from, source] of participants) {
        if (from === to) continue;
        target.columns.forEach((cls, column) => {
          for (const term of expressValue(values.calls, cls, source.columns, { functions })) {
            dependencies.push({ from, to, column, term });
          }
        });
      }
    }
    return { ...values, dependencies };
  });
}
