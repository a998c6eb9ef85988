// A checked program to one compiled Wasm module per role, in memory: lower, generate, compile.
// Tests and `dedc sim --engine wasm` use it; `dedc build` does the same with a build directory
// and a cache. The engine factory it gives plugs the modules into the simulator.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { lowerProgram } from '../../compiler/ir/lower.js';
import type { ProgramPlan } from '../../compiler/ir/plan.js';
import type { RelationEntry } from '../../compiler/ir/relation-table.js';
import { BuildCache, cacheKey, runtimeLibraryHash } from '../../assembly/build/build-cache.js';
import { dedcVersion } from '../../assembly/build/manifest.js';
import { ascVersion, compileAssembly } from '../../assembly/codegen/compile-assembly.js';
import { generateRole } from '../../assembly/codegen/generate-role.js';
import type { EngineFactory } from '../../sim/simulator.js';
import { WasmNode, type WasmNodeOptions } from './wasm-node.js';

export interface CompiledProgram {
  readonly plan: ProgramPlan;
  readonly modules: ReadonlyMap<string, WebAssembly.Module>;
  readonly sources: ReadonlyMap<string, string>;
}

export interface CompileProgramOptions {
  readonly profile?: boolean;
  readonly optimizeLevel?: 0 | 1 | 2 | 3;
  /** A content-hash cache of compiled modules (default: $DEDC_CACHE_DIR, if set). */
  readonly cacheDir?: string;
}

let runtimeHash: string | undefined;

export async function compileProgram(
  analysis: Analysis,
  options: CompileProgramOptions = {},
): Promise<{ ok: true; program: CompiledProgram } | { ok: false; diagnostics: readonly Diagnostic[] }> {
  const lowered = lowerProgram(analysis);
  if (lowered.diagnostics.length) return { ok: false, diagnostics: lowered.diagnostics };
  const modules = new Map<string, WebAssembly.Module>();
  const sources = new Map<string, string>();
  for (const role of lowered.plan.roles) {
    const source = generateRole(lowered.plan, role.role, { profile: options.profile ?? false });
    sources.set(role.role, source);
    const level = options.optimizeLevel ?? 3;
    const dir = options.cacheDir ?? process.env['DEDC_CACHE_DIR'];
    const cache = dir ? new BuildCache(dir) : undefined;
    runtimeHash ??= runtimeLibraryHash();
    const key = cacheKey({ source, asc: ascVersion, optimizeLevel: level, runtimeHash, dedc: dedcVersion });
    let wasm = cache?.get(key);
    if (!wasm) {
      const compiled = await compileAssembly(source, { name: `role ${role.role}`, optimizeLevel: level });
      if (!compiled.ok) return { ok: false, diagnostics: compiled.diagnostics };
      wasm = compiled.wasm;
      cache?.put(key, wasm);
    }
    modules.set(role.role, new WebAssembly.Module(wasm));
  }
  return { ok: true, program: { plan: lowered.plan, modules, sources } };
}

/** Nodes of a compiled program for the simulator: each role's module, a fresh instance per node. */
export function wasmEngine(program: CompiledProgram, options: WasmNodeOptions = {}): EngineFactory {
  return (_analysis, spec) => new WasmNode(program.modules.get(spec.role)!, program.plan.relations, spec, options);
}

/** Nodes of a build directory read back with `readBuild`: what a host runs. */
export function buildEngine(build: { readonly manifest: { readonly relations: readonly RelationEntry[] }; readonly modules: ReadonlyMap<string, WebAssembly.Module> }, options: WasmNodeOptions = {}): EngineFactory {
  return (_analysis, spec) => {
    const module = build.modules.get(spec.role);
    if (!module) throw new Error(`internal: the build has no module for role ${spec.role}`);
    return new WasmNode(module, build.manifest.relations, spec, options);
  };
}
