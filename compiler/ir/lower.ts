// Lowering: a checked program (Analysis) to its ProgramPlan, one RolePlan per role. Decides
// each relation's storage class, each rule's evaluation, the join trees of every variant
// (one per positive atom for rules evaluated semi-naively, one for the rest) and the indexes
// they need. Pure: no I/O; constructs the back end cannot lower are DED401 diagnostics.

import type { Analysis, RoleInfo, RuleInfo } from '../analyze/analysis.js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { assertNever, type Expr, type Rule } from '../parse/ast.js';
import { builtins } from '../values/builtins.js';
import type { ValueType } from '../values/value.js';
import { orderJoin, positiveAtoms, type JoinContext } from './join-order.js';
import type { Evaluation, HeadValue, ProgramPlan, RelationPlan, RolePlan, RowRange, RulePlan, StorageClass, StratumPlan } from './plan.js';
import { relationTable } from './relation-table.js';
import { splitRelations, type PhysicalRule } from './split-relations.js';
import { evaluationOf, isExternal, nodeRelations, sizeOf, storageClasses } from './storage.js';

export interface Lowered {
  readonly plan: ProgramPlan;
  /** DED401 for constructs the back end cannot lower. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Columns beyond this many cannot be described by the runtime's 64-bit string mask. */
const MAX_ARITY = 63;

export function lowerProgram(analysis: Analysis): Lowered {
  const diagnostics: Diagnostic[] = [];
  const relations = relationTable(analysis);
  for (const r of relations) {
    if (r.columns.length + 1 > MAX_ARITY) {
      const info = analysis.relations.get(r.name)!;
      diagnostics.push(
        diagnostic('DED401', `relation \`${r.name}\` has ${r.columns.length} columns; the Wasm back end supports at most ${MAX_ARITY - 1}`, {
          span: info.span,
          label: 'too many columns',
        }),
      );
    }
  }
  const roles = analysis.roles.map((role) => lowerRole(analysis, role, relations));
  return { plan: { relations, roles }, diagnostics };
}

function lowerRole(analysis: Analysis, role: RoleInfo, table: ProgramPlan['relations']): RolePlan {
  const source = nodeRelations(analysis, role);
  const split = splitRelations(analysis, role, source);
  const physical = (id: number): readonly PhysicalRule[] => split.rules.get(id) ?? [];
  const names = [...source, ...split.kept.values()].sort();
  /** The relation whose schema a name has: a kept part has its relation's. */
  const schemaOf = new Map<string, string>(source.map((n) => [n, n]));
  for (const [whole, part] of split.kept) schemaOf.set(part, whole);
  const classes = storageClasses(
    analysis,
    role.rules.flatMap((id) => physical(id).map((p) => p.rule)),
    names,
  );
  const indexes = new Map<string, number[][]>(names.map((n) => [n, []]));
  const literals = new Set<string>();
  const staged = new Set<string>();
  const sent = new Set<string>();
  for (const id of role.rules) {
    const r = analysis.rules[id]!.rule;
    if (r.op === ':+') staged.add(r.head.name);
    if (r.op === ':~') sent.add(r.head.name);
    collectLiterals(r, literals);
  }
  const ctx = (info: RuleInfo): JoinContext => ({
    size: (n) => sizeOf(classes.get(n)!),
    typeOf: (e) => typeOf(e, info.variables),
    index: (relation, cols) => {
      const list = indexes.get(relation)!;
      const at = list.findIndex((c) => c.length === cols.length && c.every((x, i) => x === cols[i]));
      if (at >= 0) return at;
      list.push([...cols]);
      return list.length - 1;
    },
  });
  const planRules = (id: number): RulePlan[] =>
    physical(id).map((p) => {
      const info = { ...analysis.rules[id]!, rule: p.rule };
      return lowerRule(info, evaluationOf(p.rule, classes), ctx(info));
    });

  const strata: StratumPlan[] = role.strata.map((ids) => {
    const plans = ids.flatMap(planRules);
    const once = (p: RulePlan) => p.evaluation === 'once' || p.evaluation === 'accumulate';
    return { once: plans.filter(once), fixpoint: plans.filter((p) => !once(p)) };
  });
  const next = role.nextRules.flatMap(planRules);
  const async = role.asyncRules.flatMap(planRules);

  const byId = new Map(table.map((r) => [r.name, r]));
  const relations: RelationPlan[] = names.map((name) => {
    const entry = byId.get(schemaOf.get(name)!)!;
    const storage: StorageClass = classes.get(name)!;
    const external = isExternal(analysis, name);
    return {
      // A kept part never crosses the wire: it has no number.
      id: name === entry.name ? entry.id : -1,
      name,
      types: entry.columns.map((c) => c.type),
      storage,
      size: sizeOf(storage),
      external,
      pending: external && storage !== 'input',
      durable: entry.persistence === 'durable',
      output: role.outputs.includes(name),
      staged: staged.has(name),
      sent: sent.has(name),
      indexes: indexes.get(name)!,
    };
  });
  return {
    role: role.name,
    relations,
    strata,
    next,
    async,
    outputs: role.outputs,
    durable: role.relations.filter((n) => analysis.relations.get(n)!.persistence === 'durable'),
    literals: [...literals].sort(),
  };
}

function lowerRule(info: RuleInfo, evaluation: Evaluation, ctx: JoinContext): RulePlan {
  const rule = info.rule;
  const atoms = positiveAtoms(rule);
  const variants =
    evaluation === 'incremental' || evaluation === 'per-tick' || evaluation === 'accumulate'
      ? atoms.map((_, delta) => {
          const ranges: RowRange[] = atoms.map((_, j) => (j === delta ? 'delta' : j < delta ? 'all' : 'seen'));
          return { delta, steps: orderJoin(rule, ranges, delta, ctx) };
        })
      : [{ steps: orderJoin(rule, atoms.map(() => 'all'), undefined, ctx) }];
  const variables: { name: string; type: ValueType }[] = [];
  const seen = new Set<string>();
  for (const l of rule.body) {
    const names = l.kind === 'atom' ? l.args.flatMap((t) => (t.kind === 'var' ? [t.name] : [])) : l.kind === 'lessThan' ? [l.variable.name] : [];
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      variables.push({ name: n, type: info.variables.get(n) ?? 'int' });
    }
  }
  const values: HeadValue[] = rule.head.args.map((a) => {
    if (a.kind === 'index') return { kind: 'index' };
    if (a.kind === 'aggregate') {
      const vars = a.args === 'star' ? ('star' as const) : a.args.map((v) => v.name);
      const type: ValueType = a.fn === 'count' || a.fn === 'sum' ? 'int' : info.variables.get((vars as string[])[0]!) ?? 'int';
      return { kind: 'aggregate', fn: a.fn, vars, type };
    }
    return { kind: 'expr', expr: a, type: typeOf(a, info.variables) };
  });
  const full = evaluation === 'per-tick' ? { full: { steps: orderJoin(rule, atoms.map(() => 'all'), undefined, ctx) } } : {};
  return {
    id: info.id,
    ...full,
    ...(info.label ? { label: info.label } : {}),
    text: info.text.replace(/\s+/g, ' ').trim(),
    evaluation,
    atoms: atoms.map((a) => a.name),
    variables,
    variants,
    head: { relation: rule.head.name, ...(rule.head.dest ? { dest: rule.head.dest } : {}), values },
  };
}

export function typeOf(e: Expr, vars: ReadonlyMap<string, ValueType>): ValueType {
  switch (e.kind) {
    case 'var':
      return vars.get(e.name) ?? 'int';
    case 'int':
      return 'int';
    case 'string':
      return 'string';
    case 'binary':
    case 'unary':
      return 'int';
    case 'call':
      return builtins.get(e.fn)?.result ?? 'int';
    default:
      return assertNever(e);
  }
}

function collectLiterals(rule: Rule, out: Set<string>): void {
  const expr = (e: Expr): void => {
    if (e.kind === 'string') out.add(e.value);
    else if (e.kind === 'binary') (expr(e.left), expr(e.right));
    else if (e.kind === 'unary') expr(e.operand);
    else if (e.kind === 'call') e.args.forEach(expr);
  };
  for (const a of rule.head.args) if (a.kind !== 'aggregate' && a.kind !== 'index') expr(a);
  if (rule.head.dest) expr(rule.head.dest);
  for (const l of rule.body) {
    if (l.kind === 'atom') for (const t of l.args) if (t.kind === 'string') out.add(t.value);
    if (l.kind === 'negation') for (const t of l.atom.args) if (t.kind === 'string') out.add(t.value);
    if (l.kind === 'predicate') (expr(l.left), expr(l.right));
  }
}
