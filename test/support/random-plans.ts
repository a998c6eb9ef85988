// Random rewrite plans for the plan fuzzer (test/fuzz/plan-mutants.test.ts): decouple and
// partition steps built from the names a program actually has (roles, rule labels, relations,
// columns, channels), with now and then a name that clashes or does not exist. Seeded, so a
// failing plan can be reproduced; and the checks every rewrite outcome must pass, collected as
// strings so that one run reports every failing case.

import { readFileSync, existsSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import type { Analysis, RoleInfo } from '../../compiler/analyze/analysis.js';
import { check } from '../../compiler/check.js';
import { codes } from '../../compiler/diagnostics/codes.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import { SourceFile } from '../../compiler/source.js';
import { readsRelation } from '../../rewrites/mechanisms/rename.js';
import { rewrite, type RewriteResult } from '../../rewrites/rewrite.js';
import type { Plan } from '../../rewrites/plan/plan.js';
import type { DeploymentJson, Problem } from '../../rewrites/steps/context.js';
import { Rng } from '../../sim/rng.js';
import { clusterFor } from './rewrite.js';

export const decoupleKinds = ['mutually-independent', 'functional', 'monotonic', 'state-machine', 'asymmetric', 'auto'] as const;
export const partitionPolicies = ['co-hashing', 'dependencies', 'partial', 'auto'] as const;

export type StepJson = Record<string, unknown>;

const freshWords = ['helper', 'worker', 'proxy', 'sidecar', 'shard', 'aux', 'relay', 'agent'];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)]!;
}

/** A random non-empty subset of xs (empty only when xs is), in xs's order. */
function subset<T>(rng: Rng, xs: readonly T[], max = xs.length): T[] {
  if (!xs.length) return [];
  const want = rng.int(1, Math.min(max, xs.length));
  const chosen = new Set<number>();
  while (chosen.size < want) chosen.add(rng.int(0, xs.length - 1));
  return [...chosen].sort((a, b) => a - b).map((i) => xs[i]!);
}

/** Rule labels of a role. */
function labelsOf(a: Analysis, role: RoleInfo): string[] {
  return role.rules.map((id) => a.rules[id]!.label).filter((l): l is string => l !== undefined);
}

/** Relations at the head of some rule of a role (channels included). */
function headsOf(a: Analysis, role: RoleInfo): string[] {
  return [...new Set(role.rules.map((id) => a.rules[id]!.rule.head.name))];
}

/** Names the plan so far introduced (new roles, coordinators), for clashes. */
function namesIn(steps: readonly StepJson[]): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if (typeof s['to'] === 'string') out.push(s['to']);
    if (typeof s['coordinator'] === 'string') out.push(s['coordinator']);
  }
  return out;
}

/** A fresh name, or now and then one that clashes with a role, a relation or an earlier new name. */
function newName(rng: Rng, a: Analysis, steps: readonly StepJson[], index: number): string {
  if (rng.chance(0.12)) {
    const taken = [...a.roles.map((r) => r.name), ...a.relations.keys(), ...namesIn(steps)];
    if (taken.length) return pick(rng, taken);
  }
  if (rng.chance(0.05)) {
    // Identifiers that are keywords, wildcard-like, or another name with a different case.
    const odd = ['_', '_x', 'count', 'role', 'index', 'less_than', 'int', 'addr', 'sum', 'choose', 'me', 'c'];
    const cased = a.roles.map((r) => r.name[0]!.toUpperCase() + r.name.slice(1));
    return pick(rng, [...odd, ...cased]);
  }
  return `${pick(rng, freshWords)}${index}`;
}

/**
 * The role a step names: usually one of the program as the earlier steps left it (which
 * includes roles they created, when they applied), sometimes a name an earlier step introduced
 * even if that step failed, rarely one that does not exist.
 */
function roleName(rng: Rng, a: Analysis, steps: readonly StepJson[]): string {
  const earlier = namesIn(steps);
  if (earlier.length && rng.chance(0.25)) return pick(rng, earlier);
  if (rng.chance(0.03)) return 'nosuchrole';
  return pick(rng, a.roles.map((r) => r.name));
}

/**
 * A closed selection: a random rule of the role and, transitively, every rule of the role that
 * reads what the selection derives or derives the same relation, so that the rules that stay
 * never read what the moved rules derive (what most kinds of decoupling need).
 */
function downstream(rng: Rng, a: Analysis, role: RoleInfo): number[] {
  const inRole = new Set(role.rules);
  const selected = new Set<number>([pick(rng, role.rules)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of [...selected]) {
      const head = a.relations.get(a.rules[id]!.rule.head.name);
      for (const next of [...(head?.readBy ?? []), ...(head?.derivedBy ?? [])]) {
        if (inRole.has(next) && !selected.has(next)) {
          selected.add(next);
          grew = true;
        }
      }
    }
  }
  return [...selected].sort((x, y) => x - y);
}

function decoupleStep(rng: Rng, a: Analysis, steps: readonly StepJson[], index: number): StepJson {
  const name = roleName(rng, a, steps);
  const role = a.roles.find((r) => r.name === name);
  const step: StepJson = { decouple: name };
  if (role && role.rules.length && rng.chance(0.5)) {
    // Name a closed selection by labels where it can, by heads otherwise.
    const rules: string[] = [];
    const relations = new Set<string>();
    for (const id of downstream(rng, a, role)) {
      const { label, rule } = a.rules[id]!;
      if (label && rng.chance(0.7)) rules.push(label);
      else relations.add(rule.head.name);
    }
    if (rules.length) step['rules'] = rules;
    if (relations.size || !rules.length) step['relations'] = [...relations];
  } else {
    const labels = role ? labelsOf(a, role) : [];
    const heads = role ? headsOf(a, role) : [];
    // Sometimes any relation the role mentions (inputs, statics, channels it reads), or a relation
    // of the whole program, which select no rule or an unknown one.
    const mentioned = role ? role.relations : [];
    const which = rng.int(0, 2); // 0 rules, 1 relations, 2 both
    if (which !== 1 && labels.length) step['rules'] = subset(rng, labels);
    if (which !== 0 || !step['rules']) {
      const pool = rng.chance(0.8) || !mentioned.length ? heads : rng.chance(0.7) ? mentioned : [...a.relations.keys()];
      step['relations'] = pool.length ? subset(rng, pool, 4) : [];
    }
  }
  step['to'] = newName(rng, a, steps, index);
  if (rng.chance(0.9)) step['kind'] = pick(rng, decoupleKinds);
  return step;
}

/**
 * What partial partitioning can replicate: a channel the role receives and, transitively, the
 * relations of the role derived (not sent) only from what is replicated already and statics.
 */
function replicable(rng: Rng, a: Analysis, role: RoleInfo): string[] {
  const rep = new Set<string>([pick(rng, role.receives)]);
  const isStatic = (r: string) => a.relations.get(r)?.kind === 'static';
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of role.rules) {
      const { rule } = a.rules[id]!;
      if (rule.op === ':~' || rep.has(rule.head.name)) continue;
      const reads = role.relations.filter((r) => readsRelation(rule, r) && !isStatic(r));
      if (reads.length && reads.every((r) => rep.has(r) || r === rule.head.name)) {
        rep.add(rule.head.name);
        grew = true;
      }
    }
  }
  return [...rep];
}

function partitionStep(rng: Rng, a: Analysis, steps: readonly StepJson[], index: number): StepJson {
  // Mostly a role that clients do not write to (those cannot be partitioned).
  const partitionable = a.roles.filter((r) => !r.inputs.length).map((r) => r.name);
  const name = partitionable.length && rng.chance(0.7) ? pick(rng, partitionable) : roleName(rng, a, steps);
  const role = a.roles.find((r) => r.name === name);
  const step: StepJson = { partition: name, partitions: rng.int(1, 4) };
  const policy = rng.chance(0.9) ? pick(rng, partitionPolicies) : undefined;
  if (policy) step['policy'] = policy;
  const relations = role ? role.relations.filter((r) => a.relations.get(r)?.kind !== 'static') : [];
  if (rng.chance(0.3) && relations.length) {
    const keys: Record<string, (string | number)[]> = {};
    // Now and then a relation of the whole program (a static, another role's).
    const pool = rng.chance(0.1) ? [...a.relations.keys()] : relations;
    for (const rel of subset(rng, pool, 2)) {
      const columns = a.relations.get(rel)!.columns;
      const n = rng.int(rng.chance(0.1) ? 0 : 1, Math.min(2, Math.max(1, columns.length)));
      const cols: (string | number)[] = [];
      for (let k = 0; k < n; k++) {
        const i = rng.chance(0.08) ? columns.length : rng.int(0, columns.length - 1); // one past the end now and then
        const named = columns[i]?.name;
        cols.push(named && rng.chance(0.6) ? named : rng.chance(0.03) ? 'nope' : i);
      }
      keys[rel] = cols;
    }
    step['keys'] = keys;
  }
  // Partial-partitioning settings, mostly with a policy that allows them.
  const partialish = policy === undefined || policy === 'partial' || policy === 'auto' || rng.chance(0.1);
  if (partialish && rng.chance(policy === 'partial' ? 0.85 : 0.35) && relations.length) {
    const closed = role && role.receives.length && rng.chance(0.6) ? replicable(rng, a, role) : [];
    step['replicate'] = closed.length ? closed : subset(rng, relations, 3);
  }
  if (partialish && rng.chance(0.3)) {
    // Mostly channels the role sends whose last column is an int (counts that can be sealed).
    const counts = role ? role.sends.filter((c) => a.relations.get(c)?.columns.at(-1)?.type === 'int') : [];
    const sends = counts.length && rng.chance(0.7) ? counts : role ? role.sends : [];
    const channels = a.channels.map((c) => c.relation);
    const pool = sends.length && rng.chance(0.75) ? sends : channels;
    if (pool.length) step['sealing'] = subset(rng, pool, 2);
  }
  if (partialish && rng.chance(0.3)) step['coordinator'] = newName(rng, a, steps, index);
  return step;
}

/** One random step for the program `a` (the program as the earlier steps left it). */
export function randomStep(rng: Rng, a: Analysis, steps: readonly StepJson[]): StepJson {
  const index = steps.length + 1;
  return rng.chance(0.5) ? decoupleStep(rng, a, steps, index) : partitionStep(rng, a, steps, index);
}

// ---------------------------------------------------------------------------------------------
// Running a plan and checking the outcome.

export interface LoadedProgram {
  readonly path: string;
  readonly source: SourceFile;
  readonly analysis: Analysis;
  readonly deploymentText: string;
}

export function loadProgram(path: string): LoadedProgram {
  const source = new SourceFile(path, readFileSync(path, 'utf8'));
  const checked = check(source);
  if (!checked.ok || !checked.analysis) throw new Error(`${path} does not check`);
  const deployPath = path.replace(/\.ded$/, '.deploy.json');
  return { path, source, analysis: checked.analysis, deploymentText: existsSync(deployPath) ? readFileSync(deployPath, 'utf8') : '{}' };
}

/** A program given as text (for minimised reproductions), with its deployment file's text. */
export function programFromText(name: string, text: string, deploymentText: string): LoadedProgram {
  const source = new SourceFile(name, text);
  const checked = check(source);
  if (!checked.ok || !checked.analysis) throw new Error(`${name} does not check: ${checked.diagnostics.map((d) => d.message).join('; ')}`);
  return { path: name, source, analysis: checked.analysis, deploymentText };
}

/** The rewrite of a program by a plan that has been read, as `dedc rewrite` runs it. */
export function runPlan(program: LoadedProgram, plan: Plan, unchecked: boolean): RewriteResult {
  const deployment = parseJsonc(program.deploymentText) as DeploymentJson;
  return rewrite(program.source, deployment, plan, unchecked ? { unchecked: true } : {});
}

/** Problems with a diagnostic: unknown code, no place or a place outside its file, does not render. */
export function diagnosticFaults(ds: readonly Diagnostic[], source: SourceFile, requireSpan: boolean): string[] {
  const out: string[] = [];
  for (const d of ds) {
    const what = `${d.code} ${d.message}`;
    if (!(d.code in codes)) out.push(`unknown code: ${what}`);
    if (/internal error/i.test(d.message)) out.push(`internal error: ${what}`);
    if (d.span) {
      if (d.span.start < 0 || d.span.end > source.text.length || d.span.start > d.span.end) out.push(`span ${d.span.start}-${d.span.end} outside ${source.name} (${source.text.length} chars): ${what}`);
    } else if (requireSpan && d.severity === 'error') out.push(`no position: ${what}`);
  }
  try {
    renderDiagnostics(ds, source, { color: false });
  } catch (e) {
    out.push(`rendering threw: ${(e as Error).stack}`);
  }
  return out;
}

/**
 * Everything wrong with the outcome of a rewrite: a problem that is not a proper diagnostic, an
 * intermediate program that does not check (unchecked: other than by DED219), a deployment that does not resolve, a failure
 * without any diagnostic; and, for a success, a program that does not check again from its text
 * or a deployment that does not resolve.
 */
export function rewriteFaults(result: RewriteResult, unchecked: boolean): string[] {
  const out: string[] = [];
  for (const p of result.problems) {
    out.push(...diagnosticFaults([p.diagnostic], p.source, true));
    const code = p.diagnostic.code;
    // Checked, the preconditions must keep every program a step leaves valid. Unchecked, a step
    // may leave a program that does not check (docs/rewrites.md: "the check of each rewritten
    // program still applies"), but only through the rules the plan moved: a rule reading a
    // relation now derived on another role (DED219). Any other error is in code the rewrite
    // generated (a declaration naming a column twice, a relation nothing defines).
    if (isIntermediateCheckFailure(p) && (!unchecked || p.diagnostic.code !== 'DED219')) out.push(`the program after a step does not check: ${code} ${p.diagnostic.message}\n${excerpt(p.source, p.diagnostic)}`);
    if (/rewritten deployment$/.test(p.source.name)) out.push(`the rewritten deployment does not resolve: ${code} ${p.diagnostic.message}`);
  }
  const errors = result.problems.filter((p) => p.diagnostic.severity === 'error');
  if (!result.result) {
    if (!errors.length) out.push('the rewrite failed without an error');
    return out;
  }
  if (errors.length) out.push(`the rewrite succeeded with errors: ${errors.map((p) => p.diagnostic.code).join(', ')}`);
  const { source, analysis, deployment } = result.result;
  const again = check(new SourceFile(source.name, source.text));
  const againErrors = again.diagnostics.filter((d) => d.severity === 'error');
  if (!again.ok || againErrors.length) out.push(`the rewritten program does not check: ${againErrors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  try {
    clusterFor(analysis, deployment);
  } catch (e) {
    out.push(`the rewritten deployment does not resolve: ${(e as Error).message}`);
  }
  return out;
}

/** A problem found by re-checking the program a step left (not a problem of the plan or the step). */
export function isIntermediateCheckFailure(p: Problem): boolean {
  return / after step \d+$/.test(p.source.name) && /^DED[12]/.test(p.diagnostic.code);
}

function excerpt(source: SourceFile, d: Diagnostic): string {
  try {
    return renderDiagnostics([d], source, { color: false });
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Mutants of a plan file that stay JSON: steps deleted, duplicated, swapped; settings deleted,
// moved to the other kind of step, or given another name of the program, another kind or
// policy, another count. Token-level mutants (test/support/mutate.ts) are almost never JSON;
// these reach the rewrite.

/** Every name of a program a plan could mention: roles, rule labels, relations, columns. */
export function programNames(a: Analysis): string[] {
  const out = new Set<string>();
  for (const r of a.roles) out.add(r.name);
  for (const r of a.rules) if (r.label) out.add(r.label);
  for (const [name, rel] of a.relations) {
    out.add(name);
    for (const c of rel.columns) if (c.name) out.add(c.name);
  }
  return [...out];
}

const stepKeys = ['decouple', 'rules', 'relations', 'to', 'kind', 'partition', 'partitions', 'policy', 'keys', 'replicate', 'sealing', 'coordinator'];

export function mutatePlanJson(text: string, seed: number, names: readonly string[]): string {
  const rng = new Rng(seed);
  const plan = parseJsonc(text) as { steps?: StepJson[] } & Record<string, unknown>;
  const steps = Array.isArray(plan.steps) ? plan.steps : [];
  const name = () => (rng.chance(0.9) && names.length ? pick(rng, names) : pick(rng, ['x', 'nosuch', 'to', 'self', 'steps']));
  const value = (): unknown => {
    switch (rng.int(0, 6)) {
      case 0:
        return name();
      case 1:
        return subset(rng, names, 3);
      case 2:
        return rng.int(-2, 1002);
      case 3:
        return pick(rng, [...decoupleKinds, ...partitionPolicies, 'magic']);
      case 4:
        return { [name()]: [rng.chance(0.5) ? name() : rng.int(0, 5)] };
      case 5:
        return rng.chance(0.5) ? [] : null;
      default:
        return rng.chance(0.5);
    }
  };
  const rounds = rng.int(1, 3);
  for (let round = 0; round < rounds; round++) {
    const i = rng.int(0, Math.max(0, steps.length - 1));
    const step = steps[i];
    switch (rng.int(0, 8)) {
      case 0:
        steps.splice(i, 1);
        break;
      case 1:
        if (step) steps.splice(rng.int(0, steps.length), 0, structuredClone(step));
        break;
      case 2: {
        const j = rng.int(0, Math.max(0, steps.length - 1));
        if (step && steps[j]) [steps[i], steps[j]] = [steps[j]!, step];
        break;
      }
      case 3: {
        // Delete a setting.
        const keys = step ? Object.keys(step) : [];
        if (step && keys.length) delete step[pick(rng, keys)];
        break;
      }
      case 4: {
        // Another name in a name, or in a list of names.
        const keys = step ? Object.keys(step) : [];
        if (!step || !keys.length) break;
        const key = pick(rng, keys);
        const v = step[key];
        if (Array.isArray(v) && v.length && rng.chance(0.7)) v[rng.int(0, v.length - 1)] = name();
        else if (Array.isArray(v) && rng.chance(0.5)) v.push(name());
        else if (typeof v === 'string') step[key] = name();
        else if (v && typeof v === 'object' && !Array.isArray(v)) {
          const k = Object.keys(v);
          if (k.length) {
            const inner = v as Record<string, unknown>;
            const old = pick(rng, k);
            inner[rng.chance(0.5) ? name() : old] = inner[old];
            if (rng.chance(0.5)) delete inner[old];
          }
        } else step[key] = value();
        break;
      }
      case 5:
        // A setting, known or not, with any value.
        if (step) step[rng.chance(0.9) ? pick(rng, stepKeys) : name()] = value();
        break;
      case 6:
        // Another kind, policy or count.
        if (!step) break;
        if ('decouple' in step) step['kind'] = pick(rng, decoupleKinds);
        else {
          step['policy'] = pick(rng, partitionPolicies);
          if (rng.chance(0.5)) step['partitions'] = rng.int(1, 4);
        }
        break;
      case 7:
        // A step of the other kind on the same role.
        if (!step) break;
        if ('decouple' in step) steps.splice(i + 1, 0, { partition: step['decouple'], partitions: rng.int(1, 4) });
        else steps.splice(i + 1, 0, { decouple: step['partition'], relations: [name()], to: name() });
        break;
      default:
        // Top-level damage.
        if (rng.chance(0.5)) plan[pick(rng, ['description', '$schema', 'stepz', 'steps'])] = value();
        else steps.length = rng.int(0, steps.length);
    }
  }
  return JSON.stringify(plan, null, rng.chance(0.5) ? 2 : undefined);
}
