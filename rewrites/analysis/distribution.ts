// The search for a distribution policy that partitions a role (paper §4.1–4.2, TR B.1.1).
//
// A policy keys every relation the role keeps or receives (not statics, which every node has,
// nor timers, which fire on every node, nor channels it only sends) by a tuple of key terms;
// a fact goes to partition hash(key) % n. It is parallel-disjoint correct when, in every rule of
// the role that reads a partitioned relation, the keys of all partitioned body atoms (positive
// and negated) and, for `:-`/`:+`, of a partitioned head evaluate to the same tuple under the
// rule's bindings (dependencies.ts). Aggregates add that the key is a function of the group-by
// arguments; `index()` numbers facts across the whole node, so a rule with it cannot run
// partitioned. In 'co-hashing' mode keys are columns, equal through shared variables only; in
// 'dependencies' mode keys are terms, equal also through FDs and `==` predicates.
//
// Tuples are equal when each position is, so a policy is a tuple of single-term policies, each
// correct on its own. The rules connect relations into components; for each, the search takes
// its first relation (by name) and each candidate term for it (its columns, then — with
// dependencies — calls over them that some rule computes), and propagates the term through the
// rules depth first, trying the terms that express the same value over each other atom,
// smallest first. The policy keys each relation by every single-term policy found, in that
// order, except those that split no relation further than the earlier ones (a term that is a
// function of the earlier terms under the relation's FDs): the finest partitioning found, and a
// deterministic one. Pinned keys are verified position by position, propagating to the rest.
// With `relations`, only those are partitioned; the role's other relations are replicated, and
// rules that read no partitioned relation impose nothing.

import type { Analysis, RoleInfo } from '../../compiler/analyze/analysis.js';
import { builtins } from '../../compiler/values/builtins.js';
import { compareStrings } from '../../compiler/values/value.js';
import {
  functionalDependencies,
  ruleValues,
  type AtomValues,
  type FunctionalDependencies,
  type RuleValues,
} from './dependencies.js';
import { ValueGraph, expressValue, reachableClasses, termNode, termValue, valueKey } from './dependency-values.js';
import { compareKeyTerms, keyTermEquals, printKey, printKeyTerm, type KeyTerm } from './key-term.js';
import { ruleName } from './rule-name.js';
import { roleRelations } from './rule-set.js';
import type { Violation } from './violation.js';

export interface DistributionPolicy {
  /** For each partitioned relation, the key its facts are routed by. */
  readonly keys: ReadonlyMap<string, readonly KeyTerm[]>;
}

export interface DistributionOptions {
  readonly mode: 'co-hashing' | 'dependencies';
  /** Keys fixed by the user's plan; verified, and the other relations' keys derived from them. */
  readonly pinned?: ReadonlyMap<string, readonly KeyTerm[]>;
  /** Partition only these relations (partial partitioning); the rest are replicated. */
  readonly relations?: readonly string[];
  /**
   * Rules that may compute on each partition's part alone, because their results are combined
   * across partitions afterwards (partitioning sealing sums the partitions' counts).
   */
  readonly perPartition?: readonly number[];
}

export interface DistributionResult {
  readonly policy?: DistributionPolicy;
  readonly violations: Violation[];
}

/** A rule that reads a partitioned relation, with the atoms whose keys must meet. */
interface Constraint {
  readonly values: RuleValues;
  /** Its partitioned body atoms, then its head if it is a partitioned `:-`/`:+` head. */
  readonly participants: readonly AtomValues[];
}

type Assignment = ReadonlyMap<string, KeyTerm>;

/** Why a propagation failed, and how far it got (the report names the furthest). */
interface Failure {
  readonly kind: 'mismatch' | 'no-key' | 'group' | 'budget';
  readonly constraint?: Constraint;
  readonly anchor?: AtomValues;
  readonly anchorTerm?: KeyTerm;
  readonly other?: AtomValues;
  readonly otherTerm?: KeyTerm;
  readonly assigned: number;
}

/** Propagation steps tried per start before giving up (the programs are small; this is a guard). */
const searchBudget = 5000;

export function findDistribution(a: Analysis, role: string, options: DistributionOptions): DistributionResult {
  const search = new Search(a, role, options);
  return search.run();
}

class Search {
  private readonly violations: Violation[] = [];
  private readonly functions: boolean;
  private readonly fds: FunctionalDependencies | undefined;

  constructor(
    private readonly a: Analysis,
    private readonly role: string,
    private readonly options: DistributionOptions,
  ) {
    this.functions = options.mode === 'dependencies';
    this.fds = this.functions ? functionalDependencies(a) : undefined;
  }

  run(): DistributionResult {
    const info = this.a.roles.find((r) => r.name === this.role);
    if (!info) {
      this.violate({ message: `there is no role \`${this.role}\` to partition` });
      return { violations: this.violations };
    }
    const partitioned = this.partitionedRelations(info);
    const pinned = this.checkPinned(partitioned);
    const constraints = this.constraints(info, partitioned);
    const keys = new Map<string, readonly KeyTerm[]>();
    for (const component of components(partitioned, constraints)) {
      const own = constraints.filter((c) => component.includes(c.participants[0]!.relation));
      const found = this.solveComponent(component, own, pinned);
      if (found) for (const [r, key] of found) keys.set(r, key);
    }
    if (this.violations.length) return { violations: this.violations };
    const sorted = new Map([...keys].sort(([x], [y]) => compareStrings(x, y)));
    return { policy: { keys: sorted }, violations: [] };
  }

  // --- what is partitioned, and what each rule requires ---------------------------------------

  /** Relations the role reads or derives locally, less statics and timers (sorted). */
  private partitionedRelations(info: RoleInfo): string[] {
    let out = roleRelations(this.a, info);
    if (this.options.relations) {
      for (const name of this.options.relations) {
        if (!out.includes(name)) {
          this.violate({
            relation: name,
            message: `\`${name}\` cannot be partitioned: it is not a relation that role \`${this.role}\` keeps or receives${
              this.a.relations.get(name)?.kind === 'static' ? ' (statics are replicated on every node)' : ''
            }`,
          });
        }
      }
      out = out.filter((r) => this.options.relations!.includes(r));
    }
    return out;
  }

  /** The valid pinned keys of partitioned relations; reports the others. */
  private checkPinned(partitioned: readonly string[]): Map<string, readonly KeyTerm[]> {
    const out = new Map<string, readonly KeyTerm[]>();
    for (const [name, key] of this.options.pinned ?? []) {
      const rel = this.a.relations.get(name);
      const problem = !partitioned.includes(name)
        ? `role \`${this.role}\` does not partition it`
        : key.length === 0
          ? 'an empty key puts every fact on one partition'
          : key.map((t) => this.termProblem(t, rel!.arity)).find((p) => p !== undefined);
      if (problem) {
        this.violate({ relation: name, message: `the key pinned for \`${name}\` cannot be used: ${problem}`, ...(rel ? { span: rel.span } : {}) });
      } else out.set(name, key);
    }
    return out;
  }

  private termProblem(t: KeyTerm, arity: number): string | undefined {
    if (t.kind === 'column') return t.index >= 0 && t.index < arity ? undefined : `it has no column #${t.index}`;
    if (!this.functions) return `co-hashing keys are columns, not \`${printKeyTerm(t)}\``;
    if (!builtins.has(t.fn)) return `\`${t.fn}\` is not a built-in function`;
    return t.args.map((x) => this.termProblem(x, arity)).find((p) => p !== undefined);
  }

  private constraints(info: RoleInfo, partitioned: readonly string[]): Constraint[] {
    const out: Constraint[] = [];
    for (const id of info.rules) {
      if (this.options.perPartition?.includes(id)) continue;
      const { rule } = this.a.rules[id]!;
      const values = ruleValues(this.a, id, this.fds ? { fds: this.fds } : { predicates: false });
      const body = values.atoms.filter((x) => partitioned.includes(x.relation));
      if (!body.length) continue; // reads only replicated relations and statics
      const negatedOnly = body.find((x) => x.negated);
      if (negatedOnly && body.every((x) => x.negated)) {
        // Every partition has the replicated bindings, but only one has the negated facts.
        this.violate({
          rule: id,
          span: negatedOnly.span,
          relation: negatedOnly.relation,
          message: `${ruleName(this.a, id)} negates \`${negatedOnly.relation}\`, which is partitioned, with only replicated relations to bind it: every partition would test its own part and find the facts missing`,
          hint: 'join a partitioned relation with the same key in the rule, or replicate the negated relation',
        });
        continue;
      }
      const index = rule.head.args.find((arg) => arg.kind === 'index');
      if (index) {
        this.violate({
          rule: id,
          span: index.span,
          message: `${ruleName(this.a, id)} numbers its facts with \`index()\` across the whole node, which partitions cannot do`,
          hint: 'keep this rule on an unpartitioned role (decouple it first), or replicate the relations it reads',
        });
      }
      const head = rule.op !== ':~' && partitioned.includes(values.head.relation) ? [values.head] : [];
      out.push({ values, participants: [...body, ...head] });
    }
    return out;
  }

  // --- solving one component --------------------------------------------------------------------

  private solveComponent(
    component: readonly string[],
    constraints: readonly Constraint[],
    pinned: ReadonlyMap<string, readonly KeyTerm[]>,
  ): Map<string, readonly KeyTerm[]> | undefined {
    const pins = component.filter((r) => pinned.has(r));
    if (pins.length) {
      const width = pinned.get(pins[0]!)!.length;
      const other = pins.find((r) => pinned.get(r)!.length !== width);
      if (other) {
        this.violate({
          relation: other,
          message: `the keys pinned for \`${pins[0]}\` and \`${other}\` have different lengths, but the rules join them`,
        });
        return undefined;
      }
      const solutions: Assignment[] = [];
      for (let j = 0; j < width; j++) {
        const result = this.solve(component, constraints, new Map(pins.map((r) => [r, pinned.get(r)![j]!])));
        if ('failure' in result) {
          this.reportFailure(component, result.failure, true);
          return undefined;
        }
        solutions.push(result.solution);
      }
      return new Map(component.map((r) => [r, solutions.map((s) => s.get(r)!)]));
    }

    const seed = component[0]!;
    let best: Failure | undefined;
    const kept: Assignment[] = [];
    for (const term of this.seedTerms(seed, constraints)) {
      const result = this.solve(component, constraints, new Map([[seed, term]]));
      if ('failure' in result) {
        if (!best || result.failure.assigned > best.assigned) best = result.failure;
      } else if (!this.redundant(result.solution, kept, component)) {
        kept.push(result.solution);
      }
    }
    if (!kept.length) {
      if (!this.diagnose(constraints)) this.reportFailure(component, best, false);
      return undefined;
    }
    return new Map(component.map((r) => [r, kept.map((s) => s.get(r)!)]));
  }

  /** Candidate terms for the first relation: its columns, then calls over them rules compute. */
  private seedTerms(seed: string, constraints: readonly Constraint[]): KeyTerm[] {
    const out: KeyTerm[] = [];
    const add = (t: KeyTerm) => {
      if (!out.some((o) => keyTermEquals(o, t))) out.push(t);
    };
    for (let i = 0; i < this.a.relations.get(seed)!.arity; i++) add({ kind: 'column', index: i });
    if (this.functions) {
      for (const c of constraints) {
        for (const p of c.participants) {
          if (p.relation !== seed) continue;
          for (let cls = 0; cls < c.values.classCount; cls++) {
            for (const t of expressValue(c.values.calls, cls, p.columns, { functions: true })) if (t.kind === 'call') add(t);
          }
        }
      }
    }
    return out.sort(compareKeyTerms);
  }

  /** Depth-first propagation of a partial single-term policy to the whole component. */
  private solve(
    component: readonly string[],
    constraints: readonly Constraint[],
    initial: Assignment,
  ): { solution: Assignment } | { failure: Failure } {
    let budget = searchBudget;
    let best: Failure | undefined;
    const fail = (f: Failure): undefined => {
      if (!best || f.assigned > best.assigned) best = f;
      return undefined;
    };
    const dfs = (assign: Assignment): Assignment | undefined => {
      if (--budget < 0) return fail({ kind: 'budget', assigned: assign.size });
      for (const c of constraints) {
        if (!c.values.groupBy) continue;
        for (const p of c.participants) {
          const t = assign.get(p.relation);
          if (!t) continue;
          const v = termValue(c.values.calls, p.columns, t);
          if (!expressValue(c.values.calls, v, c.values.groupBy, { functions: this.functions }).length) {
            return fail({ kind: 'group', constraint: c, anchor: p, anchorTerm: t, assigned: assign.size });
          }
        }
      }
      for (const c of constraints) {
        const anchor = c.participants.find((p) => assign.has(p.relation));
        if (!anchor) continue;
        const anchorTerm = assign.get(anchor.relation)!;
        const target = termValue(c.values.calls, anchor.columns, anchorTerm);
        for (const p of c.participants) {
          const t = assign.get(p.relation);
          if (t && valueKey(termValue(c.values.calls, p.columns, t)) !== valueKey(target)) {
            return fail({ kind: 'mismatch', constraint: c, anchor, anchorTerm, other: p, otherTerm: t, assigned: assign.size });
          }
        }
        const next = c.participants.find((p) => !assign.has(p.relation));
        if (!next) continue;
        const options = expressValue(c.values.calls, target, next.columns, { functions: this.functions });
        if (!options.length) return fail({ kind: 'no-key', constraint: c, anchor, anchorTerm, other: next, assigned: assign.size });
        for (const option of options) {
          const found = dfs(new Map([...assign, [next.relation, option]]));
          if (found) return found;
        }
        return undefined;
      }
      return component.every((r) => assign.has(r)) ? assign : undefined;
    };
    const solution = dfs(initial);
    if (solution) return { solution };
    return { failure: best ?? { kind: 'budget', assigned: 0 } };
  }

  /** Whether a single-term policy splits no relation further than the ones kept already. */
  private redundant(candidate: Assignment, kept: readonly Assignment[], component: readonly string[]): boolean {
    if (!kept.length) return false;
    return component.every((r) => {
      const arity = this.a.relations.get(r)!.arity;
      const g = new ValueGraph();
      const columns = Array.from({ length: arity }, () => g.fresh());
      for (const fd of this.fds?.get(r) ?? []) g.union(columns[fd.column]!, termNode(g, fd.term, columns));
      const keptNodes = kept.map((k) => termNode(g, k.get(r)!, columns));
      const candidateNode = termNode(g, candidate.get(r)!, columns);
      const { canon, calls } = g.freeze();
      return expressValue(calls, canon(candidateNode), keptNodes.map(canon), { functions: this.functions }).length > 0;
    });
  }

  // --- reporting --------------------------------------------------------------------------------

  /** Finds a rule whose atoms share no key at all, or cannot meet its group-by; reports it. */
  private diagnose(constraints: readonly Constraint[]): boolean {
    const opts = { functions: this.functions };
    for (const c of constraints) {
      const { calls, groupBy } = c.values;
      const reach = c.participants.map((p) => reachableClasses(calls, p.columns, opts));
      if (groupBy) {
        const group = reachableClasses(calls, groupBy, opts);
        const i = reach.findIndex((r) => ![...r].some((x) => group.has(x)));
        if (i >= 0) {
          const p = c.participants[i]!;
          this.violate({
            rule: c.values.rule,
            relation: p.relation,
            span: this.aggregateSpan(c),
            message: `${ruleName(this.a, c.values.rule)} aggregates grouped by ${this.groupText(c)}, but no key of \`${this.text(p)}\` is within the group-by, so one group would span partitions`,
            hint: this.hint(),
          });
          return true;
        }
      }
      for (let i = 0; i < c.participants.length; i++) {
        for (let j = i + 1; j < c.participants.length; j++) {
          if ([...reach[i]!].some((x) => reach[j]!.has(x))) continue;
          const [p, q] = [c.participants[i]!, c.participants[j]!];
          this.violate({
            rule: c.values.rule,
            relation: q.relation,
            span: q.span,
            message: `in ${ruleName(this.a, c.values.rule)}, \`${this.text(p)}\` and \`${this.text(q)}\` share no key${
              this.functions ? ', even through functional dependencies' : ': no variable binds a column of both'
            }`,
            hint: this.hint(),
          });
          return true;
        }
      }
    }
    return false;
  }

  private reportFailure(component: readonly string[], f: Failure | undefined, pinned: boolean): void {
    const c = f?.constraint;
    if (!f || !c || !f.anchor || !f.anchorTerm) {
      const first = component[0]!;
      const arity = this.a.relations.get(first)!.arity;
      this.violate({
        relation: first,
        span: this.a.relations.get(first)!.span,
        message:
          arity === 0
            ? `\`${first}\` has no columns to key by: all its facts would be on one partition`
            : `no key for \`${first}\` and the relations it joins satisfies every rule of role \`${this.role}\``,
        hint: this.hint(),
      });
      return;
    }
    const rule = c.values.rule;
    const as = pinned ? ' (as the pinned keys require)' : '';
    const anchor = `the key ${this.termInAtom(rule, f.anchor, f.anchorTerm)} of \`${this.text(f.anchor)}\`${as}`;
    if (f.kind === 'group') {
      this.violate({
        rule,
        relation: f.anchor.relation,
        span: this.aggregateSpan(c),
        message: `${ruleName(this.a, rule)} aggregates grouped by ${this.groupText(c)}, but ${anchor} is not within the group-by, so one group would span partitions`,
        hint: 'key the relations by arguments of the group-by',
      });
      return;
    }
    const other = f.other!;
    const message =
      f.kind === 'mismatch'
        ? `in ${ruleName(this.a, rule)}, ${anchor} and the key ${this.termInAtom(rule, other, f.otherTerm!)} of \`${this.text(other)}\` differ under the rule's bindings`
        : `in ${ruleName(this.a, rule)}, \`${this.text(other)}\` has no key equal to ${anchor}`;
    this.violate({ rule, relation: other.relation, span: other.span, message, hint: this.hint() });
  }

  private hint(): string {
    return this.functions
      ? 'partial partitioning (`"policy": "partial"`) replicates relations that cannot be partitioned: list them in `replicate`'
      : 'with `"policy": "dependencies"`, functional dependencies (such as `h == hash(v)`) may relate their keys; partial partitioning replicates relations that cannot be partitioned';
  }

  private violate(v: Omit<Violation, 'precondition'>): void {
    this.violations.push({ precondition: this.options.mode, ...v });
  }

  private text(atom: AtomValues): string {
    return this.a.source.text.slice(atom.span.start, atom.span.end).replace(/\s+/g, ' ');
  }

  /** A key term printed with the atom's arguments as column names (`p`, `hash(v)`). */
  private termInAtom(ruleId: number, atom: AtomValues, t: KeyTerm): string {
    const { rule } = this.a.rules[ruleId]!;
    const declared = this.a.relations.get(atom.relation)!.columns.map((c) => c.name);
    const lit = atom.literal === 'head' ? undefined : rule.body[atom.literal]!;
    const args = atom.literal === 'head' ? rule.head.args : lit?.kind === 'atom' ? lit.args : lit?.kind === 'negation' ? lit.atom.args : [];
    const names = args.map((arg, i) =>
      arg.kind === 'wildcard' || arg.kind === 'aggregate' || arg.kind === 'index'
        ? (declared[i] ?? `#${i}`)
        : this.a.source.text.slice(arg.span.start, arg.span.end),
    );
    return printKeyTerm(t, names);
  }

  private groupText(c: Constraint): string {
    const { head } = this.a.rules[c.values.rule]!.rule;
    const parts = head.args.filter((arg) => arg.kind !== 'aggregate').map((arg) => this.a.source.text.slice(arg.span.start, arg.span.end));
    if (head.dest) parts.push(`@${this.a.source.text.slice(head.dest.span.start, head.dest.span.end)}`);
    return `(${parts.join(', ')})`;
  }

  private aggregateSpan(c: Constraint) {
    const { head } = this.a.rules[c.values.rule]!.rule;
    return (head.args.find((arg) => arg.kind === 'aggregate') ?? head).span;
  }
}

/** Relations joined (transitively) by some rule, each component sorted, in order of first name. */
function components(relations: readonly string[], constraints: readonly Constraint[]): string[][] {
  const parent = new Map(relations.map((r) => [r, r]));
  const find = (r: string): string => {
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const c of constraints) {
    const first = find(c.participants[0]!.relation);
    for (const p of c.participants) {
      const root = find(p.relation);
      if (root !== first) parent.set(root, first);
    }
  }
  const groups = new Map<string, string[]>();
  for (const r of relations) {
    const root = find(r);
    const list = groups.get(root);
    if (list) list.push(r);
    else groups.set(root, [r]);
  }
  return [...groups.values()].sort((x, y) => compareStrings(x[0]!, y[0]!));
}

/** For printing a policy: `r (a, hash(b))` per relation, one per line. */
export function printPolicy(a: Analysis, policy: DistributionPolicy): string {
  return [...policy.keys]
    .map(([r, key]) => `${r} ${printKey(key, a.relations.get(r)?.columns.map((c) => c.name))}`)
    .join('\n');
}
