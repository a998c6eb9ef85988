// Per-role stratification of the `:-` rules. Nodes are relations; a rule adds an edge from each
// relation of its body to its head, negative when the body atom is negated or the head
// aggregates or numbers with index() (both need the whole body first). A strongly connected
// component with a negative edge inside is a cycle through negation or aggregation: an error
// that names the cycle. `:+` and `:~` rules add no edges: time breaks their cycles.

import { diagnostic, type Diagnostic, type RelatedSpan } from '../diagnostics/diagnostic.js';
import type { Rule } from '../parse/ast.js';
import type { Span } from '../source.js';
import type { CollectedProgram } from './collect.js';
import type { RelationTable } from './relations.js';

export interface RoleStrata {
  readonly strata: readonly (readonly number[])[];
  readonly relationStrata: ReadonlyMap<string, number>;
}

export interface StrataResult {
  readonly roleStrata: ReadonlyMap<string, RoleStrata>;
  /** Indexed by rule id; -1 (or absent) for rules that are not `:-`. */
  readonly ruleStratum: readonly number[];
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly negative: boolean;
  readonly rule: number;
  /** The body atom (or aggregate) that makes the edge. */
  readonly span: Span;
}

export function stratify(program: CollectedProgram, _relations: RelationTable, sink: Diagnostic[]): StrataResult {
  const roleStrata = new Map<string, RoleStrata>();
  const ruleStratum: number[] = program.rules.map(() => -1);
  for (const role of program.roles) {
    const rules = role.rules.filter((id) => program.rules[id]!.rule.op === ':-');
    const edges = rules.flatMap((id) => edgesOf(id, program.rules[id]!.rule));
    const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]).concat(rules.map((id) => program.rules[id]!.rule.head.name)))];
    const components = stronglyConnected(nodes, edges);
    const componentOf = new Map<string, number>();
    components.forEach((c, i) => c.forEach((n) => componentOf.set(n, i)));

    let cyclic = false;
    for (const e of edges) {
      if (e.negative && componentOf.get(e.from) === componentOf.get(e.to)) {
        cyclic = true;
        reportCycle(e, edges, componentOf, program, sink);
        break; // one report per role: the rest of the cycle is the same mistake
      }
    }

    // Tarjan's algorithm emits a component after every component it reaches, so walking its
    // output backwards visits each component after all the components it depends on.
    const level = new Map<number, number>();
    for (let i = components.length - 1; i >= 0; i--) {
      let l = 0;
      for (const e of edges) {
        if (componentOf.get(e.to) !== i) continue;
        const from = componentOf.get(e.from)!;
        if (from === i) continue;
        l = Math.max(l, level.get(from)! + (e.negative ? 1 : 0));
      }
      level.set(i, l);
    }
    const relationLevel = new Map(nodes.map((n) => [n, cyclic ? 0 : level.get(componentOf.get(n)!)!]));
    const used = [...new Set(rules.map((id) => relationLevel.get(program.rules[id]!.rule.head.name)!))].sort((a, b) => a - b);
    const dense = new Map(used.map((l, i) => [l, i]));
    const strata = used.map(() => [] as number[]);
    for (const id of rules) {
      const s = dense.get(relationLevel.get(program.rules[id]!.rule.head.name)!)!;
      strata[s]!.push(id);
      ruleStratum[id] = s;
    }
    const relationStrata = new Map<string, number>();
    for (const id of rules) relationStrata.set(program.rules[id]!.rule.head.name, ruleStratum[id]!);
    roleStrata.set(role.name, { strata, relationStrata });
  }
  return { roleStrata, ruleStratum };
}

function edgesOf(id: number, rule: Rule): Edge[] {
  const aggregate = rule.head.args.find((a) => a.kind === 'aggregate' || a.kind === 'index');
  const out: Edge[] = [];
  for (const lit of rule.body) {
    if (lit.kind === 'atom') {
      out.push({ from: lit.name, to: rule.head.name, negative: aggregate !== undefined, rule: id, span: aggregate?.span ?? lit.span });
    } else if (lit.kind === 'negation') {
      out.push({ from: lit.atom.name, to: rule.head.name, negative: true, rule: id, span: lit.span });
    }
  }
  return out;
}

function stronglyConnected(nodes: readonly string[], edges: readonly Edge[]): string[][] {
  const successors = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) successors.get(e.from)!.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  // Iterative Tarjan, so deep rule chains cannot overflow the call stack.
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const succ = successors.get(frame.node)!;
      if (frame.next < succ.length) {
        const w = succ[frame.next++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        out.push(component);
      }
    }
  }
  return out;
}

/** Names the cycle: the negative edge, then a path back to its start inside the component. */
function reportCycle(
  negative: Edge,
  edges: readonly Edge[],
  componentOf: ReadonlyMap<string, number>,
  program: CollectedProgram,
  sink: Diagnostic[],
): void {
  const component = componentOf.get(negative.from);
  const inside = edges.filter((e) => componentOf.get(e.from) === component && componentOf.get(e.to) === component);
  // Breadth-first search from the head of the negative edge back to its body relation.
  const previous = new Map<string, Edge>();
  const queue = [negative.to];
  const seen = new Set(queue);
  while (queue.length && !seen.has(negative.from)) {
    const n = queue.shift()!;
    for (const e of inside) {
      if (e.from === n && !seen.has(e.to)) {
        seen.add(e.to);
        previous.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  const path: Edge[] = [negative];
  let at = negative.from;
  while (at !== negative.to && previous.has(at)) {
    const e = previous.get(at)!;
    path.splice(1, 0, e);
    at = e.from;
  }
  // path: negative (from → to), then edges leading from `to` back to `from`.
  const names = [`\`${negative.from}\``, ...path.map((e) => `${e.negative ? (isAggregate(program, e) ? '(aggregated) ' : '(negated) ') : ''}\`${e.to}\``)];
  const related: RelatedSpan[] = path.slice(1).map((e) => ({
    span: program.rules[e.rule]!.rule.head.nameSpan,
    message: `\`${e.to}\` depends on \`${e.from}\` here${e.negative ? (isAggregate(program, e) ? ' through an aggregate' : ' through negation') : ''}`,
  }));
  const why = isAggregate(program, negative) ? 'aggregation' : 'negation';
  sink.push(
    diagnostic('DED209', `cycle through ${why} among \`:-\` rules: ${names.join(' -> ')}`, {
      span: negative.span,
      label: `\`${negative.to}\` needs all of \`${negative.from}\` first`,
      related,
      hint: 'break the cycle in time: derive one of these relations with `:+` (next tick) instead of `:-`',
    }),
  );
}

function isAggregate(program: CollectedProgram, e: Edge): boolean {
  return program.rules[e.rule]!.rule.head.args.some((a) => a.kind === 'aggregate' || a.kind === 'index');
}
