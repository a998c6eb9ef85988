// The front half of `dedc build`: the program, an optional rewrite plan and an optional
// deployment file in (as loaded sources); the checked program to compile out, rewritten if a
// plan was given, with its routing metadata and its deployment as JSON. Every problem comes
// back with the file it points into; nothing is printed here.

import { parse as parseJsonc } from 'jsonc-parser';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import { check } from '../../compiler/check.js';
import { hasErrors, type Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { readDeployment } from '../../compiler/deploy/read-deployment.js';
import { resolveDeployment } from '../../compiler/deploy/resolve-deployment.js';
import type { SourceFile } from '../../compiler/source.js';
import { readPlan } from '../../rewrites/plan/read-plan.js';
import { rewrite } from '../../rewrites/rewrite.js';
import { emptyRouting, type Routing } from '../../rewrites/routing.js';
import type { DeploymentJson } from '../../rewrites/steps/context.js';

export interface BuildInput {
  readonly program: SourceFile;
  readonly plan?: SourceFile;
  /** The deployment file: --deploy, or the program's sibling `<name>.deploy.json`. */
  readonly deployment?: SourceFile;
}

export interface BuildProblem {
  /** The file the diagnostic points into; absent for problems with the build directory. */
  readonly source?: SourceFile;
  readonly diagnostic: Diagnostic;
}

export interface FinalProgram {
  readonly source: SourceFile;
  readonly analysis: Analysis;
  readonly routing: Routing;
  /** The deployment as JSON (extended by the rewrites), or null when there was none. */
  readonly deployment: DeploymentJson | null;
}

export function finalProgram(input: BuildInput): { program?: FinalProgram; problems: BuildProblem[] } {
  const problems: BuildProblem[] = [];
  const report = (source: SourceFile, diagnostics: readonly Diagnostic[]) => problems.push(...diagnostics.map((diagnostic) => ({ source, diagnostic })));
  const failed = () => problems.some((p) => p.diagnostic.severity === 'error');

  const read = input.deployment ? readDeployment(input.deployment) : undefined;
  if (input.deployment && read) report(input.deployment, read.diagnostics);
  const deploymentJson = input.deployment && read?.deployment ? (parseJsonc(input.deployment.text, [], { allowTrailingComma: true }) as DeploymentJson) : null;

  if (!input.plan) {
    const checked = check(input.program);
    report(input.program, checked.diagnostics);
    if (!checked.ok || !checked.analysis || failed()) return { problems };
    if (input.deployment && read?.deployment) {
      const resolved = resolveDeployment(read.deployment, checked.analysis);
      report(input.deployment, resolved.diagnostics);
      if (hasErrors(resolved.diagnostics)) return { problems };
    }
    return { program: { source: input.program, analysis: checked.analysis, routing: emptyRouting(), deployment: deploymentJson }, problems };
  }

  const plan = readPlan(input.plan);
  report(input.plan, plan.diagnostics);
  if (!plan.plan || failed()) return { problems };
  const result = rewrite(input.program, deploymentJson ?? {}, plan.plan);
  for (const p of result.problems) problems.push({ source: p.source, diagnostic: p.diagnostic });
  if (!result.result || failed()) return { problems };
  const { source, analysis, deployment } = result.result;
  return { program: { source, analysis, routing: result.routing, deployment }, problems };
}
