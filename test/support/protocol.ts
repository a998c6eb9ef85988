// Loads a protocol of protocols/ with its default deployment, for tests; the workload can be
// resized and the program text replaced (to test checkers against deliberately broken variants).

import { readFileSync } from 'node:fs';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import type { Deployment } from '../../compiler/deploy/deployment.js';
import { readDeployment } from '../../compiler/deploy/read-deployment.js';
import { resolveDeployment, type Cluster } from '../../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../../compiler/source.js';
import { checked } from './program.js';

export const protocolsDir = new URL('../../protocols/', import.meta.url).pathname;

export interface LoadOptions {
  clients?: number;
  requests?: number;
  window?: number;
  /** Edits applied to the program text before checking it. */
  edit?: (text: string) => string;
  /** Changes to the deployment. */
  deployment?: (d: Deployment) => Deployment;
}

export function loadProtocol(name: string, options: LoadOptions = {}): { analysis: Analysis; cluster: Cluster } {
  const text = readFileSync(`${protocolsDir}${name}.ded`, 'utf8');
  const edited = options.edit ? options.edit(text) : text;
  if (options.edit && edited === text) throw new Error('the edit changed nothing');
  const analysis = checked(edited, `${name}.ded`);
  const deploySource = new SourceFile(`${name}.deploy.json`, readFileSync(`${protocolsDir}${name}.deploy.json`, 'utf8'));
  const read = readDeployment(deploySource);
  if (!read.deployment) throw new Error(renderDiagnostics(read.diagnostics, deploySource));
  let deployment = read.deployment;
  if (deployment.clients && (options.clients !== undefined || options.requests !== undefined || options.window !== undefined)) {
    deployment = {
      ...deployment,
      clients: {
        ...deployment.clients,
        count: options.clients ?? deployment.clients.count,
        requests: options.requests ?? deployment.clients.requests,
        window: options.window ?? deployment.clients.window,
      },
    };
  }
  if (options.deployment) deployment = options.deployment(deployment);
  const resolved = resolveDeployment(deployment, analysis);
  if (!resolved.cluster) throw new Error(renderDiagnostics(resolved.diagnostics, deploySource));
  return { analysis, cluster: resolved.cluster };
}
