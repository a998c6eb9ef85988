// The cluster report's section on what limits the numbers on this machine: how the cores were
// shared over the measured windows of the main setting (nodes, clients, the rest), CPU per data
// frame and wake-ups, and the same work costing more in a plan with more processes than cores,
// from the runs' own /proc readings. Markdown lines, used by cluster-report.ts.

import type { ClusterBenchResults } from './cluster-results.js';
import { f, n, table } from './report.js';
import { num, pct, us } from './report-units.js';

export function limitsSection(r: ClusterBenchResults): string[] {
  const out: string[] = [];
  const tick = r.summaries.filter((s) => s.frames === r.mainFrames && s.cores);
  if (!tick.length) return out;
  const cores = r.machine.cores;
  out.push(
    table(
      [`configuration (${r.mainFrames})`, 'cores: nodes (of it in the kernel)', 'cores: clients (bench process)', 'cores: rest (kernel, other users)', 'machine busy (cores)', 'CPU per command: nodes', 'CPU per command: clients (approx.)', 'cores busy / (nodes + clients) per command', 'measured throughput'],
      tick.map((s) => {
        const c = s.cores!;
        // The clients' CPU per command, approximately (their cores over the measured window / the measured rate).
        const clientMicros = (c.loadGenerator * 1e6) / s.throughput.median;
        const predicted = (c.machineBusy * 1e6) / (s.totalCpuMicrosPerCommand.median + clientMicros);
        return [`${s.name} (${s.nodes} nodes)`, `${f(c.nodes)} (${f(c.nodesSystem)})`, f(c.loadGenerator), f(Math.max(0, c.machineBusy - c.nodes - c.loadGenerator)), `${f(c.machineBusy)} of ${cores}`, us(s.totalCpuMicrosPerCommand.median), us(clientMicros), num(predicted), num(s.throughput.median)];
      }),
    ),
  );
  out.push('');
  const perFrame = tick.map((s) => {
    const frames = s.nodeCosts.reduce((a, x) => a + x.framesInPerCommand + x.framesOutPerCommand, 0);
    const wakeups = s.nodeCosts.reduce((a, x) => a + (x.voluntarySwitchesPerCommand ?? NaN), 0);
    const top = s.nodeCosts[0]!;
    const topFrames = top.framesInPerCommand + top.framesOutPerCommand;
    return { s, frames, micros: s.totalCpuMicrosPerCommand.median / frames, wakeups: wakeups / frames, top, topMicros: top.cpuMicrosPerCommand / topFrames, topWakeups: (top.voluntarySwitchesPerCommand ?? NaN) / topFrames };
  });
  out.push(
    table(
      [`configuration (${r.mainFrames})`, 'data frames per command, all nodes', 'CPU per data frame, all nodes', 'wake-ups per data frame, all nodes', 'the bottleneck: CPU per data frame', 'its wake-ups per data frame', 'node preemptions per s'],
      perFrame.map((p) => [`${p.s.name} (${p.s.nodes} nodes)`, f(p.frames, 1), us(p.micros), f(p.wakeups, 2), `${us(p.topMicros)} (${p.top.name})`, f(p.topWakeups, 2), n(p.s.cores!.involuntarySwitches)]),
    ),
  );
  out.push('');
  const nodesPer = tick.map((s) => s.nodes);
  out.push(
    `Every node process and the clients share ${cores} cores (${Math.min(...nodesPer)} to ${Math.max(...nodesPer)} node processes plus the bench process), and the machine was ${f(Math.min(...tick.map((s) => s.cores!.machineBusy)))} to ${f(Math.max(...tick.map((s) => s.cores!.machineBusy)))} cores busy during the measured windows. So the loopback throughput is not that of a cluster with a core per node: it is the busy cores divided by the CPU one command costs over all nodes plus the clients (the two right-hand columns of the first table agree). It measures the total work per command, not the bottleneck; the scalable plans add nodes and hops, cost more in total, and run slower here.`,
  );
  out.push('');
  // The node that takes the clients' requests (most frames in per command in the base plan) is in
  // both plans and does no more per command in the scalable one: the cleanest comparison of what
  // the same work costs in the two settings.
  const entry = tick
    .filter((s) => s.plan === 'base')
    .flatMap((b) => {
      const sc = tick.find((s) => s.protocol === b.protocol && s.plan === 'scalable');
      const bn = [...b.nodeCosts].sort((x, y) => y.framesInPerCommand - x.framesInPerCommand)[0];
      const sn = sc?.nodeCosts.find((x) => x.role === bn?.role);
      if (!sc || !bn || !sn) return [];
      const frames = (x: typeof bn) => x.framesInPerCommand + x.framesOutPerCommand;
      return [`${bn.name} does ${f(frames(sn), 2)} data frames per command in ${sc.name} against ${f(frames(bn), 2)} in ${b.name}, yet costs ${us(sn.cpuMicrosPerCommand)} per command against ${us(bn.cpuMicrosPerCommand)} (${us(sn.cpuMicrosPerCommand / frames(sn))} per data frame against ${us(bn.cpuMicrosPerCommand / frames(bn))})`];
    });
  const wasm = r.profiles.flatMap((p) => p.summary?.categories.filter((c) => c.category.startsWith('Wasm module')).map((c) => c.share) ?? []);
  const wasmText = wasm.length ? `the Wasm tick takes ${pct(Math.min(...wasm))} to ${pct(Math.max(...wasm))} in the profiled nodes` : 'the Wasm tick a small part (no profile in this run)';
  out.push(
    `Nearly all of a node's CPU goes to moving frames, not to the protocol (see the profiles): socket writes into loopback TCP, HMAC, ws and uWS, while ${wasmText}. The same work costs more in the configurations with more processes. The cleanest case is the node that takes the clients' requests, which both plans have and which does less per command after the rewrites (they move work off it): ${entry.length ? `${entry.join('; ')}` : 'not measured in this run'}. (With per-message frames every data frame carries one message, so CPU per data frame compares like with like across plans.) Each of a scalable plan's ${tick.filter((s) => s.plan === 'scalable').map((s) => s.nodes).join(' or ')} processes gets a share of ${cores} cores that other processes keep taking, and handles several times fewer frames a second than a base node, so each wake-up finds its caches, TLB and branch predictors cold after other processes ran (in this VM, waking a process on the other vCPU is also an inter-processor interrupt).`,
  );
  out.push('');
  out.push(
    "So the bound (1e6 / the bottleneck's µs per command) is a lower estimate, and the more processes a configuration has, the lower: with a core per node, the scalable plans' nodes would run alone on their cores, at a higher rate, and pay less per frame. The base/scalable factor measured on this machine is biased against the rewrites and is not the factor a cluster with a core per node would show. What this run does show reliably: where each plan's CPU goes and which node is the bottleneck, the total work per command (what the rewrites cost), and the effect of batching.",
  );
  out.push('');
  out.push(`The cores busy beyond the nodes and the clients are kernel work not charged to a process (softirqs of loopback networking), the other cluster of the protocol, up and idle (Paxos's timers tick), and other users of the shared machine (load average ${r.machine.loadAverage.start} at the start, ${r.machine.loadAverage.end} at the end; the bench's own node processes count in it).`);
  return out;
}
