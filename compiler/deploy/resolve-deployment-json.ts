// A deployment given as a JSON value rather than a file (the rewrites extend one): printed,
// read and resolved like a file, so it gets the same checks; diagnostics point into the text.

import type { Analysis } from '../analyze/analysis.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { SourceFile } from '../source.js';
import { readDeployment } from './read-deployment.js';
import { resolveDeployment, type Cluster } from './resolve-deployment.js';

export interface JsonClusterResult {
  /** The printed JSON the diagnostics point into. */
  readonly source: SourceFile;
  readonly cluster?: Cluster;
  readonly diagnostics: readonly Diagnostic[];
}

export function resolveDeploymentJson(json: unknown, analysis: Analysis, name: string): JsonClusterResult {
  const source = new SourceFile(name, `${JSON.stringify(json, null, 2)}\n`);
  const read = readDeployment(source);
  if (!read.deployment) return { source, diagnostics: read.diagnostics };
  const resolved = resolveDeployment(read.deployment, analysis);
  return { source, ...(resolved.cluster ? { cluster: resolved.cluster } : {}), diagnostics: [...read.diagnostics, ...resolved.diagnostics] };
}
