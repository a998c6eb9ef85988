// `dedc build` as one call: program (+ plan, + deployment) -> check -> rewrite -> lower ->
// generate and compile each role (through the content-hash cache) -> DIR/<role>.wasm,
// DIR/src/<role>.ts, DIR/program.ded and DIR/manifest.json, written only when every role
// compiled. Relies on final-program.ts (front half), build-cache.ts and build-dir.ts.

import { join } from 'node:path';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import { diagnostic, hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { lowerProgram, type Lowered } from '../../compiler/ir/lower.js';
import type { ProgramPlan } from '../../compiler/ir/plan.js';
import { ascVersion, compileAssembly } from '../codegen/compile-assembly.js';
import { generateRole, type GenerateOptions } from '../codegen/generate-role.js';
import { BuildCache, cacheKey, runtimeLibraryHash, sha256 } from './build-cache.js';
import { openBuildDir, writeBuildDir, type BuildFile } from './build-dir.js';
import { finalProgram, type BuildInput, type BuildProblem } from './final-program.js';
import { dedcVersion, makeManifest, manifestJson, safeRoleName, type BuildManifest, type CompiledRole, type OptimizeLevel } from './manifest.js';

export type { BuildInput, BuildProblem } from './final-program.js';

/** Lowering and code generation; tests swap in a fake until the real back end is complete. */
export interface Backend {
  lower(analysis: Analysis): Lowered;
  generate(plan: ProgramPlan, role: string, options: GenerateOptions): string;
}

export const wasmBackend: Backend = { lower: lowerProgram, generate: generateRole };

export interface RoleProgress {
  /** 1-based. */
  readonly index: number;
  readonly total: number;
  readonly role: string;
  readonly status: 'compiled' | 'cached' | 'failed';
  /** Generation, cache lookup and compilation of this role. */
  readonly seconds: number;
}

export interface BuildOptions {
  readonly outDir: string;
  readonly optimizeLevel?: OptimizeLevel;
  readonly profile?: boolean;
  readonly onProgress?: (progress: RoleProgress) => void;
  readonly backend?: Backend;
  /** A cache shared across build directories (default: the DEDC_CACHE_DIR environment variable). */
  readonly sharedCache?: string;
}

export interface BuildResult {
  readonly ok: boolean;
  /** Errors, and warnings of the program; print them even when the build succeeded. */
  readonly problems: readonly BuildProblem[];
  readonly manifest?: BuildManifest;
  readonly compiled: number;
  readonly cached: number;
  readonly seconds: number;
}

export async function buildProgram(input: BuildInput, options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const backend = options.backend ?? wasmBackend;
  const level = options.optimizeLevel ?? 3;
  const profile = options.profile ?? false;
  const counts = { compiled: 0, cached: 0 };
  const finish = (ok: boolean, problems: readonly BuildProblem[], manifest?: BuildManifest): BuildResult => ({
    ok,
    problems,
    ...(manifest ? { manifest } : {}),
    ...counts,
    seconds: (performance.now() - started) / 1000,
  });

  const front = finalProgram(input);
  if (!front.program) return finish(false, front.problems);
  const { source, analysis } = front.program;
  const problems: BuildProblem[] = [...front.problems];

  const lowered = backend.lower(analysis);
  problems.push(...lowered.diagnostics.map((d) => ({ source, diagnostic: d })));
  if (hasErrors(lowered.diagnostics)) return finish(false, problems);

  const roles = analysis.roles.map((r) => r.name);
  const unsafe = roles.find((r) => !safeRoleName.test(r));
  if (unsafe !== undefined) {
    return finish(false, [...problems, { diagnostic: diagnostic('DED403', `role name ${JSON.stringify(unsafe)} cannot be used as a file name`, { hint: 'role names must be identifiers' }) }]);
  }
  const opened = openBuildDir(options.outDir);
  if ('diagnostic' in opened) return finish(false, [...problems, { diagnostic: opened.diagnostic }]);

  const cache = new BuildCache(join(options.outDir, '.cache'), options.sharedCache ?? (process.env['DEDC_CACHE_DIR'] || undefined));
  const keyParts = { asc: ascVersion, optimizeLevel: level, runtimeHash: runtimeLibraryHash(), dedc: dedcVersion };
  const files: BuildFile[] = [];
  const compiled: CompiledRole[] = [];
  for (const [i, role] of roles.entries()) {
    const roleStarted = performance.now();
    const code = backend.generate(lowered.plan, role, { profile });
    const key = cacheKey({ ...keyParts, source: code });
    let wasm = cache.get(key);
    let status: RoleProgress['status'] = 'cached';
    if (!wasm) {
      const result = await compileAssembly(code, { optimizeLevel: level, name: `role ${role}` });
      if (result.ok) {
        wasm = result.wasm;
        cache.put(key, wasm);
        status = 'compiled';
      } else {
        problems.push(...result.diagnostics.map((d) => ({ source, diagnostic: d })));
        status = 'failed';
      }
    }
    if (status !== 'failed') counts[status]++;
    options.onProgress?.({ index: i + 1, total: roles.length, role, status, seconds: (performance.now() - roleStarted) / 1000 });
    if (!wasm) continue;
    files.push({ path: `src/${role}.ts`, data: code }, { path: `${role}.wasm`, data: wasm });
    compiled.push({ name: role, sha256: sha256(wasm), bytes: wasm.length });
  }
  if (compiled.length < roles.length) return finish(false, problems);

  files.push({ path: 'program.ded', data: source.text });
  const manifest = makeManifest({
    analysis,
    roles: compiled,
    program: { file: input.program.name, sha256: sha256(input.program.text), plan: input.plan?.name ?? null },
    asc: ascVersion,
    optimizeLevel: level,
    profile,
    routing: front.program.routing,
    deployment: front.program.deployment,
  });
  const stale = opened.previousRoles.filter((r) => !roles.includes(r));
  const failure = writeBuildDir(options.outDir, files, manifestJson(manifest), stale);
  if (failure) return finish(false, [...problems, { diagnostic: failure }]);
  cache.prune();
  return finish(true, problems, manifest);
}
