// What a host process needs from a build directory: the checked manifest and modules
// (readBuild, which does not load the compiler), the built program checked again, and the
// cluster of the deployment (the one recorded in the manifest, or another file), with an
// endpoint for every node. Problems are diagnostics with the file they belong to.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../compiler/analyze/analysis.js';
import { check } from '../compiler/check.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { readDeployment } from '../compiler/deploy/read-deployment.js';
import { defaultDeployment, resolveDeployment, type Cluster } from '../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../compiler/source.js';
import { readBuild, type BuildDirectory } from '../assembly/build/read-build.js';
import type { Endpoint } from './node-host.js';

export interface LoadedCluster {
  readonly build: BuildDirectory;
  readonly analysis: Analysis;
  readonly cluster: Cluster;
  /** Where each node listens (clients listen nowhere: they connect to nodes). */
  readonly endpoints: ReadonlyMap<bigint, Endpoint>;
}

export interface LoadProblem {
  readonly source?: SourceFile;
  readonly diagnostic: Diagnostic;
}

/** Where nodes without an entry in the deployment's `network.nodes` listen: host, basePort + address. */
export interface EndpointPlan {
  readonly host: string;
  readonly basePort: number;
}

export const defaultEndpoints: EndpointPlan = { host: '127.0.0.1', basePort: 7000 };

/**
 * Where every node listens: its `network.nodes` entry, else host:basePort+address, where each of
 * host and basePort is the override (command-line flags) if given, else the deployment's
 * `network` setting, else the default.
 */
export function nodeEndpoints(cluster: Cluster, overrides: Partial<EndpointPlan> = {}): Map<bigint, Endpoint> {
  const host = overrides.host ?? cluster.network.host ?? defaultEndpoints.host;
  const basePort = overrides.basePort ?? cluster.network.basePort ?? defaultEndpoints.basePort;
  const endpoints = new Map<bigint, Endpoint>();
  for (const n of cluster.nodes) endpoints.set(n.address, cluster.network.nodes.get(n.address) ?? { host, port: basePort + Number(n.address) });
  return endpoints;
}

export function loadCluster(dir: string, deployFile: SourceFile | undefined, overrides: Partial<EndpointPlan> = {}): { ok: true; loaded: LoadedCluster } | { ok: false; problems: LoadProblem[] } {
  const read = readBuild(dir);
  if (!read.ok) return { ok: false, problems: read.diagnostics.map((d) => ({ diagnostic: d })) };
  let text: string;
  try {
    text = readFileSync(join(dir, 'program.ded'), 'utf8');
  } catch {
    return { ok: false, problems: [{ diagnostic: diagnostic('DED404', `${join(dir, 'program.ded')} is missing: rebuild the directory with \`dedc build\``) }] };
  }
  const program = new SourceFile(join(dir, 'program.ded'), text);
  const checked = check(program);
  if (!checked.ok || !checked.analysis) return { ok: false, problems: checked.diagnostics.map((d) => ({ source: program, diagnostic: d })) };
  const deploySource = deployFile ?? (read.build.manifest.deployment ? new SourceFile(join(dir, 'manifest.json#deployment'), JSON.stringify(read.build.manifest.deployment, null, 2)) : undefined);
  let deployment = defaultDeployment();
  if (deploySource) {
    const d = readDeployment(deploySource);
    if (!d.deployment) return { ok: false, problems: d.diagnostics.map((x) => ({ source: deploySource, diagnostic: x })) };
    deployment = d.deployment;
  }
  const resolved = resolveDeployment(deployment, checked.analysis);
  if (!resolved.cluster) return { ok: false, problems: resolved.diagnostics.map((x) => ({ ...(deploySource ? { source: deploySource } : {}), diagnostic: x })) };
  const cluster = resolved.cluster;
  return { ok: true, loaded: { build: read.build, analysis: checked.analysis, cluster, endpoints: nodeEndpoints(cluster, overrides) } };
}
