// `dedc run DIR|FILE`: a local cluster on loopback. Builds FILE first if given one (into -o DIR,
// default .dedc/run/<name>), starts every node of the deployment as its own `dedc node`
// process, prints where each listens, prefixes each node's log lines with its name, runs the
// deployment's workload as closed-loop clients (or, with --serve, waits), prints the summary
// (throughput, latency, CPU per command per node, the bottleneck), and stops every node cleanly
// when the load ends, on Ctrl-C, or when a node dies.

import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { runLoad } from '../../host/closed-loop.js';
import { LocalCluster } from '../../host/local-cluster.js';
import { addClusterOptions, loadClusterWithFlags, secretVariable, type ClusterFlags } from '../cluster-flags.js';
import { formatLoadReport, loadProgressBar } from '../load-report.js';
import { UsageError } from '../usage-error.js';
import { buildFile } from './build.js';
import { addLoadOptions, loadOptionsFrom, type LoadFlags } from './load.js';

interface RunFlags extends ClusterFlags, LoadFlags {
  output?: string;
  plan?: string;
  serve?: boolean;
  data?: string;
  outputs?: string;
  frames: string;
}

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('run a build directory (or a program, built first) as a local cluster of node processes under load')
    .argument('<target>', 'a build directory, or a Dedalus file (.ded) to build first')
    .option('-o, --output <dir>', 'where to build a .ded file (default: .dedc/run/<name>)')
    .option('--plan <file>', 'a rewrite plan to apply when building a .ded file');
  addLoadOptions(addClusterOptions(command))
    .option('--serve', 'run no load: keep the cluster up until Ctrl-C (drive it with dedc load)')
    .option('--data <dir>', 'keep the durable logs here, across runs (default: a temporary directory, removed at the end)')
    .option('--outputs <dir>', "write each node's .output facts here, one JSON-lines file per node")
    .option('--frames <policy>', "per-tick (batched) or per-message frames between nodes", 'per-tick')
    .addHelpText(
      'after',
      `\nEvery node runs as its own process on its endpoint (the deployment's "network" section, or
--host at --base-port + address); the secret is --secret, $${secretVariable}, or a fresh random one.
Each node's log lines are prefixed with its name. The load is the deployment's "clients" section.

Exit status: 0 the load ran with no timeouts or duplicate replies, 1 problems (program, plan,
deployment, a node that failed, timeouts or duplicates), 2 usage, 130 stopped by Ctrl-C.

Examples:
  dedc run protocols/voting.ded
  dedc run protocols/voting.ded --plan protocols/voting-scalable.plan.json --clients 16 --duration 20
  dedc run out/voting --serve`,
    )
    .action(async (target: string, flags: RunFlags) => {
      if (!existsSync(target)) throw new UsageError(`not found: ${target}`, 'run');
      let dir = target;
      if (statSync(target).isDirectory()) {
        if (flags.plan) throw new UsageError('--plan applies when building a .ded file; a build directory is already rewritten', 'run');
        if (!existsSync(join(target, 'manifest.json'))) throw new UsageError(`${target} is not a build directory (no manifest.json): build one with dedc build, or pass a .ded file`, 'run');
      } else {
        dir = flags.output ?? join('.dedc', 'run', [basename(target).replace(/\.ded$/, ''), ...(flags.plan ? [basename(flags.plan).replace(/\.plan\.json$|\.json$/, '')] : [])].join('-'));
        if (!(await buildFile(target, { output: dir, ...(flags.plan ? { plan: flags.plan } : {}), ...(flags.deploy ? { deploy: flags.deploy } : {}), ...(flags.quiet ? { quiet: true } : {}) }))) return void (process.exitCode = 1);
      }
      const loaded = loadClusterWithFlags(dir, flags);
      if (!loaded) return void (process.exitCode = 1);
      const { cluster, endpoints, build } = loaded;
      const load = flags.serve ? undefined : loadOptionsFrom(flags, cluster.clients.length);
      if (load && !cluster.workload) throw new UsageError('the deployment has no "clients" section, so there is no load to run: pass --serve, or a deployment with clients', 'run');
      const secret = flags.secret ?? process.env[secretVariable] ?? randomBytes(18).toString('base64url');
      const temporary = flags.data ? undefined : mkdtempSync(join(tmpdir(), 'dedc-run-'));
      const dataDir = flags.data ?? temporary!;
      mkdirSync(dataDir, { recursive: true });
      if (flags.outputs) mkdirSync(flags.outputs, { recursive: true });

      const abort = new AbortController();
      let failed: string | undefined;
      let interrupted = false;
      const onSignal = () => {
        interrupted = true;
        abort.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const width = Math.max(...cluster.nodes.map((n) => n.name.length)) + 2;
      const say = (line: string) => process.stderr.write(`${line}\n`);
      let local: LocalCluster | undefined;
      try {
        say(`starting ${cluster.nodes.length} nodes of ${dir}`);
        local = await LocalCluster.start({
          dir,
          nodes: cluster.nodes,
          secret,
          nodeArgs: [...(flags.deploy ? ['--deploy', flags.deploy] : []), ...(flags.host ? ['--host', flags.host] : []), ...(flags.basePort ? ['--base-port', flags.basePort] : []), '--frames', flags.frames],
          dataDir,
          ...(flags.outputs ? { outputsDir: flags.outputs } : {}),
          onLine: (node, line) => {
            if (!line.includes('listening on')) say(`${`[${node.name}]`.padEnd(width)} ${line.replace(`[${node.name}] `, '')}`);
          },
          onExit: (node, code, signal) => {
            if (interrupted) return; // Ctrl-C reached the nodes too: they stop on their own
            failed = `${node.name} exited (${signal ?? `code ${code}`}) while the cluster was running`;
            abort.abort();
          },
        });
        for (const n of cluster.nodes) {
          const at = endpoints.get(n.address)!;
          say(`  ${n.name.padEnd(width)} ${at.host}:${at.port}  address ${n.address}`);
        }
        if (!load) {
          say('serving; Ctrl-C stops every node');
          await new Promise<void>((resolve) => (abort.signal.aborted ? resolve() : abort.signal.addEventListener('abort', () => resolve(), { once: true })));
        } else {
          const bar = flags.quiet || flags.json ? undefined : loadProgressBar();
          try {
            const report = await runLoad(cluster, build.manifest, endpoints, secret, { ...load, signal: abort.signal, ...(bar ? { onProgress: bar.update } : {}) });
            bar?.stop();
            process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatLoadReport(report));
            if (report.timeouts || report.duplicates || report.unexpected) process.exitCode = 1;
          } finally {
            bar?.stop();
          }
        }
      } catch (err) {
        failed ??= err instanceof Error ? err.message : String(err);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (local) {
          say('stopping every node');
          const codes = await local.stop();
          const bad = [...codes].filter(([, code]) => code !== 0);
          if (bad.length && !failed) failed = `nodes did not stop cleanly: ${bad.map(([n, c]) => `${n} (${c ?? 'killed'})`).join(', ')}`;
        }
        if (temporary) rmSync(temporary, { recursive: true, force: true });
      }
      if (failed) {
        say(`dedc run: ${failed}`);
        process.exitCode = 1;
      }
      if (interrupted) process.exitCode = 130;
    });
}
