// What a step works with: the program as the earlier steps left it (analysed), a draft to edit,
// the deployment as a JSON value to extend, the routing metadata, and where problems go.
// Problems in the plan point into the plan file; broken preconditions into the program.

import type { Analysis, RoleInfo } from '../../compiler/analyze/analysis.js';
import { closestName } from '../../compiler/analyze/suggest.js';
import { diagnostic, type Diagnostic, type DiagnosticInit } from '../../compiler/diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../../compiler/diagnostics/codes.js';
import type { Rule } from '../../compiler/parse/ast.js';
import type { SourceFile, Span } from '../../compiler/source.js';
import type { ProgramDraft } from '../program/draft.js';
import type { Routing } from '../routing.js';

export interface Problem {
  readonly source: SourceFile;
  readonly diagnostic: Diagnostic;
}

/** The deployment file's JSON, as the rewrites extend it. */
export interface DeploymentJson {
  roles?: Record<string, number | { instances?: number; partitions?: number }>;
  statics?: Record<string, unknown[][]>;
  [key: string]: unknown;
}

export interface StepContext {
  /** 1-based, for notes and routing. */
  readonly index: number;
  /** Text for notes: "step 2 (decouple broadcast from leader to broadcaster, functional)". */
  readonly title: string;
  readonly analysis: Analysis;
  readonly draft: ProgramDraft;
  readonly deployment: DeploymentJson;
  readonly routing: Routing;
  readonly planSource: SourceFile;
  /** Skip precondition checks (for showing what they protect against). */
  readonly unchecked: boolean;
  readonly problems: Problem[];
  /** The current version of each rule of `analysis` (by id), as mechanisms edit them. */
  readonly rules: Map<number, Rule>;
}

/** Edits rule `id` in the draft, keeping track of its latest version. */
export function editRule(ctx: StepContext, id: number, f: (rule: Rule) => Rule, note: string): void {
  const old = ctx.rules.get(id)!;
  const next = f(old);
  ctx.draft.replace(old, next, note);
  ctx.rules.set(id, next);
}

export function planError(ctx: StepContext, code: DiagnosticCode, message: string, init: DiagnosticInit): void {
  ctx.problems.push({ source: ctx.planSource, diagnostic: diagnostic(code, message, init) });
}

export function programError(ctx: StepContext, code: DiagnosticCode, message: string, init: DiagnosticInit): void {
  ctx.problems.push({ source: ctx.analysis.source, diagnostic: diagnostic(code, message, init) });
}

export function instancesOf(d: DeploymentJson, role: string): number {
  const r = d.roles?.[role];
  return r === undefined ? 1 : typeof r === 'number' ? r : (r.instances ?? 1);
}

export function setRole(d: DeploymentJson, role: string, instances: number, partitions = 1): void {
  d.roles = { ...(d.roles ?? {}), [role]: partitions > 1 ? { instances, partitions } : instances };
}

export function addStatic(d: DeploymentJson, relation: string, rows: unknown[][]): void {
  d.statics = { ...(d.statics ?? {}), [relation]: rows };
}

/** The role a step names, or DED303 with the nearest name as a hint. */
export function findRole(ctx: StepContext, named: { readonly name: string; readonly span: Span }): RoleInfo | undefined {
  const role = ctx.analysis.roles.find((r) => r.name === named.name);
  if (!role) {
    const names = ctx.analysis.roles.map((r) => r.name);
    const near = closestName(named.name, names);
    planError(ctx, 'DED303', `the program has no role \`${named.name}\``, { span: named.span, label: 'unknown role', hint: near ? `did you mean \`${near}\`?` : `its roles are ${names.join(', ')}` });
  }
  return role;
}
