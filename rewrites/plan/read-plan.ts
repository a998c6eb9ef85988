// Plan file text to `Plan`, checking its shape: known keys, the right kinds of values, a known
// decoupling kind and partitioning policy. Whether the names match the program is checked when
// each step is applied, against the program as the earlier steps left it.

import { hasErrors, type Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { JsonReader, type JsonNode } from '../../compiler/deploy/json-reader.js';
import type { SourceFile } from '../../compiler/source.js';
import { decoupleKinds } from '../analysis/decouple-kind.js';
import type { DecoupleChoice, Named, PartitionPolicy, PartitionStep, Plan, PlanStep } from './plan.js';

export interface PlanResult {
  readonly plan?: Plan;
  readonly diagnostics: readonly Diagnostic[];
}

const MAX_PARTITIONS = 1000;
const decoupleChoices: readonly DecoupleChoice[] = [...decoupleKinds, 'auto'];
const policies: readonly PartitionPolicy[] = ['co-hashing', 'dependencies', 'partial', 'auto'];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function readPlan(source: SourceFile): PlanResult {
  const sink: Diagnostic[] = [];
  const tree = JsonReader.parse(source, sink, 'DED301');
  if (!tree) return { diagnostics: sink };
  const r = new JsonReader(source, sink, 'DED302');
  const top = r.object(tree, 'the plan', ['$schema', 'description', 'steps']);
  if (!top) return { diagnostics: sink };
  const description = top.get('description') ? r.string(top.get('description')!.value, '`description`') : undefined;
  const steps: PlanStep[] = [];
  const stepsNode = top.get('steps');
  if (!stepsNode) r.error(tree, 'a plan needs `steps`: an array of decouple and partition steps', 'no steps');
  for (const node of stepsNode ? (r.array(stepsNode.value, '`steps`') ?? []) : []) {
    const step = readStep(r, node);
    if (step) steps.push(step);
  }
  if (hasErrors(sink)) return { diagnostics: sink };
  return { plan: { source, ...(description !== undefined ? { description } : {}), steps }, diagnostics: sink };
}

function readStep(r: JsonReader, node: JsonNode): PlanStep | undefined {
  const obj = r.object(node, 'a step');
  if (!obj) return undefined;
  const span = r.span(node);
  if (obj.has('decouple') === obj.has('partition')) {
    r.error(node, 'a step is either {"decouple": role, ...} or {"partition": role, ...}', 'what kind of step?');
    return undefined;
  }
  if (obj.has('decouple')) {
    if (!r.object(node, 'a decouple step', ['decouple', 'rules', 'relations', 'to', 'kind'])) return undefined;
    const role = name(r, obj.get('decouple')!.value, 'the role to decouple');
    const rules = names(r, obj.get('rules')?.value, '`rules` (rule labels)');
    const relations = names(r, obj.get('relations')?.value, '`relations` (head relations)');
    const to = obj.has('to') ? name(r, obj.get('to')!.value, '`to` (the new role)') : undefined;
    if (!obj.has('to')) r.error(node, 'a decouple step needs `to`: the name of the new role', 'no `to`');
    if (!obj.has('rules') && !obj.has('relations')) r.error(node, 'a decouple step needs `rules` (labels) or `relations` (heads) to say which rules move', 'which rules?');
    const kindNode = obj.get('kind')?.value;
    const kind = kindNode ? oneOf(r, kindNode, '`kind`', decoupleChoices) : 'auto';
    if (!role || !rules || !relations || !to || !kind) return undefined;
    return { kind: 'decouple', role, rules, relations, to, decoupling: kind, decouplingSpan: kindNode ? r.span(kindNode) : span, span };
  }
  if (!r.object(node, 'a partition step', ['partition', 'partitions', 'policy', 'keys', 'replicate', 'sealing', 'coordinator'])) return undefined;
  const role = name(r, obj.get('partition')!.value, 'the role to partition');
  const partitions = obj.has('partitions') ? r.integer(obj.get('partitions')!.value, '`partitions`', 1, MAX_PARTITIONS) : 2;
  const policyNode = obj.get('policy')?.value;
  const policy = policyNode ? oneOf(r, policyNode, '`policy`', policies) : 'auto';
  const keys = new Map<string, { columns: (string | number)[]; span: ReturnType<JsonReader['span']> }>();
  for (const [relation, { value }] of obj.has('keys') ? (r.object(obj.get('keys')!.value, '`keys`') ?? []) : []) {
    const cols = r.array(value, `the key columns of \`${relation}\``);
    if (!cols) continue;
    const columns: (string | number)[] = [];
    for (const c of cols) {
      if (c.type === 'number') {
        const i = r.integer(c, 'a column index', 0, 1000);
        if (i !== undefined) columns.push(i);
      } else {
        const s = r.string(c, 'a column (a name or an index from 0)');
        if (s !== undefined) columns.push(s);
      }
    }
    keys.set(relation, { columns, span: r.span(value) });
  }
  const replicate = names(r, obj.get('replicate')?.value, '`replicate` (relations)') ?? [];
  const sealingNode = obj.get('sealing')?.value;
  const sealing =
    sealingNode?.type === 'boolean'
      ? (r.error(sealingNode, '`sealing` lists the count channels to seal, such as `["p1bCount"]`', 'not a list'), [])
      : (names(r, sealingNode, '`sealing` (count channels)') ?? []);
  const coordinator = obj.has('coordinator') ? name(r, obj.get('coordinator')!.value, '`coordinator` (the new role)') : undefined;
  if (policy !== 'partial' && policy !== 'auto') {
    for (const k of ['replicate', 'sealing', 'coordinator']) {
      if (obj.has(k)) r.error(obj.get(k)!.key, `\`${k}\` applies only to partial partitioning (\`"policy": "partial"\`)`, 'not for this policy');
    }
  }
  if (!role || partitions === undefined || !policy) return undefined;
  const step: PartitionStep = {
    kind: 'partition',
    role,
    partitions,
    policy,
    policySpan: policyNode ? r.span(policyNode) : span,
    keys,
    replicate,
    sealing,
    ...(coordinator ? { coordinator } : {}),
    span,
  };
  return step;
}

function name(r: JsonReader, node: JsonNode, what: string): Named | undefined {
  const s = r.string(node, what);
  if (s === undefined) return undefined;
  if (!IDENT.test(s)) {
    r.error(node, `${what} must be a name: letters, digits and _, not starting with a digit`, 'not a name');
    return undefined;
  }
  return { name: s, span: r.span(node) };
}

function names(r: JsonReader, node: JsonNode | undefined, what: string): Named[] | undefined {
  if (!node) return [];
  const items = r.array(node, what);
  if (!items) return undefined;
  const out: Named[] = [];
  for (const item of items) {
    const n = name(r, item, `an entry of ${what}`);
    if (n) out.push(n);
  }
  return out;
}

function oneOf<T extends string>(r: JsonReader, node: JsonNode, what: string, allowed: readonly T[]): T | undefined {
  const s = r.string(node, what);
  if (s === undefined) return undefined;
  const found = allowed.find((a) => a === s);
  if (!found) r.error(node, `${what} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, 'unknown');
  return found;
}
