// The cluster report's steady-state section (steady-state.ts): per run, the throughput of the
// first and the last seconds against the 90% target, latency and anomalies, and memory per
// role: resident set, Wasm memory and durable log at the start and the end of the window, their
// growth per command and per million commands, and the relations each role keeps by design.

import type { ClusterBenchResults } from './cluster-results.js';
import { f, n, table } from './report.js';
import { bytes, mib, ms, num, x2 } from './report-units.js';
import type { SteadyNode, SteadyRun } from './steady-state.js';

/** The largest end / start resident set over the nodes: the memory check (at most 1.5x over the run). */
export function rssGrowth(s: SteadyRun): { node: string; ratio: number } {
  const top = s.memory.reduce((a, m) => (m.rssEnd / m.rssStart > a.ratio ? { node: m.name, ratio: m.rssEnd / m.rssStart } : a), { node: '', ratio: -Infinity });
  return Number.isFinite(top.ratio) ? top : { node: '', ratio: NaN };
}

/**
 * The memory verdict: bounded when no node's Wasm memory (where the relations live) grew over
 * the window. Otherwise the nodes that grew, the one that grew most per command first.
 */
export function memoryGrowth(s: SteadyRun): { bounded: boolean; grew: readonly SteadyNode[] } {
  const grew = s.memory.filter((m) => m.wasmEnd > m.wasmStart).sort((a, b) => b.rssPerCommand - a.rssPerCommand);
  return { bounded: s.memory.length > 0 && grew.length === 0, grew };
}

/** The memory check in words, for the tables. */
export function memoryText(s: SteadyRun): string {
  const { bounded, grew } = memoryGrowth(s);
  if (!s.memory.length) return 'not measured';
  if (bounded) return `bounded: no node's Wasm memory grew; resident sets at most ${x2(rssGrowth(s).ratio)} (${rssGrowth(s).node})`;
  const top = grew[0]!;
  return `grows by design: Wasm memory grew on ${grew.length} of ${s.memory.length} nodes (${[...new Set(grew.map((m) => m.role))].join(', ')}); most, ${top.name}: ${mib(top.wasmStart)} -> ${mib(top.wasmEnd)} Wasm, resident set ${mib(top.rssStart)} -> ${mib(top.rssEnd)}, ${bytes(top.rssPerCommand)} per command (${mib(top.rssPerCommand * 1e6)} per million)`;
}

/** Mean replies per second over consecutive blocks of `size` seconds. */
function blocks(perSecond: readonly number[], size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + size <= perSecond.length; i += size) out.push(Math.round(perSecond.slice(i, i + size).reduce((a, b) => a + b, 0) / size));
  return out;
}

function roleRows(s: SteadyRun): (string | number)[][] {
  const roles = new Map<string, SteadyNode[]>();
  for (const m of s.memory) roles.set(m.role, [...(roles.get(m.role) ?? []), m]);
  const maxOf = (xs: SteadyNode[], g: (m: SteadyNode) => number) => xs.reduce((a, m) => (g(m) > g(a) ? m : a));
  return [...roles].map(([role, nodes]) => {
    const top = maxOf(nodes, (m) => m.rssPerCommand);
    const log = maxOf(nodes, (m) => m.logPerCommand);
    const kept = s.kept.find((k) => k.role === role);
    const keeps = kept ? [...kept.durable.map((x) => `${x} (durable)`), ...kept.persist].join(', ') : '';
    return [
      role,
      nodes.length,
      `${mib(top.rssStart)} -> ${mib(top.rssEnd)} (${top.name})`,
      `${bytes(top.rssPerCommand)} (${mib(top.rssPerCommand * 1e6)} per million)`,
      `${mib(Math.max(...nodes.map((m) => m.wasmStart)))} -> ${mib(Math.max(...nodes.map((m) => m.wasmEnd)))}`,
      log.logEnd > 0 ? `${mib(log.logStart)} -> ${mib(log.logEnd)}: ${bytes(log.logPerCommand)} per command` : 'none',
      f(Math.max(...nodes.map((m) => m.durableTuplesPerCommand)), 3),
      keeps || 'nothing',
    ];
  });
}

export function steadySection(r: ClusterBenchResults): string[] {
  if (!r.steady?.length) return [];
  const out = ['## Steady state: one long window', ''];
  out.push(
    `Acceptance: "in a 60-second Paxos run the last 6 seconds keep at least 90% of the first 6 seconds' throughput, and memory stays bounded". On the configuration's ${r.mainFrames} cluster after its other windows (the main comparison's and the curves'), one more window under the main load: ${r.load.steady.warmupMs / 1000} s unmeasured (the load before it was lighter), then ${r.load.steady.seconds} s measured; replies are counted per second of it as they arrive, and every ${r.load.steady.sampleSeconds} s each node's resident set (/proc/<pid>/status VmRSS), Wasm memory (\`dedc_wasm_memory_bytes\` on its /metrics), durable tuples logged (\`dedc_tuples_total{direction="durable"}\`) and durable log size on disk are read. Growth per command = (end - start) / commands answered in between. The memory check here: no node's resident set grows past 1.5x its size at the start of the window. Plot: \`cluster-steady.svg\`.`,
    '',
  );
  out.push(
    table(
      ['configuration', 'nodes', `first ${r.load.steady.edgeSeconds} s`, `last ${r.load.steady.edgeSeconds} s`, '**last / first**', 'throughput (>= 0.9)', `mean of each ${r.load.steady.edgeSeconds} s`, 'memory', 'bounded', 'commands', 'p50 / p99', 'timeouts / duplicates / unexpected'],
      r.steady.map((s) => {
        const run = s.run;
        return [
          s.name,
          s.nodes,
          `${num(s.first)}/s`,
          `${num(s.last)}/s`,
          `**${x2(s.ratio)}**`,
          s.error ? `FAIL (${s.error})` : s.pass ? 'pass' : '**FAIL**',
          blocks(s.perSecond, s.edgeSeconds).join(', '),
          memoryText(s),
          memoryGrowth(s).bounded ? 'yes' : '**no**',
          run ? n(run.completed) : 'n/a',
          run ? `${ms(run.latency.p50)} / ${ms(run.latency.p99)}` : 'n/a',
          run ? `${run.timeouts} / ${run.duplicates} / ${run.unexpected}` : 'n/a',
        ];
      }),
    ),
    '',
  );
  for (const s of r.steady) {
    if (!s.memory.length) continue;
    out.push(`### ${s.name}: memory by role`, '');
    out.push(`Replies per second: ${s.perSecond.join(', ')}. Bottleneck over the window: ${s.run?.bottleneck.name ?? 'n/a'} (${f(s.run?.bottleneck.cpuMicrosPerCommand ?? NaN, 1)} µs per command).`, '');
    out.push(table(['role', 'nodes', 'resident set, start -> end (the node that grew most)', 'its growth per command', 'Wasm memory, start -> end (largest node)', 'durable log on disk (largest node)', 'durable tuples per command (per node, most)', 'kept by design (.durable, .persist)'], roleRows(s)), '');
  }
  out.push(
    "What grows, and why: a role's `.persist` and `.durable` relations keep every fact they get, by design, so memory is not bounded: it grows with every command, at the rates above. In Paxos the acceptors' `accepted` log is durable (in memory and on disk: one entry per command at each acceptor, or at one partition of each after the rewrite, so that a restarted acceptor answers phase 1 with everything it accepted), the proposer keeps `proposals` (to propose again what a replica has not executed) and, in BasePaxos, `votes` (every p2b, which the p2b proxies keep after the rewrite), and each replica keeps `done` (which commands ran, so a command sent again is not run twice). Nothing in the program forgets them: a log that is never truncated is the protocol as written, not a leak of the host. Wasm memory grows by doubling its tables (so in steps) and never shrinks; the resident set also follows V8's heap, which grows and shrinks with garbage collection, so a short window's growth per command is noisy.",
    '',
  );
  return out;
}
