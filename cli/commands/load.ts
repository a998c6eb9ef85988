// `dedc load DIR --clients N --duration S`: closed-loop clients against a running cluster (its
// nodes started with `dedc node` or `dedc run --serve`), with a warm-up, a progress bar, and a
// report of throughput, latency percentiles and each node's CPU cost per command.

import type { Command } from 'commander';
import { runLoad, type LoadOptions } from '../../host/closed-loop.js';
import { addClusterOptions, loadClusterWithFlags, requireSecret, secondsOption, type ClusterFlags } from '../cluster-flags.js';
import { intOption } from '../input.js';
import { formatLoadReport, loadProgressBar } from '../load-report.js';

export interface LoadFlags {
  clients?: string;
  duration: string;
  warmup: string;
  window?: string;
  timeout: string;
  json?: boolean;
  quiet?: boolean;
}

export function addLoadOptions(command: Command): Command {
  return command
    .option('--clients <n>', "closed-loop clients (default: the deployment's client count)")
    .option('--duration <s>', 'seconds measured, after the warm-up', '10')
    .option('--warmup <s>', 'seconds of load before measuring', '2')
    .option('--window <n>', "requests each client keeps outstanding (default: the deployment's window)")
    .option('--timeout <s>', 'a request unanswered this long is counted as timed out and replaced', '5')
    .option('--json', 'print the report as JSON')
    .option('--quiet', 'no progress bar');
}

/** The load options these flags ask for; `clients` defaults to the deployment's count. */
export function loadOptionsFrom(flags: LoadFlags, deploymentClients: number): Omit<LoadOptions, 'onProgress' | 'signal' | 'log'> {
  return {
    clients: flags.clients !== undefined ? intOption(flags.clients, '--clients', 1, 10_000) : Math.max(1, deploymentClients),
    durationMs: secondsOption(flags.duration, '--duration', 0.1, 86_400) * 1000,
    warmupMs: secondsOption(flags.warmup, '--warmup', 0, 3600) * 1000,
    ...(flags.window !== undefined ? { window: intOption(flags.window, '--window', 1, 100_000) } : {}),
    timeoutMs: secondsOption(flags.timeout, '--timeout', 0.01, 3600) * 1000,
  };
}

export function registerLoad(program: Command): void {
  const command = program
    .command('load')
    .description('run closed-loop clients against a running cluster and report throughput, latency and CPU per command')
    .argument('<dir>', 'the build directory the cluster runs');
  addLoadOptions(addClusterOptions(command))
    .addHelpText(
      'after',
      `\nThe workload (request rows, reply relation, window) is the deployment's "clients" section. Clients
connect to the nodes they send to and the nodes that reply, and get replies over those connections.
CPU per command comes from each node's GET /metrics before and after the measured window.

Exit status: 0 the load ran and every request was answered or is still in flight, 1 requests timed
out or replies were duplicated, or the build directory or deployment has problems, 2 usage.

Example:
  dedc run out/voting --serve &     # or one dedc node per machine
  dedc load out/voting --clients 16 --duration 30`,
    )
    .action(async (dir: string, flags: LoadFlags & { deploy?: string; host?: string; basePort?: string; secret?: string }) => {
      const secret = requireSecret(flags, 'load');
      const loaded = loadClusterWithFlags(dir, flags);
      if (!loaded) return void (process.exitCode = 1);
      const options = loadOptionsFrom(flags, loaded.cluster.clients.length);
      const bar = flags.quiet || flags.json ? undefined : loadProgressBar();
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        const report = await runLoad(loaded.cluster, loaded.build.manifest, loaded.endpoints, secret, { ...options, signal: abort.signal, ...(bar ? { onProgress: bar.update } : {}) });
        bar?.stop();
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatLoadReport(report));
        process.exitCode = report.timeouts || report.duplicates || report.unexpected ? 1 : 0;
      } finally {
        bar?.stop();
        process.off('SIGINT', stop);
      }
    });
}
