// `dedc node DIR --role R [--index I] [--partition P]`: run one node of a build directory as a
// network service, as it would run on its own machine: its role's module behind a
// uWebSockets.js server on its endpoint (host:basePort+address), frames authenticated with the
// cluster secret, durable facts logged under --data. Runs until SIGINT or SIGTERM.

import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultEndpoints, loadCluster } from '../../host/load-cluster.js';
import { NodeHost } from '../../host/node-host.js';
import { intOption, readSource } from '../input.js';
import { printDiagnostics } from '../report.js';
import { UsageError } from '../usage-error.js';

interface NodeFlags {
  role?: string;
  index: string;
  partition: string;
  deploy?: string;
  host: string;
  basePort: string;
  data?: string;
  secret?: string;
}

export const secretVariable = 'DEDC_CLUSTER_SECRET';

export function registerNode(program: Command): void {
  program
    .command('node')
    .description('run one node of a build directory as a network service (uWebSockets.js on its endpoint)')
    .argument('<dir>', 'a build directory (dedc build -o DIR)')
    .option('--role <role>', 'the role of the node (required)')
    .option('--index <i>', 'which instance of the role', '0')
    .option('--partition <p>', 'which partition of the instance, for a partitioned role', '0')
    .option('--deploy <file>', 'deployment file (default: the deployment recorded in the build)')
    .option('--host <host>', 'the host every endpoint is on', defaultEndpoints.host)
    .option('--base-port <port>', 'every address listens on base port + address', String(defaultEndpoints.basePort))
    .option('--data <dir>', 'where the node keeps its durable log (default: no durable log)')
    .option('--secret <text>', `the cluster secret that authenticates frames (default: $${secretVariable})`)
    .addHelpText(
      'after',
      `\nEvery node and client of the deployment has an address; it listens on --host at --base-port + address.\nFrames from peers must carry the cluster secret's authenticator; others are rejected and counted.\n\nExample:\n  dedc build protocols/voting.ded -o out/voting\n  ${secretVariable}=s3cret dedc node out/voting --role participant --index 1 --data state/`,
    )
    .action(async (dir: string, flags: NodeFlags) => {
      if (!flags.role) throw new UsageError('missing --role, the role of the node to run', 'node');
      const index = intOption(flags.index, '--index', 0, 1_000_000);
      const partition = intOption(flags.partition, '--partition', 0, 1_000_000);
      const basePort = intOption(flags.basePort, '--base-port', 1, 65_535);
      const secret = flags.secret ?? process.env[secretVariable];
      if (!secret) throw new UsageError(`no cluster secret: pass --secret or set ${secretVariable}`, 'node');
      const deployFile = flags.deploy ? readSource(flags.deploy, 'deployment file') : undefined;
      const loaded = loadCluster(dir, deployFile, { host: flags.host, basePort });
      if (!loaded.ok) {
        for (const p of loaded.problems) printDiagnostics([p.diagnostic], p.source);
        process.exitCode = 1;
        return;
      }
      const { build, cluster, endpoints } = loaded.loaded;
      const node = cluster.nodes.find((n) => n.role === flags.role && n.index === index && n.partition === partition);
      if (!node) {
        const roles = [...new Set(cluster.nodes.map((n) => n.role))].join(', ');
        throw new UsageError(`the deployment has no node ${flags.role}[${index}]${partition ? ` partition ${partition}` : ''} (roles: ${roles})`, 'node');
      }
      const tag = `[${node.name}]`;
      const host = new NodeHost({
        module: build.modules.get(node.role)!,
        relations: build.manifest.relations,
        spec: { role: node.role, address: node.address, statics: node.statics },
        timers: node.timers,
        listen: endpoints.get(node.address)!,
        endpoints,
        secret,
        ...(flags.data ? { durablePath: join(flags.data, `${node.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`) } : {}),
        log: (line) => process.stderr.write(`${tag} ${line}\n`),
      });
      process.stderr.write(`${tag} listening on ${flags.host}:${host.port} (address ${node.address})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      const stats = host.stats();
      await host.stop();
      const c = stats.counters;
      process.stderr.write(
        `${tag} stopped: ${c.ticks} ticks, ${c.framesIn} frames in, ${c.framesOut} out, ${Object.values(stats.frames.rejected).reduce((a, b) => a + b, 0)} rejected, ${c.durableFlushes} durable flushes\n`,
      );
    });
}
