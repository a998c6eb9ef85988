// Loading what the running commands need: a checked program (diagnostics printed, undefined
// when it has errors) and its cluster, from --deploy, from the program's sibling
// `<name>.deploy.json`, or else one instance per role.

import { existsSync } from 'node:fs';
import type { Analysis } from '../compiler/analyze/analysis.js';
import { check } from '../compiler/check.js';
import { hasErrors } from '../compiler/diagnostics/diagnostic.js';
import { readDeployment } from '../compiler/deploy/read-deployment.js';
import { defaultDeployment, resolveDeployment, type Cluster } from '../compiler/deploy/resolve-deployment.js';
import type { Deployment } from '../compiler/deploy/deployment.js';
import { readSource } from './input.js';
import { printDiagnostics } from './report.js';

export function loadProgram(path: string): Analysis | undefined {
  const source = readSource(path, 'program');
  const result = check(source);
  printDiagnostics(result.diagnostics, source);
  return result.ok ? result.analysis : undefined;
}

/** The deployment file a program uses when none is named: `x.ded` -> `x.deploy.json`. */
export function siblingDeployment(programPath: string): string | undefined {
  if (programPath === '-') return undefined;
  const candidate = programPath.replace(/\.ded$/, '') + '.deploy.json';
  return existsSync(candidate) ? candidate : undefined;
}

export function loadCluster(analysis: Analysis, programPath: string, deployPath?: string): { cluster: Cluster; deployment: Deployment; path?: string } | undefined {
  const path = deployPath ?? siblingDeployment(programPath);
  let deployment: Deployment;
  if (path) {
    const source = readSource(path, 'deployment file');
    const read = readDeployment(source);
    printDiagnostics(read.diagnostics, source);
    if (!read.deployment) return undefined;
    deployment = read.deployment;
  } else deployment = defaultDeployment();
  const resolved = resolveDeployment(deployment, analysis);
  printDiagnostics(resolved.diagnostics, deployment.source);
  if (!resolved.cluster || hasErrors(resolved.diagnostics)) return undefined;
  return { cluster: resolved.cluster, deployment, ...(path ? { path } : {}) };
}
