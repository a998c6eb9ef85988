// Rewriting and verifying protocols in tests, in process: a program file with its sibling
// deployment, a plan (a file or an inline object), and the simulator on both sides.

import { readFileSync, existsSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import { check } from '../../compiler/check.js';
import { resolveDeploymentJson } from '../../compiler/deploy/resolve-deployment-json.js';
import type { Cluster } from '../../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../../compiler/source.js';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import { readPlan } from '../../rewrites/plan/read-plan.js';
import { rewrite, type RewriteResult } from '../../rewrites/rewrite.js';
import type { DeploymentJson } from '../../rewrites/steps/context.js';
import { verify, type SeedVerdict } from '../../rewrites/verify.js';

export function clusterFor(analysis: Analysis, deployment: DeploymentJson): Cluster {
  const resolved = resolveDeploymentJson(deployment, analysis, 'deploy.json');
  if (!resolved.cluster) throw new Error(`deployment does not resolve: ${resolved.diagnostics.map((d) => d.message).join('; ')}`);
  return resolved.cluster;
}

export interface Rewritten {
  readonly source: SourceFile;
  readonly analysis: Analysis;
  readonly deployment: DeploymentJson;
  readonly result: RewriteResult;
  /** `CODE message` of every problem, for assertions. */
  readonly codes: readonly string[];
}

export function rewriteFile(programPath: string, plan: string | object, options: { unchecked?: boolean } = {}): Rewritten {
  const source = new SourceFile(programPath, readFileSync(programPath, 'utf8'));
  const deployPath = programPath.replace(/\.ded$/, '.deploy.json');
  const deployment = existsSync(deployPath) ? (parseJsonc(readFileSync(deployPath, 'utf8')) as DeploymentJson) : {};
  const planSource = typeof plan === 'string' ? new SourceFile(plan, readFileSync(plan, 'utf8')) : new SourceFile('inline.plan.json', JSON.stringify(plan, null, 2));
  const read = readPlan(planSource);
  const analysis = check(source).analysis!;
  if (!read.plan) {
    return { source, analysis, deployment, result: { stages: [], routing: { roles: [], forwarding: [], partitioning: [] }, problems: [] }, codes: read.diagnostics.map((d) => `${d.code} ${d.message}`) };
  }
  const result = rewrite(source, deployment, read.plan, options);
  return { source, analysis, deployment, result, codes: result.problems.map((p) => `${p.diagnostic.code} ${p.diagnostic.message}`) };
}

/** Verifies a successful rewrite over seeds 1..n. */
export function verifyRewrite(r: Rewritten, seeds: number, stopAtFirst = true): SeedVerdict[] {
  const out = r.result.result;
  if (!out) throw new Error(`the rewrite failed: ${r.codes.join('; ')}`);
  return verify(
    { analysis: r.analysis, cluster: clusterFor(r.analysis, r.deployment) },
    { analysis: out.analysis, cluster: out.cluster },
    { seeds: Array.from({ length: seeds }, (_, i) => i + 1), stopAtFirst },
  );
}
