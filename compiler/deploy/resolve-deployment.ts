// Deployment + analysed program to `Cluster`: every node with its address, role, static facts
// and timers; every client with its target; faults with resolved addresses; where nodes listen
// (resolve-network.ts). Checks the deployment against the program: role and relation names, row
// widths and value types.
// Addresses: nodes are numbered from 1 in the program's role order, each role's instances
// contiguous (so `@(first + i)` arithmetic works); clients come after the nodes. A partitioned
// role's instance i with n partitions has the n addresses from first + i*n: its partitions are
// contiguous, and the instance is known by the address of its partition 0.

import type { Analysis, RelationInfo } from '../analyze/analysis.js';
import { closestName } from '../analyze/suggest.js';
import { diagnostic, hasErrors, type Diagnostic, type RelatedSpan } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Span } from '../source.js';
import type { Row, Value } from '../values/value.js';
import { stableHashTuple } from '../values/hash.js';
import { defaultSimSettings, type Deployment, type NodeRef, type RequestCell, type SimSettings, type StaticCell, type VerifySettings } from './deployment.js';
import { resolveNetwork, type ClusterNetwork } from './resolve-network.js';

export type { ClusterNetwork, NetworkEndpoint } from './resolve-network.js';

export interface ClusterNode {
  /** `role[index]`, or `role[index].partition` for a partitioned role. */
  readonly name: string;
  readonly role: string;
  readonly index: number;
  /** The partition this node runs, from 0; always 0 for a role that is not partitioned. */
  readonly partition: number;
  /** The node's own address. */
  readonly address: bigint;
  /** The address of its instance, which `self` gives: partition 0's address. */
  readonly instanceAddress: bigint;
  readonly statics: ReadonlyMap<string, readonly Row[]>;
  readonly timers: readonly { readonly relation: string; readonly periodMicros: number }[];
}

export interface ClusterClient {
  readonly name: string;
  readonly index: number;
  readonly address: bigint;
  readonly target: bigint;
  /** Where it sends a retried request: every instance of the target's role, from `target` on. */
  readonly targets: readonly bigint[];
}

export interface ClusterWorkload {
  readonly requests: number;
  readonly window: number;
  readonly input: string;
  readonly reply: string;
  readonly replySeqColumn: number;
  /** Microseconds after which an unanswered request is sent again, to the client's next target. */
  readonly retry?: number;
  request(client: ClusterClient, seq: number): Row;
}

export type ClusterFault =
  | { readonly kind: 'crash'; readonly node: bigint; readonly at: number; readonly restart?: number }
  /** With `cut`, only the links between the groups fail; nodes in no group are not affected. */
  | { readonly kind: 'partition'; readonly groups: readonly (readonly bigint[])[]; readonly at: number; readonly heal?: number; readonly cut?: boolean };

/**
 * How `dedc verify` compares runs: each relation listed is compared as the multiset of its
 * client-visible facts projected onto these columns (names, in the order given).
 */
export interface ClusterVerify {
  readonly compare: ReadonlyMap<string, readonly string[]>;
}

export interface Cluster {
  readonly nodes: readonly ClusterNode[];
  readonly clients: readonly ClusterClient[];
  readonly workload?: ClusterWorkload;
  readonly sim: SimSettings;
  readonly faults: readonly ClusterFault[];
  /** Address to `role[i]` or `client[i]`. */
  readonly names: ReadonlyMap<bigint, string>;
  readonly verify?: ClusterVerify;
  /** Where nodes listen as processes: the deployment's `network` section (empty without one). */
  readonly network: ClusterNetwork;
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
  const at = (code: DiagnosticCode, message: string, span: Span | undefined, label?: string, hint?: string, related?: RelatedSpan[]) =>
    sink.push(diagnostic(code, message, { ...(span ? { span } : {}), ...(label ? { label } : {}), ...(hint ? { hint } : {}), ...(related ? { related } : {}) }));
  const roleNames = analysis.roles.map((r) => r.name);

  for (const [name, r] of deployment.roles) {
    if (!roleNames.includes(name)) {
      const near = closestName(name, roleNames);
      at('DED603', `the program has no role \`${name}\``, r.span, 'unknown role', near ? `did you mean \`${near}\`?` : `its roles are ${roleNames.join(', ')}`);
    }
  }
  const instances = new Map(roleNames.map((n) => [n, deployment.roles.get(n)?.instances ?? 1]));
  const partitions = new Map(roleNames.map((n) => [n, deployment.roles.get(n)?.partitions ?? 1]));
  const firstAddress = new Map<string, bigint>();
  let next = 1n;
  for (const n of roleNames) {
    firstAddress.set(n, next);
    next += BigInt(instances.get(n)! * partitions.get(n)!);
  }
  /** Instance i of a role is known by the address of its partition 0. */
  const instanceAddress = (role: string, i: number) => firstAddress.get(role)! + BigInt(i * partitions.get(role)!);
  const nodeName = (role: string, i: number, p: number) => (partitions.get(role)! > 1 ? `${role}[${i}].${p}` : `${role}[${i}]`);
  const names = new Map<bigint, string>();
  for (const n of roleNames) {
    for (let i = 0; i < instances.get(n)!; i++) {
      for (let p = 0; p < partitions.get(n)!; p++) names.set(instanceAddress(n, i) + BigInt(p), nodeName(n, i, p));
    }
  }

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
    return instanceAddress(ref.role, ref.index === '*' ? 0 : ref.index);
  };
  /** Every node of an instance: its partitions. */
  const nodesOf = (ref: NodeRef): bigint[] | undefined => {
    const a = addressOf(ref);
    return a === undefined ? undefined : Array.from({ length: partitions.get(ref.role)! }, (_, p) => a + BigInt(p));
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
      if (!checkSameCells(row, instances, at)) ok = false;
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
      for (let p = 0; p < partitions.get(role.name)!; p++) {
        const base = instanceAddress(role.name, i);
        const address = base + BigInt(p);
        const ctx: NodeContext = { address, instanceAddress: base, index: i, partition: p, instances, partitions, instanceAddressOf: instanceAddress };
        const statics = new Map<string, Row[]>();
        for (const [name, rows] of staticTemplates) statics.set(name, rows.flatMap((row) => expandStatic(row, ctx)));
        const timers = role.timers.map((relation) => ({
          relation,
          periodMicros: deployment.timers.get(relation)?.periodMicros ?? analysis.relations.get(relation)!.periodMicros!,
        }));
        nodes.push({ name: nodeName(role.name, i, p), role: role.name, index: i, partition: p, address, instanceAddress: base, statics, timers });
      }
    }
  }

  const clients: ClusterClient[] = [];
  let workload: ClusterWorkload | undefined;
  const w = deployment.clients;
  if (w) {
    const target = addressOf(w.target);
    workload = resolveWorkload(w, analysis, at);
    if (target !== undefined && partitions.get(w.target.role)! > 1) {
      at('DED610', `clients cannot send to \`${w.target.role}\`: it is partitioned, and clients do not know how to pick a partition`, w.target.span, 'partitioned role', 'send to a role that is not partitioned (the rewrites keep the role clients write to whole)');
    } else if (target !== undefined && workload) {
      const count = instances.get(w.target.role)!;
      for (let i = 0; i < w.count; i++) {
        const address = next + BigInt(i);
        const first = w.target.index === '*' ? i % count : w.target.index;
        const targets = Array.from({ length: count }, (_, k) => instanceAddress(w.target.role, (first + k) % count));
        clients.push({ name: `client[${i}]`, index: i, address, target: targets[0]!, targets });
        names.set(address, `client[${i}]`);
      }
    }
  }

  const faults = deployment.sim.faults.flatMap((f): ClusterFault[] => {
    if (f.kind === 'crash') {
      const crashed = nodesOf(f.node) ?? [];
      return crashed.map((node) => ({ kind: 'crash', node, at: f.at, ...(f.restart !== undefined ? { restart: f.restart } : {}) }));
    }
    const groups = f.groups.map((g) => g.map(nodesOf));
    if (groups.some((g) => g.some((a) => a === undefined))) return [];
    return [{ kind: 'partition', groups: groups.map((g) => (g as bigint[][]).flat()), at: f.at, ...(f.heal !== undefined ? { heal: f.heal } : {}) }];
  });

  const verify = deployment.verify ? resolveVerify(deployment.verify, analysis, deployment.clients?.reply.relation, at) : undefined;
  const roles = new Map(roleNames.map((n) => [n, { instances: instances.get(n)!, partitions: partitions.get(n)! }]));
  const network = resolveNetwork(deployment.network, { nodes, clients, roles }, at);

  if (hasErrors(sink)) return { diagnostics: sink };
  return { cluster: { nodes, clients, ...(workload ? { workload } : {}), sim: deployment.sim, faults, names, ...(verify ? { verify } : {}), network }, diagnostics: sink };
}

/** `verify.compare` names client-visible relations (`.output` ones or the clients' reply channel) and their declared columns. */
function resolveVerify(v: VerifySettings, analysis: Analysis, reply: string | undefined, at: Report): ClusterVerify {
  const compare = new Map<string, string[]>();
  const visible = [...analysis.relations.values()].filter((r) => r.kind === 'output' || r.name === reply).map((r) => r.name);
  const choices = visible.length ? `clients see ${visible.map((n) => `\`${n}\``).join(', ')}` : 'clients see nothing of this program: it has no .output relation and no client workload';
  for (const [name, entry] of v.compare) {
    const rel = analysis.relations.get(name);
    if (!rel || !visible.includes(name)) {
      const near = rel ? undefined : closestName(name, visible);
      const why = !rel
        ? `the program has no relation \`${name}\``
        : rel.kind === 'async'
          ? `\`${name}\` is a channel clients do not receive${reply ? ` (their replies come on \`${reply}\`)` : ' (the deployment has no client workload)'}`
          : `\`${name}\` is a .${rel.kind} relation, which clients do not see`;
      at('DED611', `${why}; \`verify.compare\` names .output relations and the clients' reply channel`, entry.span, rel ? 'not client-visible' : 'unknown relation', near ? `did you mean \`${near}\`?` : choices);
      continue;
    }
    let ok = true;
    for (const c of entry.columns) {
      if (!rel.columns.some((col) => col.name === c.name)) {
        ok = false;
        const named = rel.columns.map((col) => col.name).filter((n): n is string => !!n);
        const near = closestName(c.name, named);
        at('DED611', `\`${name}\` has no column named \`${c.name}\``, c.span, 'no such column', near ? `did you mean \`${near}\`?` : `columns: ${columnList(rel)}; only named columns can be compared`);
      }
    }
    if (ok) compare.set(name, entry.columns.map((c) => c.name));
  }
  return { compare };
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
    case 'partitions':
      return roleOf(cell.role, cell.span) && expectType(rel, i, 'int', cell.span, at);
    case 'same':
    case 'peer':
      return roleOf(cell.role, cell.span) && expectType(rel, i, 'addr', cell.span, at);
    case 'self':
      return expectType(rel, i, cell.what === 'addr' || cell.what === 'node' ? 'addr' : 'int', cell.span, at);
    default: {
      const never: never = cell;
      return never;
    }
  }
}

/** A `same` cell pairs with the row's one `all` cell, whose role has no more instances. */
function checkSameCells(row: readonly StaticCell[], instances: ReadonlyMap<string, number>, at: Report): boolean {
  const same = row.filter((c) => c.kind === 'same');
  if (!same.length) return true;
  const all = row.filter((c) => c.kind === 'all');
  if (all.length !== 1) {
    at('DED606', `a {"same": role} value pairs with the one {"all": role} value of its row; this row has ${all.length}`, same[0]!.span, 'same as what?');
    return false;
  }
  const from = all[0]!.role;
  for (const c of same) {
    if (c.kind !== 'same' || !instances.has(c.role) || !instances.has(from)) continue;
    if (instances.get(c.role)! < instances.get(from)!) {
      at('DED606', `\`${c.role}\` has fewer instances (${instances.get(c.role)}) than \`${from}\` (${instances.get(from)}), so not every \`${from}\` has a \`${c.role}\` of the same index`, c.span, 'too few instances');
      return false;
    }
  }
  return true;
}

interface NodeContext {
  /** The node's own address. */
  readonly address: bigint;
  /** The address of the node's instance (partition 0). */
  readonly instanceAddress: bigint;
  readonly index: number;
  readonly partition: number;
  readonly instances: ReadonlyMap<string, number>;
  readonly partitions: ReadonlyMap<string, number>;
  instanceAddressOf(role: string, index: number): bigint;
}

/** The rows one template row stands for on one node: `all` cells multiply rows. */
function expandStatic(row: readonly StaticCell[], ctx: NodeContext): Row[] {
  // Each partial row remembers the instance index its `all` cell chose, for `same` cells.
  let rows: { values: Value[]; index: number }[] = [{ values: [], index: 0 }];
  for (const cell of row) {
    const each = (f: (index: number) => Value[]) => {
      rows = rows.flatMap((r) => f(r.index).map((v) => ({ values: [...r.values, v], index: r.index })));
    };
    switch (cell.kind) {
      case 'value':
        each(() => [cell.value]);
        break;
      case 'addr':
        each(() => [ctx.instanceAddressOf(cell.role, cell.index)]);
        break;
      case 'all':
        rows = rows.flatMap((r) =>
          Array.from({ length: ctx.instances.get(cell.role)! }, (_, i) => ({ values: [...r.values, ctx.instanceAddressOf(cell.role, i)], index: i })),
        );
        break;
      case 'same':
        each((index) => [ctx.instanceAddressOf(cell.role, index)]);
        break;
      case 'peer':
        each(() => (ctx.index < ctx.instances.get(cell.role)! ? [ctx.instanceAddressOf(cell.role, ctx.index)] : []));
        break;
      case 'count':
        each(() => [BigInt(ctx.instances.get(cell.role)!)]);
        break;
      case 'partitions':
        each(() => [BigInt(ctx.partitions.get(cell.role)!)]);
        break;
      case 'self': {
        const v = { addr: ctx.instanceAddress, node: ctx.address, index: BigInt(ctx.index), partition: BigInt(ctx.partition) }[cell.what];
        each(() => [v]);
        break;
      }
      default: {
        const never: never = cell;
        return never;
      }
    }
  }
  return rows.map((r) => r.values);
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
      const typed = cell.kind === 'choose' ? cell.choices[0]! : cell;
      const type = typed.kind === 'value' ? (typeof typed.value === 'string' ? 'string' : 'int') : typed.kind === 'template' ? 'string' : typed.kind === 'client' && typed.what === 'addr' ? 'addr' : 'int';
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
    ...(w.retry !== undefined ? { retry: w.retry } : {}),
    request: (client, seq) => cells.map((cell, i) => requestValue(cell, client, seq, i)),
  };
}

function requestValue(cell: RequestCell, client: ClusterClient, seq: number, column: number): Value {
  switch (cell.kind) {
    case 'choose': {
      const pick = stableHashTuple([BigInt(client.index), BigInt(seq), BigInt(column)]) % BigInt(cell.choices.length);
      return requestValue(cell.choices[Number(pick)]!, client, seq, column);
    }
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
