// The rewrite pass: a checked program, its deployment (as JSON) and a plan in; the rewritten
// program, its deployment and the routing metadata out. Steps apply in order, each to the
// program the last one left: after every step the program is printed, parsed and analysed
// again, so every intermediate program is a real, checked Dedalus file (`dedc rewrite
// --until N` prints it), and a step that no longer applies is reported against it.

import type { Analysis } from '../compiler/analyze/analysis.js';
import { check } from '../compiler/check.js';
import { diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { resolveDeploymentJson } from '../compiler/deploy/resolve-deployment-json.js';
import type { Cluster } from '../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../compiler/source.js';
import { describeStep, type Plan } from './plan/plan.js';
import { ProgramDraft, type Notes } from './program/draft.js';
import { emptyRouting, type Routing } from './routing.js';
import type { DeploymentJson, Problem, StepContext } from './steps/context.js';
import { applyDecouple } from './steps/decouple.js';
import { applyPartition } from './steps/partition.js';

export interface RewriteOptions {
  /** Skip every precondition check: for showing, by simulation, what the checks prevent. */
  readonly unchecked?: boolean;
  /** Stop after this many steps. */
  readonly until?: number;
}

export interface Stage {
  readonly step: number;
  readonly title: string;
  readonly source: SourceFile;
  readonly analysis: Analysis;
}

export interface RewriteResult {
  /** The program after each step that applied. */
  readonly stages: readonly Stage[];
  /** The final program, when every step applied. */
  readonly result?: { readonly source: SourceFile; readonly analysis: Analysis; readonly deployment: DeploymentJson; readonly cluster: Cluster };
  readonly routing: Routing;
  readonly problems: readonly Problem[];
}

export function rewrite(source: SourceFile, deployment: DeploymentJson, plan: Plan, options: RewriteOptions = {}): RewriteResult {
  const routing = emptyRouting();
  const problems: Problem[] = [];
  const stages: Stage[] = [];
  const first = check(source);
  if (!first.ok || !first.analysis) {
    for (const d of first.diagnostics) problems.push({ source, diagnostic: d });
    return { stages, routing, problems };
  }
  let analysis = first.analysis;
  let notes: Notes = new Map();
  const deploy = structuredClone(deployment);
  const steps = plan.steps.slice(0, options.until ?? plan.steps.length);
  const titles = steps.map((s, i) => describeStep(s, i));

  for (const [i, step] of steps.entries()) {
    const draft = ProgramDraft.fromAnalysis(analysis, notes);
    const ctx: StepContext = {
      index: i + 1,
      title: `step ${i + 1}`,
      analysis,
      draft,
      deployment: deploy,
      routing,
      planSource: plan.source,
      unchecked: options.unchecked ?? false,
      problems,
      rules: new Map(analysis.rules.map((r) => [r.id, r.rule])),
    };
    const ok = step.kind === 'decouple' ? applyDecouple(ctx, step) : applyPartition(ctx, step);
    if (!ok || problems.length) {
      if (!problems.length) problems.push({ source: plan.source, diagnostic: diagnostic('DED319', `${titles[i]} could not be applied`, { span: step.span }) });
      return { stages, routing, problems };
    }
    const header = [
      `Rewritten by dedc from ${source.name} with ${plan.source.name}.`,
      ...(plan.description ? [plan.description] : []),
      ...titles.slice(0, i + 1),
    ];
    const printed = draft.print(header);
    notes = printed.notes;
    const next = new SourceFile(`${source.name} after step ${i + 1}`, printed.text);
    const checked = check(next);
    const errors = checked.diagnostics.filter((d) => d.severity === 'error');
    if (!checked.ok || !checked.analysis) {
      for (const d of errors) problems.push({ source: next, diagnostic: d });
      return { stages, routing, problems };
    }
    analysis = checked.analysis;
    stages.push({ step: i + 1, title: titles[i]!, source: next, analysis });
  }

  // The deployment must still resolve against the rewritten program.
  const resolved = resolveDeploymentJson(deploy, analysis, `${source.name} rewritten deployment`);
  const deployProblems = resolved.diagnostics.filter((d) => d.severity === 'error');
  if (deployProblems.length || !resolved.cluster) {
    for (const d of deployProblems) problems.push({ source: resolved.source, diagnostic: d });
    return { stages, routing, problems };
  }
  return { stages, result: { source: stages.at(-1)?.source ?? source, analysis, deployment: deploy, cluster: resolved.cluster }, routing, problems };
}
