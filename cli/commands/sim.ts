// `dedc sim FILE`: run a deployment of the program in the deterministic simulator and print
// what happened; --trace prints every event, --seeds runs many seeds in one go. With
// --engine wasm the nodes run each role's compiled Wasm module instead of the interpreter.

import type { Command } from 'commander';
import type { Deployment, SimSettings } from '../../compiler/deploy/deployment.js';
import { parseDuration } from '../../compiler/deploy/duration.js';
import { resolveDeployment } from '../../compiler/deploy/resolve-deployment.js';
import { simulate, type EngineFactory } from '../../sim/simulator.js';
import { renderSummary, summarize } from '../../sim/summary.js';
import { formatTime, renderTrace } from '../../sim/trace.js';
import { intOption } from '../input.js';
import { loadCluster, loadProgram } from '../load.js';
import { printDiagnostics } from '../report.js';
import { UsageError } from '../usage-error.js';

interface SimFlags {
  deploy?: string;
  seed: string;
  seeds?: string;
  trace?: boolean;
  clients?: string;
  requests?: string;
  window?: string;
  drop?: string;
  delay?: string;
  until?: string;
  batching?: string;
  json?: boolean;
  engine: string;
}

const engines = ['interp', 'wasm'] as const;

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('simulate a deployment of a program on a seeded, faulty network')
    .argument('<file>', 'a Dedalus file (.ded)')
    .option('--deploy <file>', "deployment file (default: the program's <name>.deploy.json, else one node per role)")
    .option('--seed <n>', 'seed of the run: the same seed gives the same run', '1')
    .option('--seeds <n>', 'run n seeds, from --seed on, and print one line each')
    .option('--trace', 'print every event of the run')
    .option('--clients <n>', 'number of clients (overrides the deployment)')
    .option('--requests <n>', 'requests per client (overrides the deployment)')
    .option('--window <n>', 'requests each client keeps outstanding (overrides the deployment)')
    .option('--drop <p>', 'probability that a message between nodes is lost, 0 to 1')
    .option('--delay <range>', 'message delay between nodes, such as 1ms or 100us..5ms')
    .option('--until <duration>', 'stop after this much simulated time, such as 10s')
    .option('--batching <mode>', 'message: each message delayed on its own; tick: one batch per tick and peer')
    .option('--json', 'print the summary as JSON')
    .option('--engine <name>', 'interp: the reference interpreter; wasm: each role compiled to WebAssembly (compiles first)', 'interp')
    .addHelpText(
      'after',
      '\nExit status: 0 the run completed, 1 errors in the program or deployment or a node fault, 2 usage.\n\nExamples:\n  dedc sim protocols/voting.ded\n  dedc sim protocols/2pc.ded --seed 7 --trace\n  dedc sim protocols/voting.ded --seeds 100 --drop 0.05\n  dedc sim protocols/voting.ded --engine wasm',
    )
    .action(async (file: string, flags: SimFlags) => {
      if (!(engines as readonly string[]).includes(flags.engine)) throw new UsageError(`--engine is ${engines.join(' or ')}, not "${flags.engine}"`, 'sim');
      const seed = intOption(flags.seed, '--seed', 0, 2 ** 31 - 1);
      const seeds = flags.seeds === undefined ? 1 : intOption(flags.seeds, '--seeds', 1, 1_000_000);
      const overrides = simOverrides(flags);
      const analysis = loadProgram(file);
      if (!analysis) return void (process.exitCode = 1);
      const loaded = loadCluster(analysis, file, flags.deploy);
      if (!loaded) return void (process.exitCode = 1);
      let cluster = loaded.cluster;
      const workload = workloadOverrides(flags, loaded.deployment);
      if (workload) {
        const again = resolveDeployment(workload, analysis);
        printDiagnostics(again.diagnostics, workload.source);
        if (!again.cluster) return void (process.exitCode = 1);
        cluster = again.cluster;
      }
      let engine: EngineFactory | undefined;
      if (flags.engine === 'wasm') {
        const n = analysis.roles.length;
        process.stderr.write(`compiling ${n} role${n === 1 ? '' : 's'} to WebAssembly...\n`);
        const { compileProgram, wasmEngine } = await import('../../engine/wasm/compile-program.js'); // loads asc: only when used
        const compiled = await compileProgram(analysis);
        if (!compiled.ok) {
          printDiagnostics(compiled.diagnostics, analysis.source);
          return void (process.exitCode = 1);
        }
        engine = wasmEngine(compiled.program);
      }
      const title = `dedc sim ${file}${loaded.path ? ` with ${loaded.path}` : ''}`;
      let faulted = false;
      const jsonRuns: object[] = [];
      for (let s = seed; s < seed + seeds; s++) {
        const result = simulate(analysis, cluster, { seed: s, overrides, ...(engine ? { engine } : {}) });
        faulted ||= result.events.some((e) => e.kind === 'fault');
        if (flags.trace) process.stdout.write(`${renderTrace(result.events, { relations: analysis.relations, names: cluster.names })}\n\n`);
        if (flags.json) {
          const summary = summarize(result, cluster);
          jsonRuns.push({ seed: s, end: result.end, ...summary, drops: Object.fromEntries(summary.drops), outputs: Object.fromEntries(summary.outputs) });
        } else if (seeds === 1) process.stdout.write(`${renderSummary(result, cluster, analysis, title)}\n`);
        else {
          const sum = summarize(result, cluster);
          const latency = sum.latency ? `, p50 ${formatTime(sum.latency.p50)}` : '';
          process.stdout.write(
            `seed ${s}: ${sum.replies}/${sum.requests} replied${latency}, ${sum.messagesSent} messages (${sum.messagesDropped} dropped), ${result.end.reason} at ${formatTime(result.end.time)}\n`,
          );
        }
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(seeds === 1 ? jsonRuns[0] : jsonRuns, null, 2)}\n`);
      process.exitCode = faulted ? 1 : 0;
    });
}

function simOverrides(flags: SimFlags): Partial<SimSettings> {
  const out: { -readonly [K in keyof SimSettings]?: SimSettings[K] } = {};
  if (flags.drop !== undefined) {
    const p = Number(flags.drop);
    if (!(p >= 0 && p <= 1) || flags.drop.trim() === '') throw new UsageError(`--drop must be a probability from 0 to 1, not "${flags.drop}"`, 'sim');
    out.drop = p;
  }
  if (flags.delay !== undefined) {
    const parts = flags.delay.split('..');
    const values = parts.map(parseDuration);
    if (parts.length > 2 || values.some((v) => v === undefined) || (values.length === 2 && values[0]! > values[1]!)) {
      throw new UsageError(`--delay must be a duration or a range such as 100us..5ms, not "${flags.delay}"`, 'sim');
    }
    out.delay = [values[0]!, values[values.length - 1]!];
  }
  if (flags.until !== undefined) {
    const d = parseDuration(flags.until);
    if (d === undefined) throw new UsageError(`--until must be a duration such as 10s, not "${flags.until}"`, 'sim');
    out.until = d;
  }
  if (flags.batching !== undefined) {
    if (flags.batching !== 'message' && flags.batching !== 'tick') throw new UsageError(`--batching is "message" or "tick", not "${flags.batching}"`, 'sim');
    out.batching = flags.batching;
  }
  return out;
}

function workloadOverrides(flags: SimFlags, deployment: Deployment): Deployment | undefined {
  if (flags.clients === undefined && flags.requests === undefined && flags.window === undefined) return undefined;
  if (!deployment.clients) throw new UsageError('--clients, --requests and --window need a deployment with a "clients" workload', 'sim');
  const w = deployment.clients;
  return {
    ...deployment,
    clients: {
      ...w,
      count: flags.clients === undefined ? w.count : intOption(flags.clients, '--clients', 0, 100_000),
      requests: flags.requests === undefined ? w.requests : intOption(flags.requests, '--requests', 0, 10_000_000),
      window: flags.window === undefined ? w.window : intOption(flags.window, '--window', 1, 100_000),
    },
  };
}
