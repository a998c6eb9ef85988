// The cluster report's sections on where the time goes: for each protocol whose scaling factor
// falls short of the paper's, the scalable plan's bottleneck node, its hottest rule and its CPU
// by category; the hottest rules of every bottleneck node (profiling build, simulated); and the
// V8 profiles of the nodes that were profiled. Markdown lines, used by cluster-report.ts.

import type { ClusterBenchResults } from './cluster-results.js';
import { protocolNames, framesLabel } from './cluster-configs.js';
import { f, n, table } from './report.js';
import { bytes, num, pct, us, x2 } from './report-units.js';

/** A profile category's name without its explanation: "socket writes (the syscall: ...)" -> "socket writes". */
const shortCategory = (c: string) => (c.startsWith('(') ? c.slice(0, c.indexOf(')') + 1) : c.split(/[:(]/)[0]!.trim());
/** A share, with a decimal when it is small. */
const share = (x: number) => (x < 0.1 ? `${(x * 100).toFixed(1)}%` : pct(x));

export function shortfallSection(r: ClusterBenchResults): string[] {
  const out = ['## Where a factor falls short of the paper\'s', ''];
  const main = r.factors.filter((x) => x.frames === r.mainFrames);
  if (!main.length) return [...out, 'No factor was measured in this run.', ''];
  const short = r.shortfalls.filter((s) => s.frames === r.mainFrames);
  const reached = main.filter((x) => x.reached);
  if (reached.length) out.push(`Reached (${framesLabel(r.mainFrames)}): ${reached.map((x) => `${protocolNames[x.protocol]} ${x2(x.factor)} (paper ${x.paper.factor}x)`).join(', ')}.`, '');
  if (!short.length) return [...out, 'Every factor measured in the main setting reaches the paper\'s.', ''];
  for (const s of short) {
    const cpu = s.cpu?.length ? ` Where its CPU goes (V8 profile of that node, one more window): ${s.cpu.map((c) => `${shortCategory(c.category)} ${pct(c.share)}`).join(', ')}; its Wasm module (every rule) ${share(s.wasmShare ?? 0)}.` : ' (Its CPU was not profiled in this run.)';
    const rule = s.rule
      ? ` Its hottest rule: ${s.rule.label === s.rule.text ? `\`${s.rule.text}\`` : `\`${s.rule.label}\` (\`${s.rule.text}\`)`}, ${pct(s.rule.share)} of the node's time in rules in the simulated run of the profiling build (all its rules: ${us(s.rulesMicrosPerCommand ?? NaN)} per command there, with the simulator's batching).`
      : ' (No rule profile of that node in this run.)';
    out.push(
      `* **${protocolNames[s.protocol]}: ${x2(s.factor)} against the paper's ${s.paperFactor}x.** The bottleneck of ${s.name} is \`${s.node}\` (role ${s.role}): ${us(s.cpuMicrosPerCommand)} of CPU per command for ${f(s.framesPerCommand, 2)} data frames in and out per command, ${us(s.microsPerFrame)} a frame; the base plan's \`${s.base.node}\`: ${us(s.base.cpuMicrosPerCommand)} for ${f(s.base.framesPerCommand, 2)} frames, ${us(s.base.microsPerFrame)} a frame. The rewrite cut the bottleneck's frames per command ${x2(s.frameFactor)}${s.frameFactor >= s.paperFactor ? `, more than the paper's factor` : ''}, but a frame costs ${x2(s.microsPerFrame / s.base.microsPerFrame)} as much in the ${s.name} cluster.${rule}${cpu}`,
    );
  }
  out.push('');
  return out;
}

export function ruleSection(r: ClusterBenchResults): string[] {
  if (!r.ruleProfiles.length) return [];
  const out = ['## The bottleneck nodes\' hottest rules (profiling build, simulated)', ''];
  out.push(
    `Each plan built again with per-rule counters (\`buildProgram\` with \`profile: true\`, as \`dedc build --profile\`) and run in the simulator (bench/rule-profile.ts) with the same deployment at the paper's machine counts, ${r.ruleProfiles[0]!.clients} clients x window ${r.ruleProfiles[0]!.window}, once to warm V8 up and once counted. Time in a rule is wall time inside its kernel; the simulator batches differently from the cluster, so these rank the rules, they are not the node's CPU. The node is the configuration's bottleneck in the main setting (${framesLabel(r.mainFrames)}).`,
    '',
  );
  for (const p of r.ruleProfiles) {
    if (p.error) {
      out.push(`### ${p.name}`, '', `No rule profile: ${p.error}`, '');
      continue;
    }
    const s = r.summaries.find((x) => x.protocol === p.protocol && x.plan === p.plan && x.frames === r.mainFrames) ?? r.summaries.find((x) => x.protocol === p.protocol && x.plan === p.plan);
    const name = s?.bottlenecks[0]?.name;
    const node = p.nodes.find((x) => x.name === name) ?? [...p.nodes].sort((a, b) => b.rulesMs - a.rulesMs)[0];
    if (!node) continue;
    out.push(`### ${p.name}: \`${node.name}\``, '');
    out.push(`${n(p.commands)} commands simulated (${f(p.simulatedSeconds, 2)} s simulated, ${f(p.wallSeconds, 1)} s here); the node ran ${n(node.ticks)} ticks, ${us(node.rulesMicrosPerCommand)} in rules per command; stored at the end: ${bytes(node.relationBytes)} of relations, ${bytes(node.stringBytes)} of strings (${bytes((node.relationBytes + node.stringBytes) / p.commands)} per command).`, '');
    out.push(table(['rule', 'time', 'share of the node\'s rule time', 'per command', 'tuples read', 'tuples added'], node.top.map((x) => [`\`${x.label}\``, `${f(x.ms, 1)} ms`, pct(x.share), us(x.microsPerCommand), num(x.tuplesIn), num(x.tuplesOut)])));
    out.push('');
  }
  return out;
}

export function profileSection(r: ClusterBenchResults): string[] {
  if (!r.profiles.length) return [];
  const names = new Map(r.configs.map((c) => [c.key, `${c.name} ${c.frames}`]));
  const out = ['## Where the bottleneck\'s CPU goes (V8 CPU profile)', ''];
  out.push(
    "One more window of each base plan (main setting, main load), and of the scalable plan where its factor falls short, with its bottleneck node (the one most often the bottleneck above) under V8's sampling profiler (bench/profiled-node.ts, a sample every ms; the profiler costs that node some CPU, so its cost per command is higher than in the windows above), keeping the samples of the measured window only. A sample whose leaf is a socket write (the syscall, in which the kernel also runs loopback TCP and wakes the receiver) counts as a socket write; any other goes to the first piece of the host found from the leaf of its stack up (bench/cpu-profile.ts), so HMAC work called from the frame codec counts as the frame codec. Idle time is left out; shares are of the busy samples.",
  );
  for (const p of r.profiles) {
    out.push('', `### ${names.get(p.config) ?? p.config}: ${p.node}`, '');
    if (!p.summary) {
      out.push(`No profile: ${p.error ?? 'unknown'}`);
      continue;
    }
    const s = p.summary;
    out.push(`${f(s.busyMs / 1000, 1)} s of CPU sampled over ${f(s.wallSeconds, 1)} s (${n(s.samples)} samples); that window: ${num(p.run.throughput)} commands/s, ${us(p.run.bottleneck.cpuMicrosPerCommand)} per command at ${p.run.bottleneck.name}.`, '');
    out.push(table(['category', 'CPU', 'share'], s.categories.map((c) => [c.category, `${n(c.ms)} ms`, pct(c.share)])), '');
    out.push('Functions with the most self time:', '');
    out.push(table(['function', 'file', 'category', 'self', 'share'], s.topFunctions.map((t) => [`\`${t.function}\``, t.file, t.category, `${n(t.selfMs)} ms`, pct(t.share)])));
  }
  out.push('');
  return out;
}
