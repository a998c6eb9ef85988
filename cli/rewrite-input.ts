// Loading what `dedc rewrite` and `dedc verify` need: the program, its deployment (from
// --deploy or the sibling `<name>.deploy.json`, as JSON, since the rewrites extend it), and
// the plan; then running the rewrites and printing every problem against its own file.

import { parse as parseJsonc } from 'jsonc-parser';
import { readDeployment } from '../compiler/deploy/read-deployment.js';
import { printDiagnostics } from './report.js';
import { readSource } from './input.js';
import { siblingDeployment } from './load.js';
import { readPlan } from '../rewrites/plan/read-plan.js';
import type { Plan } from '../rewrites/plan/plan.js';
import { rewrite, type RewriteOptions, type RewriteResult } from '../rewrites/rewrite.js';
import type { DeploymentJson } from '../rewrites/steps/context.js';
import type { SourceFile } from '../compiler/source.js';

export interface RewriteInput {
  readonly source: SourceFile;
  readonly deployment: DeploymentJson;
  readonly deploymentPath?: string;
  readonly plan: Plan;
}

export function loadRewriteInput(file: string, planPath: string, deployPath?: string): RewriteInput | undefined {
  const source = readSource(file, 'program');
  const planSource = readSource(planPath, 'plan');
  const read = readPlan(planSource);
  printDiagnostics(read.diagnostics, planSource);
  const path = deployPath ?? siblingDeployment(file);
  let deployment: DeploymentJson = {};
  if (path) {
    const deploySource = readSource(path, 'deployment file');
    const checked = readDeployment(deploySource);
    printDiagnostics(checked.diagnostics, deploySource);
    if (!checked.deployment) return undefined;
    deployment = parseJsonc(deploySource.text, [], { allowTrailingComma: true }) as DeploymentJson;
  }
  if (!read.plan) return undefined;
  return { source, deployment, ...(path ? { deploymentPath: path } : {}), plan: read.plan };
}

export function runRewrite(input: RewriteInput, options: RewriteOptions): RewriteResult {
  const result = rewrite(input.source, input.deployment, input.plan, options);
  const bySource = new Map<SourceFile, typeof result.problems[number]['diagnostic'][]>();
  for (const p of result.problems) bySource.set(p.source, [...(bySource.get(p.source) ?? []), p.diagnostic]);
  for (const [source, diagnostics] of bySource) printDiagnostics(diagnostics, source);
  return result;
}
