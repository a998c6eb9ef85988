// The flags every command that talks to a running cluster shares (`dedc node`, `dedc load`,
// `dedc run`): which deployment, where its nodes listen, and the cluster secret; and loading a
// build directory with them, printing problems as diagnostics.

import type { Command } from 'commander';
import { defaultEndpoints, loadCluster, type LoadedCluster } from '../host/load-cluster.js';
import { intOption, readSource } from './input.js';
import { printDiagnostics } from './report.js';
import { UsageError } from './usage-error.js';

export const secretVariable = 'DEDC_CLUSTER_SECRET';

export interface ClusterFlags {
  deploy?: string;
  host?: string;
  basePort?: string;
  secret?: string;
}

export function addClusterOptions(command: Command): Command {
  return command
    .option('--deploy <file>', 'deployment file (default: the deployment recorded in the build)')
    .option('--host <host>', `the host of every node without an endpoint in the deployment's "network" (default: ${defaultEndpoints.host})`)
    .option('--base-port <port>', `a node without its own endpoint listens on base port + its address (default: ${defaultEndpoints.basePort})`)
    .option('--secret <text>', `the cluster secret that authenticates frames (default: $${secretVariable})`);
}

/** The cluster of a build directory under these flags; undefined (problems printed) if it has errors. */
export function loadClusterWithFlags(dir: string, flags: ClusterFlags): LoadedCluster | undefined {
  const deployFile = flags.deploy ? readSource(flags.deploy, 'deployment file') : undefined;
  const loaded = loadCluster(dir, deployFile, {
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...(flags.basePort !== undefined ? { basePort: intOption(flags.basePort, '--base-port', 1, 65_535) } : {}),
  });
  if (loaded.ok) return loaded.loaded;
  for (const p of loaded.problems) printDiagnostics([p.diagnostic], p.source);
  return undefined;
}

export function requireSecret(flags: ClusterFlags, command: string): string {
  const secret = flags.secret ?? process.env[secretVariable];
  if (!secret) throw new UsageError(`no cluster secret: pass --secret or set ${secretVariable}`, command);
  return secret;
}

/** Seconds as a number option, such as --duration 10 or --warmup 0.5. */
export function secondsOption(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name} must be a number of seconds from ${min} to ${max}, not "${value}"`);
  return n;
}
