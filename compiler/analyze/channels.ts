// Roles and channels: for each role, what it reads from outside (client inputs, statics,
// timers, received channels) and what it emits (sent channels, outputs); for each channel,
// which roles send it and which read it. A channel no role reads goes to clients.

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { compareStrings } from '../values/value.js';
import type { ChannelInfo } from './analysis.js';
import type { CollectedProgram } from './collect.js';
import type { RelationTable } from './relations.js';

/** What a role's nodes read from outside and emit; every list sorted by name. */
export interface RoleIO {
  /** Every relation the role's rules mention. */
  readonly relations: readonly string[];
  readonly inputs: readonly string[];
  readonly statics: readonly string[];
  readonly timers: readonly string[];
  readonly receives: readonly string[];
  readonly sends: readonly string[];
  readonly outputs: readonly string[];
}

export interface ChannelResult {
  readonly channels: readonly ChannelInfo[];
  readonly roleIO: ReadonlyMap<string, RoleIO>;
}

export function findChannels(program: CollectedProgram, relations: RelationTable, _sink: Diagnostic[]): ChannelResult {
  const roleIO = new Map<string, RoleIO>();
  const readers = new Map<string, Set<string>>();
  const senders = new Map<string, Set<string>>();
  for (const role of program.roles) {
    const read = new Set<string>();
    const derived = new Set<string>();
    const sent = new Set<string>();
    for (const id of role.rules) {
      const { rule } = program.rules[id]!;
      (rule.op === ':~' ? sent : derived).add(rule.head.name);
      for (const lit of rule.body) {
        if (lit.kind === 'atom') read.add(lit.name);
        else if (lit.kind === 'negation') read.add(lit.atom.name);
      }
    }
    const readOf = (kind: string) => [...read].filter((n) => relations.get(n)?.kind === kind).sort(compareStrings);
    for (const n of read) if (relations.get(n)?.kind === 'async') add(readers, n, role.name);
    for (const n of sent) add(senders, n, role.name);
    roleIO.set(role.name, {
      relations: [...new Set([...read, ...derived, ...sent])].filter((n) => relations.has(n)).sort(compareStrings),
      inputs: readOf('input'),
      statics: readOf('static'),
      timers: readOf('timer'),
      receives: readOf('async'),
      sends: [...sent].filter((n) => relations.get(n)?.kind === 'async').sort(compareStrings),
      outputs: [...derived].filter((n) => relations.get(n)?.kind === 'output').sort(compareStrings),
    });
  }
  const channels = [...relations.values()]
    .filter((r) => r.kind === 'async')
    .map((r) => ({ relation: r.name, senders: [...(senders.get(r.name) ?? [])], receivers: [...(readers.get(r.name) ?? [])] }));
  return { channels, roleIO };
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}
