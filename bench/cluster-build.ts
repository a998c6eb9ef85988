// Builds one protocol and plan for the cluster benchmark into bench/.cache/cluster/ (the build
// directory caches compiled roles, so a second run compiles nothing), derives the deployment at
// the paper's machine counts from the deployment the build records (partition counts, and the
// bench's timer periods and statics, changed in code: deployment-variants.ts), writes it next to the build
// for `dedc node --deploy`, and loads the cluster it gives. The node count is checked against
// the paper's machine count.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../assembly/build/build-program.js';
import type { BuildManifest } from '../assembly/build/manifest.js';
import type { Analysis } from '../compiler/analyze/analysis.js';
import type { Cluster } from '../compiler/deploy/resolve-deployment.js';
import { renderDiagnostics } from '../compiler/diagnostics/render.js';
import { SourceFile } from '../compiler/source.js';
import { loadCluster } from '../host/load-cluster.js';
import { benchStatics, benchTimers, paper, paperPartitions, planNames, type Plan, type Protocol } from './cluster-configs.js';
import { withPartitions, withStatics, withTimers, writeDeployment } from './deployment-variants.js';
import { progress, protocolsDir, repoRoot } from './harness.js';

export interface Built {
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly dir: string;
  /** The deployment every node and client of the bench uses (the paper's machine counts). */
  readonly deployFile: string;
  readonly deployment: object;
  readonly cluster: Cluster;
  readonly analysis: Analysis;
  readonly manifest: BuildManifest;
  readonly check: DeploymentCheck;
}

/** What the bench ran against the paper's machine count. */
export interface DeploymentCheck {
  readonly name: string;
  readonly nodes: number;
  readonly paperMachines: number;
  readonly ok: boolean;
  /** Roles and instances x partitions, e.g. "leader 1, broadcaster 1x5, ...". */
  readonly roles: string;
  /** Partition counts changed from the plan's, e.g. "participant 3 -> 5". */
  readonly changed: readonly string[];
  /** Timer periods and statics the bench set (cluster-configs.ts benchTimers, benchStatics). */
  readonly timers: readonly string[];
  readonly statics?: readonly string[];
  readonly compiled: number;
  readonly cached: number;
  readonly seconds: number;
}

export const clusterCacheDir = join(repoRoot, 'bench', '.cache', 'cluster');

/** Builds (or refreshes) a protocol and plan; `profile` makes the profiling build (per-rule counters), in its own directory. */
export async function buildConfig(protocol: Protocol, plan: Plan, options: { readonly profile?: boolean } = {}): Promise<Built> {
  const name = `${protocol}${plan === 'scalable' ? '-scalable' : ''}${options.profile ? '-profile' : ''}`;
  const dir = join(clusterCacheDir, name);
  const file = (f: string) => new SourceFile(join(protocolsDir, f), readFileSync(join(protocolsDir, f), 'utf8'));
  const result = await buildProgram(
    { program: file(`${protocol}.ded`), deployment: file(`${protocol}.deploy.json`), ...(plan === 'scalable' ? { plan: file(`${protocol}-scalable.plan.json`) } : {}) },
    { outDir: dir, profile: options.profile ?? false },
  );
  if (!result.ok || !result.manifest) throw new Error(`building ${name} failed:\n${result.problems.map((p) => (p.source ? renderDiagnostics([p.diagnostic], p.source) : p.diagnostic.message)).join('\n')}`);
  progress('build', `${name}: ${result.compiled} roles compiled, ${result.cached} cached, ${result.seconds.toFixed(1)} s`);
  const recorded = result.manifest.deployment ?? JSON.parse(readFileSync(join(protocolsDir, `${protocol}.deploy.json`), 'utf8'));
  const partitioned = withPartitions(recorded, paperPartitions[protocol]);
  const timed = withTimers(partitioned.deployment, benchTimers[protocol]);
  const { deployment, changed: statics } = withStatics(timed.deployment, benchStatics[protocol]);
  const timers = timed.changed;
  const changed = [...partitioned.changed];
  const deployFile = `${dir}.paper.deploy.json`;
  writeDeployment(deployFile, deployment);
  const loaded = loadCluster(dir, new SourceFile(deployFile, readFileSync(deployFile, 'utf8')), {});
  if (!loaded.ok) throw new Error(`loading ${dir} with ${deployFile} failed: ${loaded.problems.map((p) => p.diagnostic.message).join('; ')}`);
  const { cluster, analysis, build } = loaded.loaded;
  const machines = paper[protocol][plan].machines;
  const roles = [...new Set(cluster.nodes.map((nd) => nd.role))].map((role) => {
    const nodes = cluster.nodes.filter((nd) => nd.role === role);
    const parts = Math.max(...nodes.map((nd) => nd.partition)) + 1;
    return parts > 1 ? `${role} ${nodes.length / parts}x${parts}` : `${role} ${nodes.length}`;
  });
  const check: DeploymentCheck = {
    name: planNames[protocol][plan],
    nodes: cluster.nodes.length,
    paperMachines: machines,
    ok: cluster.nodes.length === machines,
    roles: roles.join(', '),
    changed,
    timers,
    statics,
    compiled: result.compiled,
    cached: result.cached,
    seconds: Math.round(result.seconds * 10) / 10,
  };
  progress('build', `${check.name}: ${check.nodes} nodes (${check.roles})${changed.length ? `; partitions ${changed.join(', ')}` : ''}${timers.length ? `; timers ${timers.join(', ')}` : ''}${statics.length ? `; statics ${statics.join(', ')}` : ''}; the paper ran ${machines} machines: ${check.ok ? 'same' : 'DIFFERENT'}`);
  return { protocol, plan, dir, deployFile, deployment, cluster, analysis, manifest: build.manifest, check };
}
