// Deployment file text to `Deployment`, checking its shape: known keys, the right kinds of
// values, durations with units, node names like `participant[1]`, hosts and ports. Whether the names match the
// program is checked later, by resolve-deployment.ts, which knows the program.

import { diagnostic, hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../source.js';
import { defaultSimSettings, selfWhats, type Deployment, type Fault, type NetworkNodeEntry, type NetworkNodeName, type NetworkSettings, type NodeRef, type RequestCell, type NamedColumn, type SimSettings, type StaticCell, type VerifySettings, type Workload } from './deployment.js';
import { parseDuration } from './duration.js';
import { MAX_PORT, parseEndpoint, parseHost, portProblem, type TextProblem } from './endpoint.js';
import { describe, JsonReader, type JsonNode } from './json-reader.js';

export interface DeploymentResult {
  readonly deployment?: Deployment;
  readonly diagnostics: readonly Diagnostic[];
}

const MAX_INSTANCES = 10_000;

export function readDeployment(source: SourceFile): DeploymentResult {
  const sink: Diagnostic[] = [];
  const tree = JsonReader.parse(source, sink, 'DED601');
  if (!tree) return { diagnostics: sink };
  const r = new JsonReader(source, sink, 'DED602');
  const top = r.object(tree, 'the deployment', ['$schema', 'description', 'roles', 'statics', 'timers', 'clients', 'sim', 'verify', 'network']);
  if (!top) return { diagnostics: sink };

  const roles = new Map<string, { instances: number; partitions: number; span: Span }>();
  const rolesNode = top.get('roles');
  if (rolesNode) {
    for (const [name, { value }] of r.object(rolesNode.value, '`roles`') ?? []) {
      const role = roleSize(r, name, value);
      if (role) roles.set(name, { ...role, span: r.span(value) });
    }
  }

  const statics = new Map<string, { rows: StaticCell[][]; span: Span }>();
  for (const [name, { value }] of top.get('statics') ? (r.object(top.get('statics')!.value, '`statics`') ?? []) : []) {
    const rows = r.array(value, `the facts of \`${name}\``);
    if (!rows) continue;
    const cells: StaticCell[][] = [];
    for (const row of rows) {
      const items = r.array(row, `a fact of \`${name}\` (a row: an array of values)`);
      if (items) cells.push(items.map((c) => staticCell(r, c)).filter((c): c is StaticCell => c !== undefined));
    }
    statics.set(name, { rows: cells, span: r.span(value) });
  }

  const timers = new Map<string, { periodMicros: number; span: Span }>();
  for (const [name, { value }] of top.get('timers') ? (r.object(top.get('timers')!.value, '`timers`') ?? []) : []) {
    const d = duration(r, value, `the period of timer \`${name}\``);
    if (d !== undefined && d > 0) timers.set(name, { periodMicros: d, span: r.span(value) });
    else if (d === 0) r.error(value, 'a timer period must be longer than zero', 'zero', undefined, 'DED607');
  }

  const clients = top.get('clients') ? readWorkload(r, top.get('clients')!.value) : undefined;
  const sim = top.get('sim') ? readSim(r, top.get('sim')!.value) : defaultSimSettings;
  const verify = top.get('verify') ? readVerify(r, top.get('verify')!.value) : undefined;
  const network = top.get('network') ? readNetwork(r, top.get('network')!.value) : undefined;

  if (hasErrors(sink)) return { diagnostics: sink };
  return { deployment: { source, roles, statics, timers, ...(clients ? { clients } : {}), sim, ...(verify ? { verify } : {}), ...(network ? { network } : {}) }, diagnostics: sink };
}

/**
 * `{"host": "10.0.0.5", "basePort": 7000, "nodes": {"leader[0]": "10.0.0.6:7000", "participant[1].0":
 * {"host": "::1", "port": 7100}}}`: where nodes listen. Whether the nodes exist, and whether two
 * of them would share a port, is for resolve-network.ts.
 */
function readNetwork(r: JsonReader, node: JsonNode): NetworkSettings | undefined {
  const obj = r.object(node, '`network`', ['host', 'basePort', 'nodes']);
  if (!obj) return undefined;
  const hostNode = obj.get('host')?.value;
  const host = hostNode && hostValue(r, hostNode, '`network.host`');
  const baseNode = obj.get('basePort')?.value;
  let basePort: number | undefined;
  if (baseNode) {
    if (baseNode.type === 'number' && Number.isInteger(baseNode.value) && baseNode.value >= 0 && baseNode.value < MAX_PORT) basePort = baseNode.value as number;
    else networkError(r, r.span(baseNode), { message: `\`network.basePort\` must be a whole number from 0 to ${MAX_PORT - 1}: node i listens on basePort + i`, label: baseNode.type === 'number' ? 'out of range' : describe(baseNode) });
  }
  const nodes: NetworkNodeEntry[] = [];
  for (const [text, { key, value }] of obj.has('nodes') ? (r.object(obj.get('nodes')!.value, '`network.nodes`') ?? []) : []) {
    const name = networkNodeName(text, r.span(key));
    if (!name) {
      r.error(key, `\`${text}\` is not a node name: a key of \`network.nodes\` names one node, such as "leader[0]", or "participant[1].0" for a partition`, 'not a node name', undefined, 'DED608');
    }
    const endpoint = endpointValue(r, value, text, hostNode !== undefined);
    if (name && endpoint) nodes.push({ node: name, ...endpoint, span: r.span(value) });
  }
  return {
    ...(host !== undefined ? { host: { value: host, span: r.span(hostNode!) } } : {}),
    ...(basePort !== undefined ? { basePort: { value: basePort, span: r.span(baseNode!) } } : {}),
    nodes,
    span: r.span(node),
  };
}

/** `role`, `role[i]` or `role[i].p`. */
function networkNodeName(text: string, span: Span): NetworkNodeName | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\](?:\.(\d+))?)?$/.exec(text);
  if (!m) return undefined;
  return { text, role: m[1]!, ...(m[2] !== undefined ? { index: Number(m[2]) } : {}), ...(m[3] !== undefined ? { partition: Number(m[3]) } : {}), span };
}

/** `"host:port"` or `{"host": host, "port": port}`; the host may be left out when `network.host` is given. */
function endpointValue(r: JsonReader, node: JsonNode, name: string, defaultHost: boolean): { host?: string; port: number } | undefined {
  if (node.type === 'string') {
    const parsed = parseEndpoint(node.value as string);
    if (parsed.ok) return parsed.value;
    networkError(r, stringPart(r, node, parsed.problem.part), parsed.problem);
    return undefined;
  }
  if (node.type !== 'object') {
    networkError(r, r.span(node), { message: `where \`${name}\` listens is "host:port" or {"host": ..., "port": ...}`, label: describe(node), hint: 'for example "10.0.0.5:7000"' });
    return undefined;
  }
  const obj = r.object(node, `the endpoint of \`${name}\``, ['host', 'port']);
  if (!obj) return undefined;
  const hostNode = obj.get('host')?.value;
  const host = hostNode && hostValue(r, hostNode, `the host of \`${name}\``);
  const portNode = obj.get('port')?.value;
  let port: number | undefined;
  if (!portNode) {
    networkError(r, r.span(node), { message: `the endpoint of \`${name}\` has no \`port\``, label: 'no port', hint: '{"host": "10.0.0.5", "port": 7000}' });
  } else if (portNode.type !== 'number') {
    networkError(r, r.span(portNode), { message: `the port of \`${name}\` must be a whole number from 1 to ${MAX_PORT}`, label: describe(portNode) });
  } else {
    const problem = portProblem(portNode.value as number);
    if (problem) networkError(r, r.span(portNode), problem);
    else port = portNode.value as number;
  }
  if (!hostNode && !defaultHost) {
    networkError(r, r.span(node), { message: `the endpoint of \`${name}\` has no \`host\`, and \`network\` gives no default \`host\``, label: 'no host', hint: 'add "host" here, or a default "host" to `network`' });
    return undefined;
  }
  if (port === undefined || (hostNode && host === undefined)) return undefined;
  return { ...(host !== undefined ? { host } : {}), port };
}

function hostValue(r: JsonReader, node: JsonNode, what: string): string | undefined {
  if (node.type !== 'string') {
    networkError(r, r.span(node), { message: `${what} must be a string: a host name or an IP address`, label: describe(node) });
    return undefined;
  }
  const parsed = parseHost(node.value as string);
  if (parsed.ok) return parsed.value;
  networkError(r, r.span(node), parsed.problem);
  return undefined;
}

function networkError(r: JsonReader, span: Span, p: TextProblem): void {
  r.sink.push(diagnostic('DED612', p.message, { span, label: p.label, ...(p.hint ? { hint: p.hint } : {}) }));
}

/** The span of part of a string's value, when the string has no escapes (else the whole string). */
function stringPart(r: JsonReader, node: JsonNode, part: readonly [number, number] | undefined): Span {
  const span = r.span(node);
  const raw = r.source.text.slice(span.start + 1, span.end - 1);
  if (!part || raw !== node.value) return span;
  return { start: span.start + 1 + part[0], end: span.start + 1 + Math.max(part[1], part[0] + 1) };
}

/** `{"compare": {"clientOut": ["payload", "verdict"]}}`: which relations `dedc verify` compares by projection. */
function readVerify(r: JsonReader, node: JsonNode): VerifySettings | undefined {
  const obj = r.object(node, '`verify`', ['compare']);
  if (!obj) return undefined;
  const compare = new Map<string, { columns: NamedColumn[]; span: Span }>();
  for (const [relation, { key, value }] of obj.has('compare') ? (r.object(obj.get('compare')!.value, '`verify.compare`') ?? []) : []) {
    const items = r.array(value, `the columns \`${relation}\` is compared by (an array of column names)`);
    if (!items) continue;
    if (!items.length) {
      r.error(value, `name at least one column of \`${relation}\` to compare it by`, 'no columns', 'leave the relation out of `compare` to compare its facts exactly', 'DED611');
      continue;
    }
    const columns: NamedColumn[] = [];
    for (const item of items) {
      const name = r.string(item, `a column of \`${relation}\` (its declared name)`);
      if (name === undefined) continue;
      if (columns.some((c) => c.name === name)) r.error(item, `column \`${name}\` is named twice`, 'repeated', undefined, 'DED611');
      else columns.push({ name, span: r.span(item) });
    }
    if (columns.length === items.length) compare.set(relation, { columns, span: r.span(key) });
  }
  return { compare };
}

/** `"leader": 1` or `"participant": {"instances": 3, "partitions": 2}`. */
function roleSize(r: JsonReader, name: string, value: JsonNode): { instances: number; partitions: number } | undefined {
  if (value.type === 'number') {
    const n = r.integer(value, `the number of \`${name}\` instances`, 1, MAX_INSTANCES);
    return n === undefined ? undefined : { instances: n, partitions: 1 };
  }
  const obj = r.object(value, `the size of role \`${name}\` (a number, or {"instances": n, "partitions": m})`, ['instances', 'partitions']);
  if (!obj) return undefined;
  const instances = obj.has('instances') ? r.integer(obj.get('instances')!.value, `the number of \`${name}\` instances`, 1, MAX_INSTANCES) : 1;
  const partitions = obj.has('partitions') ? r.integer(obj.get('partitions')!.value, `the number of partitions of each \`${name}\``, 1, MAX_INSTANCES) : 1;
  if (instances === undefined || partitions === undefined) return undefined;
  if (instances * partitions > MAX_INSTANCES) {
    r.error(value, `\`${name}\` would run ${instances * partitions} nodes; at most ${MAX_INSTANCES} are allowed`, 'too many nodes');
    return undefined;
  }
  return { instances, partitions };
}

function staticCell(r: JsonReader, node: JsonNode): StaticCell | undefined {
  const span = r.span(node);
  if (node.type === 'number') {
    const v = r.integer(node, 'a number in a fact', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return v === undefined ? undefined : { kind: 'value', value: BigInt(v), span };
  }
  if (node.type === 'string') return { kind: 'value', value: node.value as string, span };
  const obj = r.object(node, 'a value in a fact', ['addr', 'index', 'all', 'count', 'partitions', 'same', 'peer', 'self']);
  if (!obj) return undefined;
  const kinds = ['addr', 'all', 'count', 'partitions', 'same', 'peer', 'self'].filter((k) => obj.has(k));
  if (kinds.length > 1) {
    r.error(node, `a value is one of {"addr": role}, {"all": role}, {"count": role}, {"partitions": role}, {"same": role}, {"peer": role}, {"self": ...}, not ${kinds.map((k) => `"${k}"`).join(' and ')} at once`, 'ambiguous value');
    return undefined;
  }
  if (obj.has('index') && !obj.has('addr')) {
    r.error(obj.get('index')!.key, '`index` goes with `addr`: {"addr": "participant", "index": 1}', 'index of what?');
    return undefined;
  }
  const role = (key: string) => r.string(obj.get(key)!.value, `\`${key}\``);
  if (obj.has('addr')) {
    const name = role('addr');
    const index = obj.has('index') ? r.integer(obj.get('index')!.value, 'the instance index', 0, MAX_INSTANCES - 1) : 0;
    return name === undefined || index === undefined ? undefined : { kind: 'addr', role: name, index, span };
  }
  if (obj.has('all')) {
    const name = role('all');
    return name === undefined ? undefined : { kind: 'all', role: name, span };
  }
  for (const kind of ['count', 'partitions', 'same', 'peer'] as const) {
    if (obj.has(kind)) {
      const name = role(kind);
      return name === undefined ? undefined : { kind, role: name, span };
    }
  }
  if (obj.has('self')) {
    const what = r.string(obj.get('self')!.value, '`self`');
    const known = selfWhats.find((w) => w === what);
    if (known) return { kind: 'self', what: known, span };
    if (what !== undefined) r.error(obj.get('self')!.value, `\`self\` is one of ${selfWhats.map((w) => `"${w}"`).join(', ')}`, 'unknown');
    return undefined;
  }
  r.error(node, 'a value in a fact is a number, a string, or one of {"addr": role}, {"all": role}, {"count": role}, {"partitions": role}, {"same": role}, {"peer": role}, {"self": "addr"|"index"|"partition"|"node"}', 'not a value');
  return undefined;
}

function requestCell(r: JsonReader, node: JsonNode): RequestCell | undefined {
  const span = r.span(node);
  if (node.type === 'number') {
    const v = r.integer(node, 'a number in a request', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return v === undefined ? undefined : { kind: 'value', value: BigInt(v), span };
  }
  if (node.type === 'string') {
    const text = node.value as string;
    return /\{(client|seq)\}/.test(text) ? { kind: 'template', text, span } : { kind: 'value', value: text, span };
  }
  const obj = r.object(node, 'a value in a request', ['client', 'seq', 'choose']);
  if (!obj) return undefined;
  if (obj.has('choose')) return chooseCell(r, obj.get('choose')!.value, span);
  if (obj.has('client') && obj.has('seq')) {
    r.error(node, 'a value is {"client": ...} or {"seq": "int"}, not both', 'ambiguous value');
    return undefined;
  }
  if (obj.has('client')) {
    const what = r.string(obj.get('client')!.value, '`client`');
    if (what === 'addr' || what === 'index') return { kind: 'client', what, span };
    if (what !== undefined) r.error(obj.get('client')!.value, '`client` is "addr" or "index"', 'unknown');
    return undefined;
  }
  if (obj.has('seq')) {
    const what = r.string(obj.get('seq')!.value, '`seq`');
    if (what === 'int') return { kind: 'seq', span };
    if (what !== undefined) r.error(obj.get('seq')!.value, '`seq` is "int": the request number, from 1', 'unknown');
    return undefined;
  }
  r.error(node, 'a value in a request is a number, a string, {"client": "addr"|"index"} or {"seq": "int"}', 'not a value');
  return undefined;
}

/** `{"choose": [a, b, ...]}`: one of the values (numbers, strings or templates), all of one type. */
function chooseCell(r: JsonReader, node: JsonNode, span: Span): RequestCell | undefined {
  const items = r.array(node, '`choose`');
  if (!items) return undefined;
  if (items.length === 0) {
    r.error(node, '`choose` needs at least one value', 'empty', 'for example {"choose": ["put", "get"]}');
    return undefined;
  }
  const choices: (RequestCell & { kind: 'value' | 'template' })[] = [];
  for (const item of items) {
    if (item.type !== 'number' && item.type !== 'string') {
      r.error(item, 'a value to choose is a number or a string', 'not a value');
      return undefined;
    }
    const cell = requestCell(r, item);
    if (!cell || (cell.kind !== 'value' && cell.kind !== 'template')) return undefined;
    choices.push(cell);
  }
  const kinds = new Set(items.map((i) => i.type));
  if (kinds.size > 1) {
    r.error(node, 'the values to choose from are all numbers or all strings', 'mixed types');
    return undefined;
  }
  return { kind: 'choose', choices, span };
}

export function parseNodeRef(text: string, span: Span): NodeRef | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+|\*)\])?$/.exec(text);
  if (!m) return undefined;
  return { role: m[1]!, index: m[2] === undefined ? 0 : m[2] === '*' ? '*' : Number(m[2]), span };
}

function nodeRef(r: JsonReader, node: JsonNode, what: string, allowSpread: boolean): NodeRef | undefined {
  const text = r.string(node, what);
  if (text === undefined) return undefined;
  const ref = parseNodeRef(text, r.span(node));
  if (!ref || (!allowSpread && ref.index === '*')) {
    r.error(node, `${what} must name a node, such as "leader" or "participant[1]"${allowSpread ? ', or "participant[*]" for all of them in turn' : ''}`, 'not a node name', undefined, 'DED608');
    return undefined;
  }
  return ref;
}

function duration(r: JsonReader, node: JsonNode, what: string): number | undefined {
  const text = node.type === 'string' ? (node.value as string) : undefined;
  const d = text === undefined ? undefined : parseDuration(text);
  if (d === undefined) {
    r.error(node, `${what} must be a duration with a unit, such as "5ms", "250us" or "2s"`, 'not a duration', undefined, 'DED607');
  }
  return d;
}

function range(r: JsonReader, node: JsonNode, what: string): [number, number] | undefined {
  if (node.type === 'string') {
    const d = duration(r, node, what);
    return d === undefined ? undefined : [d, d];
  }
  const items = r.array(node, what);
  if (!items) return undefined;
  if (items.length !== 2) {
    r.error(node, `${what} is a duration or a pair ["min", "max"]`, `${items.length} items`, undefined, 'DED607');
    return undefined;
  }
  const lo = duration(r, items[0]!, `the least ${what}`);
  const hi = duration(r, items[1]!, `the greatest ${what}`);
  if (lo === undefined || hi === undefined) return undefined;
  if (lo > hi) {
    r.error(node, `${what}: the least is more than the greatest`, 'min > max', undefined, 'DED607');
    return undefined;
  }
  return [lo, hi];
}

function readWorkload(r: JsonReader, node: JsonNode): Workload | undefined {
  const obj = r.object(node, '`clients`', ['count', 'requests', 'window', 'target', 'input', 'row', 'reply', 'retry']);
  if (!obj) return undefined;
  const required = ['target', 'input', 'row', 'reply'];
  const missing = required.filter((k) => !obj.has(k));
  if (missing.length) {
    r.sink.push(
      diagnostic('DED610', `\`clients\` needs ${missing.map((m) => `\`${m}\``).join(', ')}`, {
        span: r.span(node),
        label: 'incomplete workload',
        hint: 'see docs/language.md, "Deployments", for a complete example',
      }),
    );
    return undefined;
  }
  const count = obj.has('count') ? r.integer(obj.get('count')!.value, '`count`', 0, 100_000) : 1;
  const requests = obj.has('requests') ? r.integer(obj.get('requests')!.value, '`requests`', 0, 10_000_000) : 1;
  const window = obj.has('window') ? r.integer(obj.get('window')!.value, '`window`', 1, 100_000) : 1;
  const target = nodeRef(r, obj.get('target')!.value, '`target`', true);
  const retry = obj.has('retry') ? duration(r, obj.get('retry')!.value, '`retry`') : undefined;
  const inputNode = obj.get('input')!.value;
  const input = r.string(inputNode, '`input`');
  const rowNode = obj.get('row')!.value;
  const cells = r.array(rowNode, '`row`')?.map((c) => requestCell(r, c));
  const replyNode = obj.get('reply')!.value;
  const reply = r.object(replyNode, '`reply`', ['relation', 'seqColumn']);
  let replyRelation: string | undefined;
  let column: number | string | undefined;
  if (reply) {
    if (!reply.has('relation') || !reply.has('seqColumn')) {
      r.error(replyNode, '`reply` needs `relation` and `seqColumn`', 'incomplete', 'for example {"relation": "clientOut", "seqColumn": "id"}', 'DED610');
    } else {
      replyRelation = r.string(reply.get('relation')!.value, '`reply.relation`');
      const c = reply.get('seqColumn')!.value;
      column = c.type === 'string' ? (c.value as string) : r.integer(c, '`reply.seqColumn`', 0, 1000);
    }
  }
  if (
    count === undefined || requests === undefined || window === undefined || !target || input === undefined ||
    !cells || cells.some((c) => c === undefined) || replyRelation === undefined || column === undefined ||
    (obj.has('retry') && retry === undefined)
  ) {
    return undefined;
  }
  return {
    count,
    requests,
    window,
    target,
    input: { relation: input, span: r.span(inputNode) },
    row: cells as RequestCell[],
    rowSpan: r.span(rowNode),
    reply: { relation: replyRelation, column, span: r.span(replyNode) },
    ...(retry !== undefined ? { retry } : {}),
    span: r.span(node),
  };
}

function readSim(r: JsonReader, node: JsonNode): SimSettings {
  const obj = r.object(node, '`sim`', ['delay', 'clientDelay', 'tickDelay', 'drop', 'until', 'batching', 'faults', 'maxEvents']);
  if (!obj) return defaultSimSettings;
  const get = <T>(key: string, read: (n: JsonNode) => T | undefined, fallback: T): T => {
    const entry = obj.get(key);
    return entry ? (read(entry.value) ?? fallback) : fallback;
  };
  const batching = get('batching', (n) => {
    const s = r.string(n, '`batching`');
    if (s === 'message' || s === 'tick') return s;
    if (s !== undefined) r.error(n, '`batching` is "message" or "tick"', 'unknown');
    return undefined;
  }, defaultSimSettings.batching);
  return {
    delay: get('delay', (n) => range(r, n, 'delay'), defaultSimSettings.delay),
    clientDelay: get('clientDelay', (n) => range(r, n, 'client delay'), defaultSimSettings.clientDelay),
    tickDelay: get('tickDelay', (n) => range(r, n, 'tick delay'), defaultSimSettings.tickDelay),
    drop: get('drop', (n) => r.number(n, '`drop` (a probability)', 0, 1), defaultSimSettings.drop),
    until: get('until', (n) => duration(r, n, '`until`'), defaultSimSettings.until),
    batching,
    faults: get('faults', (n) => readFaults(r, n), []),
    maxEvents: get('maxEvents', (n) => r.integer(n, '`maxEvents`', 1, 1_000_000_000), defaultSimSettings.maxEvents),
  };
}

function readFaults(r: JsonReader, node: JsonNode): Fault[] | undefined {
  const items = r.array(node, '`faults`');
  if (!items) return undefined;
  const out: Fault[] = [];
  for (const item of items) {
    const obj = r.object(item, 'a fault', ['crash', 'restart', 'partition', 'heal', 'at']);
    if (!obj) continue;
    const at = obj.has('at') ? duration(r, obj.get('at')!.value, '`at`') : undefined;
    if (!obj.has('at')) r.error(item, 'a fault needs `at`, the time it strikes', 'no `at`', undefined, 'DED602');
    if (at === undefined) continue;
    if (obj.has('crash') === obj.has('partition')) {
      r.error(item, 'a fault is either {"crash": node, ...} or {"partition": [[nodes], [nodes]], ...}', 'unclear fault');
      continue;
    }
    if (obj.has('crash')) {
      const ref = nodeRef(r, obj.get('crash')!.value, '`crash`', false);
      const restart = obj.has('restart') ? duration(r, obj.get('restart')!.value, '`restart`') : undefined;
      if (obj.has('heal')) {
        r.error(obj.get('heal')!.key, '`heal` belongs to a partition; a crash has `restart`', 'not for a crash');
        continue;
      }
      if (restart !== undefined && restart < at) {
        r.error(obj.get('restart')!.value, '`restart` comes before `at`: a node restarts after it crashes', 'too early', undefined, 'DED607');
        continue;
      }
      if (ref) out.push({ kind: 'crash', node: ref, at, ...(restart !== undefined ? { restart } : {}), span: r.span(item) });
    } else {
      const groups = r.array(obj.get('partition')!.value, '`partition`')?.map((g) => r.array(g, 'a group of nodes')?.map((n) => nodeRef(r, n, 'a node', false)));
      const heal = obj.has('heal') ? duration(r, obj.get('heal')!.value, '`heal`') : undefined;
      if (obj.has('restart')) {
        r.error(obj.get('restart')!.key, '`restart` belongs to a crash; a partition has `heal`', 'not for a partition');
        continue;
      }
      if (heal !== undefined && heal < at) {
        r.error(obj.get('heal')!.value, '`heal` comes before `at`: a partition heals after it begins', 'too early', undefined, 'DED607');
        continue;
      }
      if (groups && groups.every((g) => g && g.every((n) => n))) {
        out.push({ kind: 'partition', groups: groups as NodeRef[][], at, ...(heal !== undefined ? { heal } : {}), span: r.span(item) });
      }
    }
  }
  return out;
}
