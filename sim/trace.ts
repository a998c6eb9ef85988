// What happened in a simulated run, event by event: requests, messages sent, received and
// dropped, ticks, outputs, durable writes, timers, crashes and partitions. Checkers read the
// structured events; `renderTrace` prints them one per line, addresses by name.

import type { RelationInfo } from '../compiler/analyze/analysis.js';
import { quoteString } from '../compiler/parse/print.js';
import type { Row, Value } from '../compiler/values/value.js';

export type DropReason = 'random loss' | 'partition' | 'crashed' | 'no such address';

export type TraceEvent =
  | { readonly time: number; readonly kind: 'request'; readonly client: bigint; readonly to: bigint; readonly seq: number; readonly relation: string; readonly row: Row; readonly attempt?: number }
  | { readonly time: number; readonly kind: 'send'; readonly from: bigint; readonly to: bigint; readonly relation: string; readonly row: Row; readonly id: number }
  | { readonly time: number; readonly kind: 'receive'; readonly at: bigint; readonly relation: string; readonly row: Row; readonly id: number }
  | { readonly time: number; readonly kind: 'reply'; readonly client: bigint; readonly relation: string; readonly row: Row; readonly seq?: number; readonly status: 'ok' | 'duplicate' | 'unexpected' }
  | { readonly time: number; readonly kind: 'drop'; readonly from: bigint; readonly to: bigint; readonly relation: string; readonly row: Row; readonly reason: DropReason }
  | { readonly time: number; readonly kind: 'tick'; readonly node: bigint; readonly tick: number; readonly inputs: number; readonly sends: number; readonly outputs: number }
  | { readonly time: number; readonly kind: 'output'; readonly node: bigint; readonly relation: string; readonly row: Row }
  | { readonly time: number; readonly kind: 'durable'; readonly node: bigint; readonly relation: string; readonly row: Row }
  | { readonly time: number; readonly kind: 'timer'; readonly node: bigint; readonly relation: string }
  | { readonly time: number; readonly kind: 'crash' | 'restart'; readonly node: bigint }
  | { readonly time: number; readonly kind: 'partition'; readonly groups: readonly (readonly bigint[])[] }
  | { readonly time: number; readonly kind: 'heal' }
  | { readonly time: number; readonly kind: 'fault'; readonly node: bigint; readonly message: string };

export interface TraceContext {
  readonly relations: ReadonlyMap<string, RelationInfo>;
  readonly names: ReadonlyMap<bigint, string>;
}

export function renderTrace(events: readonly TraceEvent[], ctx: TraceContext): string {
  return events.map((e) => renderEvent(e, ctx)).join('\n');
}

export function renderEvent(e: TraceEvent, ctx: TraceContext): string {
  const t = formatTime(e.time).padStart(11);
  const n = (a: bigint) => ctx.names.get(a) ?? `#${a}`;
  const fact = (relation: string, row: Row) => formatFact(relation, row, ctx);
  const route = (from: bigint, to: bigint) => `${n(from)} -> ${n(to)}`.padEnd(32);
  switch (e.kind) {
    case 'request':
      return `${t}  ${route(e.client, e.to)}  ${fact(e.relation, e.row)}`;
    case 'send':
      return `${t}  ${route(e.from, e.to)}  ${fact(e.relation, e.row)}`;
    case 'receive':
      return `${t}  ${`${n(e.at)} receives`.padEnd(32)}  ${fact(e.relation, e.row)}`;
    case 'reply':
      return `${t}  ${`${n(e.client)} gets reply`.padEnd(32)}  ${fact(e.relation, e.row)}${e.status === 'ok' ? '' : `  (${e.status})`}`;
    case 'drop':
      return `${t}  ${`DROP ${n(e.from)} -> ${n(e.to)}`.padEnd(32)}  ${fact(e.relation, e.row)}  (${e.reason})`;
    case 'tick':
      return `${t}  ${`${n(e.node)} tick ${e.tick}`.padEnd(32)}  ${e.inputs} in, ${e.sends} sent, ${e.outputs} out`;
    case 'output':
      return `${t}  ${`${n(e.node)} output`.padEnd(32)}  ${fact(e.relation, e.row)}`;
    case 'durable':
      return `${t}  ${`${n(e.node)} logs`.padEnd(32)}  ${fact(e.relation, e.row)}`;
    case 'timer':
      return `${t}  ${`${n(e.node)} timer`.padEnd(32)}  ${e.relation}()`;
    case 'crash':
      return `${t}  CRASH ${n(e.node)}`;
    case 'restart':
      return `${t}  RESTART ${n(e.node)} (durable state reloaded)`;
    case 'partition':
      return `${t}  PARTITION ${e.groups.map((g) => `{${g.map(n).join(', ')}}`).join(' | ')}`;
    case 'heal':
      return `${t}  HEAL partition`;
    case 'fault':
      return `${t}  FAULT ${n(e.node)}: ${e.message}`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

export function formatTime(micros: number): string {
  return `${(micros / 1000).toFixed(3)}ms`;
}

export function formatFact(relation: string, row: Row, ctx: TraceContext): string {
  const columns = ctx.relations.get(relation)?.columns;
  return `${relation}(${row.map((v, i) => formatValue(v, columns?.[i]?.type === 'addr', ctx.names)).join(', ')})`;
}

export function formatValue(v: Value, isAddress: boolean, names: ReadonlyMap<bigint, string>): string {
  if (typeof v === 'string') return quoteString(v);
  return isAddress ? (names.get(v) ?? `#${v}`) : v.toString();
}
