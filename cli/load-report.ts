// Printing a closed-loop load run (host/closed-loop.ts) for people: a progress bar while it
// runs (cli-progress; periodic lines when stderr is not a terminal) and the report at the end:
// throughput, latency percentiles, anomalies, and each node's CPU cost per command with the
// bottleneck and the throughput bound it implies when every node has a core of its own.

import cliProgress from 'cli-progress';
import type { LoadProgress, LoadReport } from '../host/closed-loop.js';

export function loadProgressBar(): { update: (p: LoadProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} [{bar}] {at}s/{end}s | {rate} replies/s | {completed} measured',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      hideCursor: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { phase: p.phase.padEnd(7), at: (p.elapsedMs / 1000).toFixed(0), end: (p.totalMs / 1000).toFixed(0), rate: p.perSecond.toLocaleString('en-US'), completed: p.completed.toLocaleString('en-US') };
      if (!started) {
        bar.start(Math.round(p.totalMs), Math.round(p.elapsedMs), payload);
        started = true;
      } else bar.update(Math.round(Math.min(p.elapsedMs, p.totalMs)), payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

const ms = (micros: number) => `${(micros / 1000).toFixed(micros < 10_000 ? 2 : 1)} ms`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatLoadReport(r: LoadReport): string {
  const l = r.latencyMicros;
  const lines = [
    `load: ${r.clients} client${r.clients === 1 ? '' : 's'} x window ${r.window}, ${(r.warmupMs / 1000).toFixed(1)}s warm-up, ${(r.measuredMs / 1000).toFixed(1)}s measured`,
    `throughput  ${int(r.throughput)} commands/s (${int(r.completed)} answered in the measured window)`,
    `latency     p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}`,
    `anomalies   ${r.timeouts} timed out, ${r.late} answered late, ${r.duplicates} duplicate replies, ${r.unexpected} unexpected, ${r.refused} refused, ${r.outstanding} outstanding at the end`,
  ];
  if (r.nodes.length) {
    lines.push('', `${'node'.padEnd(22)}${'CPU ms'.padStart(10)}${'µs/command'.padStart(12)}${'ticks'.padStart(10)}${'frames in'.padStart(11)}${'out'.padStart(9)}${'rejected'.padStart(10)}`);
    for (const n of r.nodes) {
      lines.push(`${n.name.padEnd(22)}${n.cpuMs.toFixed(0).padStart(10)}${n.cpuMicrosPerCommand.toFixed(1).padStart(12)}${int(n.ticks).padStart(10)}${int(n.framesIn).padStart(11)}${int(n.framesOut).padStart(9)}${int(n.framesRejected).padStart(10)}`);
    }
    const b = r.nodes[0]!;
    if (b.cpuMicrosPerCommand > 0) lines.push('', `bottleneck  ${b.name}: ${b.cpuMicrosPerCommand.toFixed(1)} µs of CPU per command, so at most ${int(1e6 / b.cpuMicrosPerCommand)} commands/s with a core per node`);
  }
  return `${lines.join('\n')}\n`;
}
