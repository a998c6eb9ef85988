// Deployment + analysed program to `Cluster`: every node with its address, role, static facts
// and timers; every client with its target; faults with resolved addresses. Checks the
// deployment against the program: role and relation names, row widths and value types.
// Addresses: nodes are numbered from 1 in the program's role order, each role's instances
// contiguous (so `@(first + i)` arithmetic works); clients come after the nodes.

import type { Analysis, RelationInfo } from '../analyze/analysis.js';
import { closestName } from '../analyze/suggest.js';
import { diagnostic, hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Span } from '../source.js';
import type { Row, Value } from '../values/value.js';
import { defaultSimSettings, type Deployment, type NodeRef, type RequestCell, type SimSettings, type StaticCell } from './deployment.js';

export interface ClusterNode {
  /** `role[index]` */
  readonly name: string;
  readonly role: string;
  readonly index: number;
  readonly address: bigint;
  readonly statics: ReadonlyMap<string, readonly Row[]>;
  readonly timers: readonly { readonly relation: string; readonly periodMicros: number }[];
}

export interface ClusterClient {
  readonly name: string;
  readonly index: number;
  readonly address: bigint;
  readonly target: bigint;
}

export interface ClusterWorkload {
  readonly requests: number;
  readonly window: number;
  readonly input: string;
  readonly reply: string;
  readonly replySeqColumn: number;
  request(client: ClusterClient, seq: number): Row;
}

export type ClusterFault =
  | { readonly kind: 'crash'; readonly node: bigint; readonly at: number; readonly restart?: number }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly bigint[])[]; readonly at: number; readonly heal?: number };

export interface Cluster {
  readonly nodes: readonly ClusterNode[];
  readonly clients: readonly ClusterClient[];
  readonly workload?: ClusterWorkload;
  readonly sim: SimSettings;
  readonly faults: readonly ClusterFault[];
  /** Address to `role[i]` or `client[i]`. */
  readonly names: ReadonlyMap<bigint, string>;
}

export interface ClusterResult {
  readonly cluster?: Cluster;
  readonly diagnostics: readonly Diagnostic[];
}

/** One instance of each role, no statics, no clients: what runs when no deployment is given. */
export function defaultDeployment(): Deployment {
  return { roles: new Map(), statics: new Map(), timers: new Map(), sim: defaultSimSettings };
}

export function resolveDeployment(deployment: Deployment, analysis: Analysis): ClusterResult {
  const sink: Diagnostic[] = [];
  const at = (code: DiagnosticCode, message: string, span: Span | undefined, label?: string, hint?: string) =>
    sink.push(diagnostic(code, message, { ...(span ? { span } : {}), ...(label ? { label } : {}), ...(hint ? { hint } : {}) }));
  const roleNames = analysis.roles.map((r) => r.name);

  for (const [name, r] of deployment.roles) {
    if (!roleNames.includes(name)) {
      const near = closestName(name, roleNames);
      at('DED603', `the program has no role \`${name}\``, r.span, 'unknown role', near ? `did you mean \`${near}\`?` : `its roles are ${roleNames.join(', ')}`);
    }
  }
  const instances = new Map(roleNames.map((n) => [n, deployment.roles.get(n)?.instances ?? 1]));
  const firstAddress = new Map<string, bigint>();
  let next = 1n;
  for (const n of roleNames) {
    firstAddress.set(n, next);
    next += BigInt(instances.get(n)!);
  }
  const names = new Map<bigint, string>();
  for (const n of roleNames) for (let i = 0; i < instances.get(n)!; i++) names.set(firstAddress.get(n)! + BigInt(i), `${n}[${i}]`);

  const roleOf = (name: string, span: Span): boolean => {
    if (instances.has(name)) return true;
    const near = closestName(name, roleNames);
    at('DED603', `the program has no role \`${name}\``, span, 'unknown role', near ? `did you mean \`${near}\`?` : `its roles are ${roleNames.join(', ')}`);
    return false;
  };
  const addressOf = (ref: NodeRef): bigint | undefined => {
    if (!roleOf(ref.role, ref.span)) return undefined;
    const count = instances.get(ref.role)!;
    if (ref.index !== '*' && ref.index >= count) {
      at('DED608', `\`${ref.role}\` has ${count} instance${count === 1 ? '' : 's'}, so there is no \`${ref.role}[${ref.index}]\``, ref.span, 'no such node');
      return undefined;
    }
    return firstAddress.get(ref.role)! + BigInt(ref.index === '*' ? 0 : ref.index);
  };

  // Statics: names, widths, value types; expanded per node below.
  const staticTemplates = new Map<string, readonly (readonly StaticCell[])[]>();
  for (const [name, s] of deployment.statics) {
    const rel = analysis.relations.get(name);
    if (!rel || rel.kind !== 'static') {
      const statics = [...analysis.relations.values()].filter((r) => r.kind === 'static').map((r) => r.name);
      const near = closestName(name, statics);
      at('DED604', rel ? `\`${name}\` is a .${rel.kind} relation, not a .static one` : `the program has no relation \`${name}\``, s.span, 'not a static', near ? `did you mean \`${near}\`?` : statics.length ? `its statics are ${statics.join(', ')}` : 'the program declares no .static relations');
      continue;
    }
    let ok = true;
    for (const row of s.rows) {
      if (row.length !== rel.arity) {
        ok = false;
        const span = row.length ? { start: row[0]!.span.start, end: row[row.length - 1]!.span.end } : s.span;
        at('DED605', `a fact of \`${name}\` has ${rel.arity} column${rel.arity === 1 ? '' : 's'}, this row has ${row.length}`, span, 'wrong width', `columns: ${columnList(rel)}`);
        continue;
      }
      row.forEach((cell, i) => {
        if (!checkStaticCell(cell, rel, i, roleOf, instances, at)) ok = false;
      });
    }
    if (ok) staticTemplates.set(name, s.rows);
  }
  for (const rel of analysis.relations.values()) {
    if (rel.kind === 'static' && rel.readBy.length && !deployment.statics.has(rel.name)) {
      at('DED609', `static \`${rel.name}\` has no facts in the deployment, so it is empty`, undefined, undefined, `add "statics": {"${rel.name}": [[...]]}`);
    }
  }

  // Timers: a deployment may override a declared period.
  for (const [name, t] of deployment.timers) {
    const rel = analysis.relations.get(name);
    if (!rel || rel.kind !== 'timer') at('DED604', `the program has no timer \`${name}\``, t.span, 'not a timer');
  }

  const nodes: ClusterNode[] = [];
  for (const role of analysis.roles) {
    for (let i = 0; i < instances.get(role.name)!; i++) {
      const address = firstAddress.get(role.name)! + BigInt(i);
      const statics = new Map<string, Row[]>();
      for (const [name, rows] of staticTemplates) statics.set(name, rows.flatMap((row) => expandStatic(row, { address, index: i, instances, firstAddress })));
      const timers = role.timers.map((relation) => ({
        relation,
        periodMicros: deployment.timers.get(relation)?.periodMicros ?? analysis.relations.get(relation)!.periodMicros!,
      }));
      nodes.push({ name: `${role.name}[${i}]`, role: role.name, index: i, address, statics, timers });
    }
  }

  const clients: ClusterClient[] = [];
  let workload: ClusterWorkload | undefined;
  const w = deployment.clients;
  if (w) {
    const target = addressOf(w.target);
    workload = resolveWorkload(w, analysis, at);
    if (target !== undefined && workload) {
      const count = instances.get(w.target.role)!;
      for (let i = 0; i < w.count; i++) {
        const address = next + BigInt(i);
        const t = w.target.index === '*' ? firstAddress.get(w.target.role)! + BigInt(i % count) : target;
        clients.push({ name: `client[${i}]`, index: i, address, target: t });
        names.set(address, `client[${i}]`);
      }
    }
  }

  const faults = deployment.sim.faults.flatMap((f): ClusterFault[] => {
    if (f.kind === 'crash') {
      const node = addressOf(f.node);
      return node === undefined ? [] : [{ kind: 'crash', node, at: f.at, ...(f.restart !== undefined ? { restart: f.restart } : {}) }];
    }
    const groups = f.groups.map((g) => g.map(addressOf));
    if (groups.some((g) => g.some((a) => a === undefined))) return [];
    return [{ kind: 'partition', groups: groups as bigint[][], at: f.at, ...(f.heal !== undefined ? { heal: f.heal } : {}) }];
  });

  if (hasErrors(sink)) return { diagnostics: sink };
  return { cluster: { nodes, clients, ...(workload ? { workload } : {}), sim: deployment.sim, faults, names }, diagnostics: sink };
}

type Report = (code: DiagnosticCode, message: string, span: Span | undefined, label?: string, hint?: string) => void;

function columnList(rel: RelationInfo): string {
  return rel.columns.map((c) => (c.name ? `${c.name}: ${c.type}` : c.type)).join(', ');
}

/** Strings go in string columns; addresses in addr columns; an int column (the default for
 * columns nothing declares) takes integers and addresses. */
function expectType(rel: RelationInfo, i: number, actual: 'int' | 'string' | 'addr', span: Span, at: Report): boolean {
  const want = rel.columns[i]!.type;
  const fits = want === 'string' ? actual === 'string' : want === 'addr' ? actual === 'addr' : actual !== 'string';
  if (!fits) {
    at('DED606', `column ${i + 1}${rel.columns[i]!.name ? ` (\`${rel.columns[i]!.name}\`)` : ''} of \`${rel.name}\` holds ${want} values, not ${actual}`, span, `${actual}`, want === 'addr' ? 'give an address: {"addr": role}, {"all": role}, {"self": "addr"} (or {"client": "addr"} in a request)' : `columns: ${columnList(rel)}`);
  }
  return fits;
}

function checkStaticCell(
  cell: StaticCell,
  rel: RelationInfo,
  i: number,
  roleOf: (name: string, span: Span) => boolean,
  instances: ReadonlyMap<string, number>,
  at: Report,
): boolean {
  switch (cell.kind) {
    case 'value':
      return expectType(rel, i, typeof cell.value === 'string' ? 'string' : 'int', cell.span, at);
    case 'addr':
      if (!roleOf(cell.role, cell.span)) return false;
      if (cell.index >= instances.get(cell.role)!) {
        at('DED608', `\`${cell.role}\` has ${instances.get(cell.role)} instance(s), so there is no \`${cell.role}[${cell.index}]\``, cell.span, 'no such node');
        return false;
      }
      return expectType(rel, i, 'addr', cell.span, at);
    case 'all':
      return roleOf(cell.role, cell.span) && expectType(rel, i, 'addr', cell.span, at);
    case 'count':
      return roleOf(cell.role, cell.span) && expectType(rel, i, 'int', cell.span, at);
    case 'self':
      return expectType(rel, i, cell.what === 'addr' ? 'addr' : 'int', cell.span, at);
    default: {
      const never: never = cell;
      return never;
    }
  }
}

interface NodeContext {
  readonly address: bigint;
  readonly index: number;
  readonly instances: ReadonlyMap<string, number>;
  readonly firstAddress: ReadonlyMap<string, bigint>;
}

/** The rows one template row stands for on one node: `all` cells multiply rows. */
function expandStatic(row: readonly StaticCell[], ctx: NodeContext): Row[] {
  let rows: Value[][] = [[]];
  for (const cell of row) {
    let choices: Value[];
    switch (cell.kind) {
      case 'value':
        choices = [cell.value];
        break;
      case 'addr':
        choices = [ctx.firstAddress.get(cell.role)! + BigInt(cell.index)];
        break;
      case 'all':
        choices = Array.from({ length: ctx.instances.get(cell.role)! }, (_, i) => ctx.firstAddress.get(cell.role)! + BigInt(i));
        break;
      case 'count':
        choices = [BigInt(ctx.instances.get(cell.role)!)];
        break;
      case 'self':
        choices = [cell.what === 'addr' ? ctx.address : BigInt(ctx.index)];
        break;
      default: {
        const never: never = cell;
        return never;
      }
    }
    rows = rows.flatMap((r) => choices.map((c) => [...r, c]));
  }
  return rows;
}

function resolveWorkload(w: NonNullable<Deployment['clients']>, analysis: Analysis, at: Report): ClusterWorkload | undefined {
  let ok = true;
  const input = analysis.relations.get(w.input.relation);
  if (!input || input.kind !== 'input') {
    const inputs = [...analysis.relations.values()].filter((r) => r.kind === 'input').map((r) => r.name);
    const near = closestName(w.input.relation, inputs);
    at('DED610', `clients write to an .input relation; \`${w.input.relation}\` is ${input ? `a .${input.kind} relation` : 'not in the program'}`, w.input.span, 'not an input', near ? `did you mean \`${near}\`?` : inputs.length ? `the inputs are ${inputs.join(', ')}` : 'the program declares no .input relation');
    return undefined;
  }
  if (w.row.length !== input.arity) {
    at('DED605', `a request to \`${input.name}\` has ${input.arity} column${input.arity === 1 ? '' : 's'}, this row has ${w.row.length}`, w.rowSpan, 'wrong width', `columns: ${columnList(input)}`);
    ok = false;
  } else {
    w.row.forEach((cell, i) => {
      const type = cell.kind === 'value' ? (typeof cell.value === 'string' ? 'string' : 'int') : cell.kind === 'template' ? 'string' : cell.kind === 'client' && cell.what === 'addr' ? 'addr' : 'int';
      if (!expectType(input, i, type, cell.span, at)) ok = false;
    });
  }
  const reply = analysis.relations.get(w.reply.relation);
  let column = -1;
  if (!reply || reply.kind !== 'async') {
    at('DED610', `clients receive replies on a channel (.async); \`${w.reply.relation}\` is ${reply ? `a .${reply.kind} relation` : 'not in the program'}`, w.reply.span, 'not a channel');
    ok = false;
  } else {
    column = typeof w.reply.column === 'number' ? w.reply.column : reply.columns.findIndex((c) => c.name === w.reply.column);
    if (column < 0 || column >= reply.arity) {
      at('DED610', `\`${reply.name}\` has no column ${typeof w.reply.column === 'number' ? w.reply.column : `\`${w.reply.column}\``} to match replies with requests`, w.reply.span, 'no such column', `columns (from 0): ${columnList(reply)}`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const cells = w.row;
  return {
    requests: w.requests,
    window: w.window,
    input: input.name,
    reply: reply!.name,
    replySeqColumn: column,
    request: (client, seq) => cells.map((cell) => requestValue(cell, client, seq)),
  };
}

function requestValue(cell: RequestCell, client: ClusterClient, seq: number): Value {
  switch (cell.kind) {
    case 'value':
      return cell.value;
    case 'template':
      return cell.text.replace(/\{client\}/g, String(client.index)).replace(/\{seq\}/g, String(seq));
    case 'client':
      return cell.what === 'addr' ? client.address : BigInt(client.index);
    case 'seq':
      return BigInt(seq);
    default: {
      const never: never = cell;
      return never;
    }
  }
}
