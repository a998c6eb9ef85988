// Runs an interpreter sample: a program and a script of steps over named nodes. In a step,
// messages sent in the step before are delivered, the step's facts are pushed, and every node
// that wants to tick runs one tick. The report shows, per tick, the input count, the whole
// database at fixpoint, sends, outputs and the facts carried into the next tick.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Row, Value } from '../../compiler/values/value.js';
import type { Fact, Message, NodeEngine, NodeSpec } from '../../engine/node-engine.js';
import { ReferenceNode } from '../../engine/reference/reference-node.js';
import { formatFact } from '../../sim/trace.js';

type Cell = number | string | { node: string };

export interface InterpScript {
  nodes: { name: string; role?: string; statics?: Record<string, Cell[][]> }[];
  steps: { push?: Record<string, Record<string, Cell[][]>> }[];
}

/** A node a script can drive: the interpreter, or any engine that can list its carried facts. */
export type ScriptNode = NodeEngine & { carriedFacts(): Fact[]; databaseFacts?(): Fact[] };

export interface ScriptOptions {
  /** Runs the nodes on this engine instead of the reference interpreter. */
  readonly engine?: (spec: NodeSpec) => ScriptNode;
  /** Whether to print each tick's whole database (only the interpreter keeps it); default true. */
  readonly database?: boolean;
}

export function runInterpScript(analysis: Analysis, script: InterpScript, options: ScriptOptions = {}): string {
  const addresses = new Map(script.nodes.map((n, i) => [n.name, BigInt(i + 1)]));
  const names = new Map([...addresses].map(([n, a]) => [a, n]));
  const value = (c: Cell): Value => (typeof c === 'number' ? BigInt(c) : typeof c === 'string' ? c : addresses.get(c.node)!);
  const rows = (rs: Cell[][]): Row[] => rs.map((r) => r.map(value));
  const start = options.engine ?? ((spec: NodeSpec): ScriptNode => new ReferenceNode(analysis, spec));
  const nodes = script.nodes.map((n) =>
    start({
      role: n.role ?? analysis.roles[0]!.name,
      address: addresses.get(n.name)!,
      statics: new Map(Object.entries(n.statics ?? {}).map(([rel, rs]) => [rel, rows(rs)])),
    }),
  );
  const ctx = { relations: analysis.relations, names };
  const out: string[] = [];
  let inFlight: Message[] = [];
  script.steps.forEach((step, i) => {
    out.push(`step ${i + 1}`);
    for (const m of inFlight) nodes[Number(m.to) - 1]?.push({ relation: m.relation, rows: [m.row] });
    inFlight = [];
    for (const [node, facts] of Object.entries(step.push ?? {})) {
      for (const [rel, rs] of Object.entries(facts)) nodes[Number(addresses.get(node)!) - 1]!.push({ relation: rel, rows: rows(rs) });
    }
    nodes.forEach((node, j) => {
      if (!node.wantsTick()) return;
      const t = node.tick();
      out.push(`  ${script.nodes[j]!.name} tick ${t.tick}: ${t.inputs} input${t.inputs === 1 ? '' : 's'}`);
      if (t.fault) {
        out.push(`    fault ${t.fault.code}: ${t.fault.message}`);
        return;
      }
      const section = (label: string, lines: string[]) => {
        if (!lines.length) return;
        out.push(`    ${label}`);
        for (const l of lines) out.push(`      ${l}`);
      };
      if (options.database ?? true) section('database', (node.databaseFacts?.() ?? []).map((f) => formatFact(f.relation, f.row, ctx)));
      section('sends', t.sends.map((m) => `${names.get(m.to) ?? `#${m.to}`} <- ${formatFact(m.relation, m.row, ctx)}`));
      section('outputs', t.outputs.map((f) => formatFact(f.relation, f.row, ctx)));
      section('durable', t.durable.map((f) => formatFact(f.relation, f.row, ctx)));
      section('next tick', node.carriedFacts().map((f) => formatFact(f.relation, f.row, ctx)));
      inFlight.push(...t.sends);
    });
  });
  return `${out.join('\n')}\n`;
}
