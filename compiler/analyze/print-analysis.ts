// `dedc show analysis`: relations with kinds and types, each role's strata (which rules run
// in which order within a tick), its inputs and outputs, and the channels between roles.

import { formatDuration } from '../deploy/duration.js';
import { compareStrings } from '../values/value.js';
import type { Analysis } from './analysis.js';

export function printAnalysis(a: Analysis): string {
  const out: string[] = [];
  out.push('relations');
  const width = Math.max(0, ...[...a.relations.keys()].map((n) => n.length));
  for (const r of [...a.relations.values()].sort((x, y) => compareStrings(x.name, y.name))) {
    const cols = r.columns.map((c) => (c.name ? `${c.name}: ${c.type}` : c.type)).join(', ');
    const extras = [
      r.persistence !== 'none' ? r.persistence : '',
      r.periodMicros !== undefined ? `every ${formatDuration(r.periodMicros)}` : '',
    ].filter(Boolean);
    out.push(`  ${r.name.padEnd(width)}  ${r.kind.padEnd(6)}  (${cols})${extras.length ? `  ${extras.join(', ')}` : ''}`);
  }
  for (const role of a.roles) {
    out.push('', `role ${role.name}`);
    const io: [string, readonly string[]][] = [
      ['client inputs', role.inputs],
      ['statics', role.statics],
      ['timers', role.timers],
      ['receives', role.receives],
      ['sends', role.sends],
      ['outputs', role.outputs],
    ];
    for (const [label, names] of io) if (names.length) out.push(`  ${label}: ${names.join(', ')}`);
    role.strata.forEach((rules, i) => {
      out.push(`  stratum ${i}`);
      for (const id of rules) out.push(`    ${ruleLine(a, id)}`);
    });
    if (role.nextRules.length) {
      out.push('  next tick (:+)');
      for (const id of role.nextRules) out.push(`    ${ruleLine(a, id)}`);
    }
    if (role.asyncRules.length) {
      out.push('  send (:~)');
      for (const id of role.asyncRules) out.push(`    ${ruleLine(a, id)}`);
    }
  }
  if (a.channels.length) {
    out.push('', 'channels');
    for (const c of a.channels) {
      const from = c.senders.length ? c.senders.join(', ') : '(nobody)';
      const to = c.receivers.length ? c.receivers.join(', ') : 'clients';
      out.push(`  ${c.relation}: ${from} -> ${to}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function ruleLine(a: Analysis, id: number): string {
  const r = a.rules[id]!;
  const pos = a.source.position(r.rule.span.start);
  const text = r.text.replace(/\s+/g, ' ');
  return `${pos.line}:${pos.column}  ${text.length > 90 ? `${text.slice(0, 87)}...` : text}`;
}
