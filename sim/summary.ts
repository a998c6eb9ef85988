// The readable account of a simulated run that `dedc sim` and `npm start` print: the cluster,
// how the run ended, commands and replies with simulated latency, messages per channel,
// drops, ticks per node, outputs, durable writes and faults.

import { quantileSorted } from 'simple-statistics';
import type { Analysis } from '../compiler/analyze/analysis.js';
import type { Cluster } from '../compiler/deploy/resolve-deployment.js';
import type { SimResult } from './simulator.js';
import { formatTime } from './trace.js';

export interface SimSummary {
  readonly requests: number;
  readonly replies: number;
  readonly unanswered: number;
  readonly duplicateReplies: number;
  readonly unexpectedReplies: number;
  readonly latency?: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly messagesSent: number;
  readonly messagesDropped: number;
  readonly channels: readonly { readonly relation: string; readonly route: string; readonly count: number }[];
  readonly drops: ReadonlyMap<string, number>;
  readonly ticks: readonly { readonly node: string; readonly ticks: number }[];
  readonly outputs: ReadonlyMap<string, number>;
  readonly durable: number;
  readonly faults: readonly string[];
}

export function summarize(result: SimResult, cluster: Cluster): SimSummary {
  const name = (a: bigint) => cluster.names.get(a) ?? `#${a}`;
  const roleOf = (a: bigint) => name(a).replace(/\[\d+\](\.\d+)?$/, '');
  const channels = new Map<string, { relation: string; route: string; count: number }>();
  const drops = new Map<string, number>();
  const outputs = new Map<string, number>();
  let sent = 0;
  let dropped = 0;
  let durable = 0;
  const faults: string[] = [];
  for (const e of result.events) {
    if (e.kind === 'send') {
      sent++;
      const route = `${roleOf(e.from)} -> ${roleOf(e.to)}`;
      const key = `${e.relation}|${route}`;
      const c = channels.get(key) ?? { relation: e.relation, route, count: 0 };
      c.count++;
      channels.set(key, c);
    } else if (e.kind === 'drop') {
      dropped++;
      drops.set(e.reason, (drops.get(e.reason) ?? 0) + 1);
    } else if (e.kind === 'output') outputs.set(e.relation, (outputs.get(e.relation) ?? 0) + 1);
    else if (e.kind === 'durable') durable++;
    else if (e.kind === 'crash') faults.push(`${formatTime(e.time)} crash ${name(e.node)}`);
    else if (e.kind === 'restart') faults.push(`${formatTime(e.time)} restart ${name(e.node)}`);
    else if (e.kind === 'partition') faults.push(`${formatTime(e.time)} partition ${e.groups.map((g) => `{${g.map(name).join(', ')}}`).join(' | ')}`);
    else if (e.kind === 'heal') faults.push(`${formatTime(e.time)} heal`);
    else if (e.kind === 'fault') faults.push(`${formatTime(e.time)} ${name(e.node)} stopped: ${e.message}`);
  }
  const latencies = result.clients.flatMap((c) => c.latencies).sort((a, b) => a - b);
  const requests = result.clients.reduce((n, c) => n + c.sent, 0);
  const replies = result.clients.reduce((n, c) => n + c.completed, 0);
  return {
    requests,
    replies,
    unanswered: requests - replies,
    duplicateReplies: result.clients.reduce((n, c) => n + c.duplicates, 0),
    unexpectedReplies: result.clients.reduce((n, c) => n + c.unexpected, 0),
    ...(latencies.length
      ? { latency: { p50: quantileSorted(latencies, 0.5), p99: quantileSorted(latencies, 0.99), max: latencies[latencies.length - 1]! } }
      : {}),
    messagesSent: sent,
    messagesDropped: dropped,
    channels: [...channels.values()],
    drops,
    ticks: result.nodes.map((n) => ({ node: name(n.address), ticks: n.ticks })),
    outputs,
    durable,
    faults,
  };
}

export function renderSummary(result: SimResult, cluster: Cluster, analysis: Analysis, title: string): string {
  const s = summarize(result, cluster);
  const lines: string[] = [];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(10)} ${text}`);
  lines.push(`${title} (seed ${result.seed})`);
  const roles = analysis.roles.map((r) => {
    const n = cluster.nodes.filter((x) => x.role === r.name).length;
    return n === 1 ? `${r.name}[0]` : `${r.name}[0..${n - 1}]`;
  });
  const clients = cluster.clients.length ? `client[0..${cluster.clients.length - 1}]` : 'no clients';
  row('cluster', `${roles.join(', ')}; ${cluster.clients.length === 1 ? 'client[0]' : clients}`);
  if (cluster.workload) {
    row('workload', `${cluster.workload.requests} request${cluster.workload.requests === 1 ? '' : 's'} per client, ${cluster.workload.window} outstanding, into \`${cluster.workload.input}\`, replies on \`${cluster.workload.reply}\``);
  }
  const d = result.settings;
  row('network', `delay ${formatTime(d.delay[0])}..${formatTime(d.delay[1])}, loss ${d.drop * 100}%, ${d.batching === 'tick' ? 'one batch per tick and peer' : 'each message delayed on its own'}`);
  row('ended', `${result.end.reason} at ${formatTime(result.end.time)} simulated, after ${result.end.processed} events`);
  lines.push('');
  row('commands', `${s.requests} sent, ${s.replies} replied${s.unanswered ? `, ${s.unanswered} unanswered` : ''}${s.duplicateReplies ? `, ${s.duplicateReplies} duplicate replies` : ''}${s.unexpectedReplies ? `, ${s.unexpectedReplies} unexpected replies` : ''}`);
  if (s.latency) row('latency', `p50 ${formatTime(s.latency.p50)}, p99 ${formatTime(s.latency.p99)}, max ${formatTime(s.latency.max)} (simulated)`);
  const dropText = [...s.drops].map(([reason, n]) => `${n} ${reason}`).join(', ');
  row('messages', `${s.messagesSent} sent${s.messagesDropped ? `, ${s.messagesDropped} dropped (${dropText})` : ', none dropped'}`);
  const width = Math.max(0, ...s.channels.map((c) => c.relation.length));
  const routeWidth = Math.max(0, ...s.channels.map((c) => c.route.length));
  for (const c of s.channels) lines.push(`  ${''.padEnd(10)}   ${c.relation.padEnd(width)}  ${c.route.padEnd(routeWidth)}  ${c.count}`);
  row('ticks', s.ticks.map((t) => `${t.node} ${t.ticks}`).join(', '));
  if (s.outputs.size) row('outputs', [...s.outputs].map(([r, n]) => `${r} ${n}`).join(', '));
  if (s.durable) row('durable', `${s.durable} facts logged`);
  if (s.faults.length) {
    row('faults', s.faults[0]!);
    for (const f of s.faults.slice(1)) lines.push(`  ${''.padEnd(10)} ${f}`);
  }
  return lines.join('\n');
}
