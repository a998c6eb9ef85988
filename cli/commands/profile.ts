// `dedc profile FILE [--plan P]`: compile a profiling build of every role (per-rule counters:
// tuples in, tuples out, time), simulate one seed on it, sum each rule's counters over the nodes
// of its role (restarted nodes included) and print the hottest rules. Counters are read by rule
// ordinal, which is `ruleOrder` of the role's plan: the order the module numbers them.

import type { Command } from 'commander';
import { ruleOrder } from '../../assembly/codegen/generate-role.js';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Cluster } from '../../compiler/deploy/resolve-deployment.js';
import type { Evaluation, ProgramPlan } from '../../compiler/ir/plan.js';
import { WasmNode } from '../../engine/wasm/wasm-node.js';
import { simulate, type EngineFactory, type SimResult } from '../../sim/simulator.js';
import { summarize } from '../../sim/summary.js';
import { formatTime } from '../../sim/trace.js';
import { intOption } from '../input.js';
import { loadCluster, loadProgram } from '../load.js';
import { printDiagnostics } from '../report.js';
import { loadRewriteInput, runRewrite } from '../rewrite-input.js';

interface ProfileFlags {
  plan?: string;
  deploy?: string;
  seed: string;
  top: string;
  runs: string;
  json?: boolean;
}

interface RuleProfile {
  readonly role: string;
  readonly label?: string;
  readonly text: string;
  readonly evaluation: Evaluation;
  readonly tuplesIn: number;
  readonly tuplesOut: number;
  readonly ms: number;
}

interface RoleProfile {
  readonly role: string;
  readonly nodes: number;
  readonly ticks: number;
  readonly rules: number;
  readonly tuplesIn: number;
  readonly tuplesOut: number;
  readonly ms: number;
}

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('run a simulation on a profiling Wasm build and print the hottest rules')
    .argument('<file>', 'a Dedalus file (.ded)')
    .option('--plan <file>', 'a rewrite plan (.plan.json) to apply first')
    .option('--deploy <file>', "deployment file (default: the program's <name>.deploy.json, else one node per role)")
    .option('--seed <n>', 'seed of the simulated run', '1')
    .option('--top <k>', 'how many rules to print, hottest first', '10')
    .option('--runs <n>', "how many times to run the seed (after a warm-up run); each rule's time is its least", '3')
    .option('--json', 'print the profile as JSON')
    .addHelpText(
      'after',
      [
        '',
        "Each role is compiled with per-rule counters (as `dedc build --profile`), the deployment runs in the",
        "simulator as `dedc sim` runs it, and each rule's counters are summed over the nodes of its role:",
        '  tuples in   rows the rule read while joining (each row each scan or lookup step visits)',
        '  tuples out  facts its head added (new facts only: a fact already there is not counted)',
        '  ms          wall-clock time in the rule on this machine: the least over --runs runs of the',
        '              same seed, after a warm-up run (the counts are the same every run)',
        'Rules are ranked by time; the share is of the time spent in all rules of all roles.',
        '',
        'Exit status: 0 profiled, 1 errors in the program, plan or deployment, or a node fault, 2 usage.',
        '',
        'Examples:',
        '  dedc profile protocols/voting.ded',
        '  dedc profile protocols/2pc.ded --seed 7 --top 5',
        '  dedc profile protocols/voting.ded --plan protocols/voting-scalable.plan.json --json',
      ].join('\n'),
    )
    .action(async (file: string, flags: ProfileFlags) => {
      const seed = intOption(flags.seed, '--seed', 0, 2 ** 31 - 1);
      const top = intOption(flags.top, '--top', 1, 100_000);
      const runs = intOption(flags.runs, '--runs', 1, 1000);
      const subject = loadSubject(file, flags);
      if (!subject) return void (process.exitCode = 1);
      const { analysis, cluster } = subject;
      const n = analysis.roles.length;
      process.stderr.write(`compiling ${n} role${n === 1 ? '' : 's'} with profiling counters...\n`);
      const { compileProgram } = await import('../../engine/wasm/compile-program.js'); // loads asc: only when used
      const compiled = await compileProgram(analysis, { profile: true });
      if (!compiled.ok) {
        printDiagnostics(compiled.diagnostics, analysis.source);
        return void (process.exitCode = 1);
      }
      const program = compiled.program;
      const measure = () => {
        const nodes: WasmNode[] = [];
        const engine: EngineFactory = (_analysis, spec) => {
          const node = new WasmNode(program.modules.get(spec.role)!, program.plan.relations, spec);
          nodes.push(node);
          return node;
        };
        const result = simulate(analysis, cluster, { seed, engine });
        return { result, rules: ruleProfiles(program.plan, nodes) };
      };
      // V8 compiles a Wasm function on its first call and optimises it later, and a busy machine
      // preempts: a first run warms the modules up, then each rule keeps its least time over the
      // runs. The same seed gives the same run, so the tuple counts are the same every time.
      measure();
      const { result, rules: first } = measure();
      let rules = first;
      for (let i = 1; i < runs; i++) {
        const again = measure().rules;
        rules = rules.map((r, k) => ({ ...r, ms: Math.min(r.ms, again[k]!.ms) }));
      }
      const roles = roleProfiles(program.plan, rules, cluster, result);
      const total = rules.reduce((t, r) => t + r.ms, 0);
      const share = (ms: number) => (total > 0 ? ms / total : 0);
      const hottest = [...rules].sort((a, b) => b.ms - a.ms || b.tuplesIn - a.tuplesIn).slice(0, top);
      const summary = summarize(result, cluster);
      const faulted = result.events.some((e) => e.kind === 'fault');
      if (flags.json) {
        const json = {
          program: file,
          ...(flags.plan !== undefined ? { plan: flags.plan } : {}),
          seed,
          runs,
          end: { reason: result.end.reason, time: result.end.time },
          requests: summary.requests,
          replies: summary.replies,
          faults: summary.faults,
          totalMs: total,
          rules: hottest.map((r, i) => ({ rank: i + 1, ...r, share: share(r.ms) })),
          roles: roles.map((r) => ({ ...r, share: share(r.ms) })),
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else process.stdout.write(render(subject.title, result, summary, hottest, roles, total, rules.length, runs));
      process.exitCode = faulted ? 1 : 0;
    });
}

/** The program and cluster to run: the file's own, or the rewritten program's with --plan. */
function loadSubject(file: string, flags: ProfileFlags): { analysis: Analysis; cluster: Cluster; title: string } | undefined {
  if (flags.plan !== undefined) {
    const input = loadRewriteInput(file, flags.plan, flags.deploy);
    if (!input) return undefined;
    const out = runRewrite(input, {}).result;
    return out && { analysis: out.analysis, cluster: out.cluster, title: `dedc profile ${file} rewritten by ${flags.plan}` };
  }
  const analysis = loadProgram(file);
  if (!analysis) return undefined;
  const loaded = loadCluster(analysis, file, flags.deploy);
  return loaded && { analysis, cluster: loaded.cluster, title: `dedc profile ${file}${loaded.path ? ` with ${loaded.path}` : ''}` };
}

/** Every rule of every role, with its counters summed over the nodes of the role. */
function ruleProfiles(plan: ProgramPlan, nodes: readonly WasmNode[]): RuleProfile[] {
  return plan.roles.flatMap((rp) => {
    const order = ruleOrder(rp);
    const sums = order.map(() => ({ tuplesIn: 0, tuplesOut: 0, ms: 0 }));
    for (const node of nodes) {
      if (node.role !== rp.role) continue;
      const counters = node.profile();
      if (!counters || counters.length !== order.length) {
        throw new Error(`internal: role ${rp.role}: the profiling build has ${counters?.length ?? 'no'} rule counters, the plan ${order.length} rules`);
      }
      counters.forEach((c, k) => {
        const s = sums[k]!;
        s.tuplesIn += c.tuplesIn;
        s.tuplesOut += c.tuplesOut;
        s.ms += c.ms;
      });
    }
    return order.map((r, k) => ({
      role: rp.role,
      ...(r.label ? { label: r.label } : {}),
      text: r.text,
      evaluation: r.evaluation,
      ...sums[k]!,
    }));
  });
}

function roleProfiles(plan: ProgramPlan, rules: readonly RuleProfile[], cluster: Cluster, result: SimResult): RoleProfile[] {
  return plan.roles.map((rp) => {
    const mine = rules.filter((r) => r.role === rp.role);
    const addresses = new Set(cluster.nodes.filter((n) => n.role === rp.role).map((n) => n.address));
    return {
      role: rp.role,
      nodes: addresses.size,
      ticks: result.nodes.filter((n) => addresses.has(n.address)).reduce((t, n) => t + n.ticks, 0),
      rules: mine.length,
      tuplesIn: mine.reduce((t, r) => t + r.tuplesIn, 0),
      tuplesOut: mine.reduce((t, r) => t + r.tuplesOut, 0),
      ms: mine.reduce((t, r) => t + r.ms, 0),
    };
  });
}

function render(
  title: string,
  result: SimResult,
  summary: ReturnType<typeof summarize>,
  hottest: readonly RuleProfile[],
  roles: readonly RoleProfile[],
  total: number,
  ruleCount: number,
  runs: number,
): string {
  const pct = (ms: number) => `${(total > 0 ? (100 * ms) / total : 0).toFixed(1)}%`;
  const lines: string[] = [`${title} (seed ${result.seed})`];
  const unanswered = summary.unanswered ? `, ${summary.unanswered} unanswered` : '';
  lines.push(
    `  run: ${result.end.reason} at ${formatTime(result.end.time)} simulated; ${summary.requests} requests sent, ${summary.replies} completed${unanswered}; ticks ${roles.map((r) => `${r.role} ${r.ticks}`).join(', ')}`,
  );
  for (const f of summary.faults) lines.push(`  fault: ${f}`);
  lines.push('', `hottest ${hottest.length} of ${ruleCount} rules, by time in the rule (the least of ${runs} run${runs === 1 ? '' : 's'})`);
  const table: string[][] = [['rank', 'role', 'rule', 'eval', 'tuples in', 'tuples out', 'ms', 'share']];
  hottest.forEach((r, i) => table.push([`${i + 1}`, r.role, r.label ?? shorten(r.text, 56), r.evaluation, count(r.tuplesIn), count(r.tuplesOut), r.ms.toFixed(3), pct(r.ms)]));
  lines.push(...columns(table, [true, false, false, false, true, true, true, true]));
  lines.push('', 'per role');
  const perRole: string[][] = [['role', 'nodes', 'ticks', 'rules', 'tuples in', 'tuples out', 'ms', 'share']];
  for (const r of roles) perRole.push([r.role, `${r.nodes}`, `${r.ticks}`, `${r.rules}`, count(r.tuplesIn), count(r.tuplesOut), r.ms.toFixed(3), pct(r.ms)]);
  perRole.push(['total', `${roles.reduce((t, r) => t + r.nodes, 0)}`, `${roles.reduce((t, r) => t + r.ticks, 0)}`, `${ruleCount}`, count(roles.reduce((t, r) => t + r.tuplesIn, 0)), count(roles.reduce((t, r) => t + r.tuplesOut, 0)), total.toFixed(3), pct(total)]);
  lines.push(...columns(perRole, [false, true, true, true, true, true, true, true]));
  return `${lines.join('\n')}\n`;
}

/** Rows of cells as aligned columns, two spaces apart; `right[i]` aligns column i to the right. */
function columns(rows: readonly string[][], right: readonly boolean[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

function count(n: number): string {
  return Math.round(n).toString();
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
