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
import { emptyRouting } from '../../rewrites/routing.js';
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

export interface RewriteFileOptions {
  readonly unchecked?: boolean;
  /**
   * A smaller client workload than the deployment's (clients, requests each), so that many seeds
   * stay fast; the window and everything else stay as the deployment says.
   */
  readonly workload?: { readonly clients: number; readonly requests: number };
  /** Static relations whose rows replace the deployment's (a lighter `work` for the bench programs). */
  readonly statics?: Readonly<Record<string, unknown[][]>>;
}

export function rewriteFile(programPath: string, plan: string | object, options: RewriteFileOptions = {}): Rewritten {
  const source = new SourceFile(programPath, readFileSync(programPath, 'utf8'));
  const deployPath = programPath.replace(/\.ded$/, '.deploy.json');
  const deployment = existsSync(deployPath) ? (parseJsonc(readFileSync(deployPath, 'utf8')) as DeploymentJson) : {};
  const clients = deployment['clients'] as { count?: number; requests?: number } | undefined;
  if (options.workload && clients) {
    clients.count = Math.min(clients.count ?? 1, options.workload.clients);
    clients.requests = Math.min(clients.requests ?? 1, options.workload.requests);
  }
  if (options.statics) deployment.statics = { ...(deployment.statics ?? {}), ...options.statics };
  const planSource = typeof plan === 'string' ? new SourceFile(plan, readFileSync(plan, 'utf8')) : new SourceFile('inline.plan.json', JSON.stringify(plan, null, 2));
  const read = readPlan(planSource);
  const analysis = check(source).analysis!;
  if (!read.plan) {
    return { source, analysis, deployment, result: { stages: [], routing: emptyRouting(), problems: [] }, codes: read.diagnostics.map((d) => `${d.code} ${d.message}`) };
  }
  const result = rewrite(source, deployment, read.plan, options.unchecked ? { unchecked: true } : {});
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

/** Verifies over seeds 1..n: the verdicts, and a summary of each seed that diverged (empty when none did). */
export function divergences(r: Rewritten, seeds: number): { verdicts: SeedVerdict[]; bad: object[] } {
  const verdicts = verifyRewrite(r, seeds);
  const bad = verdicts.filter((v) => !v.ok).map((v) => ({ seed: v.seed, missing: v.missing.slice(0, 3), extra: v.extra.slice(0, 3), problems: v.problems }));
  return { verdicts, bad };
}
