// `dedc node DIR --role R [--index I] [--partition P]`: run one node of a build directory as a
// network service, as it would run on its own machine: its role's module behind a
// uWebSockets.js server on its endpoint (from the deployment's "network" section, or
// host:basePort+address), frames authenticated with the cluster secret, durable facts logged
// under --data, outputs appended to --outputs. Runs until SIGINT or SIGTERM.

import { join } from 'node:path';
import type { Command } from 'commander';
import { NodeHost, type Endpoint } from '../../host/node-host.js';
import { nodeFileName } from '../../host/local-cluster.js';
import { addClusterOptions, loadClusterWithFlags, requireSecret, secretVariable, type ClusterFlags } from '../cluster-flags.js';
import { intOption } from '../input.js';
import { UsageError } from '../usage-error.js';

interface NodeFlags extends ClusterFlags {
  role?: string;
  index: string;
  partition: string;
  listen?: string;
  data?: string;
  outputs?: string;
  frames: string;
}

export function registerNode(program: Command): void {
  const command = program
    .command('node')
    .description('run one node of a build directory as a network service (uWebSockets.js on its endpoint)')
    .argument('<dir>', 'a build directory (dedc build -o DIR)')
    .option('--role <role>', 'the role of the node (required)')
    .option('--index <i>', 'which instance of the role', '0')
    .option('--partition <p>', 'which partition of the instance, for a partitioned role', '0');
  addClusterOptions(command)
    .option('--listen <host:port>', 'listen here instead of at the endpoint the deployment gives the node (e.g. 0.0.0.0:7001 behind NAT)')
    .option('--data <dir>', 'where the node keeps its durable log (default: no durable log)')
    .option('--outputs <file>', "append the node's .output facts to this file as JSON lines")
    .option('--frames <policy>', "per-tick: a tick's messages to one peer travel as one frame; per-message: one frame each (for comparison)", 'per-tick')
    .addHelpText(
      'after',
      `\nEvery node of the deployment has an endpoint: its entry in the deployment's "network" section, or\n--host at --base-port + its address. Peers connect to it; clients connect to the nodes they use and\nget their replies over the same connection. Frames must carry the cluster secret's authenticator;\nothers are rejected and counted (GET /metrics on the node's port shows the counters).\n\nExample:\n  dedc build protocols/voting.ded -o out/voting\n  ${secretVariable}=s3cret dedc node out/voting --role participant --index 1 --data state/`,
    )
    .action(async (dir: string, flags: NodeFlags) => {
      if (!flags.role) throw new UsageError('missing --role, the role of the node to run', 'node');
      const index = intOption(flags.index, '--index', 0, 1_000_000);
      const partition = intOption(flags.partition, '--partition', 0, 1_000_000);
      const secret = requireSecret(flags, 'node');
      if (flags.frames !== 'per-tick' && flags.frames !== 'per-message') throw new UsageError(`--frames must be per-tick or per-message, not "${flags.frames}"`, 'node');
      const listenAt = flags.listen !== undefined ? parseListen(flags.listen) : undefined;
      const loaded = loadClusterWithFlags(dir, flags);
      if (!loaded) return void (process.exitCode = 1);
      const { build, cluster, endpoints } = loaded;
      const node = cluster.nodes.find((n) => n.role === flags.role && n.index === index && n.partition === partition);
      if (!node) {
        const roles = [...new Set(cluster.nodes.map((n) => `${n.role} (${cluster.nodes.filter((m) => m.role === n.role && m.partition === 0).length})`))].join(', ');
        throw new UsageError(`the deployment has no node ${flags.role}[${index}]${partition ? ` partition ${partition}` : ''} (roles and instances: ${roles})`, 'node');
      }
      const tag = `[${node.name}]`;
      const at = listenAt ?? endpoints.get(node.address)!;
      let host: NodeHost;
      try {
        host = new NodeHost({
          module: build.modules.get(node.role)!,
          relations: build.manifest.relations,
          spec: { role: node.role, address: node.address, statics: node.statics },
          timers: node.timers,
          listen: at,
          endpoints,
          secret,
          ...(flags.data ? { durablePath: join(flags.data, `${nodeFileName(node)}.log`) } : {}),
          ...(flags.outputs ? { outputsPath: flags.outputs } : {}),
          frames: flags.frames === 'per-message' ? 'message' : 'tick',
          log: (line) => process.stderr.write(`${tag} ${line}\n`),
        });
      } catch (err) {
        process.stderr.write(`${tag} cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
        return void (process.exitCode = 1);
      }
      process.stderr.write(`${tag} listening on ${at.host}:${host.port} (address ${node.address})\n`);
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
      // Everything is closed and flushed; a reconnect timer of a peer link must not keep the
      // process alive (the timer is unref'd: it only fires if something else would).
      setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
    });
}

function parseListen(text: string): Endpoint {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65_535) throw new UsageError(`--listen must be host:port (e.g. 0.0.0.0:7001 or [::1]:7001), not "${text}"`, 'node');
  return { host: m[1] ?? m[2]!, port };
}
