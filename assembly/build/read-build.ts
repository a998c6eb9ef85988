// Reads a build directory back for the Wasm node and the host: DIR/manifest.json, checked
// (DED404), then each role's .wasm, checked against the manifest (present, valid Wasm, same
// sha256, exports the ABI names it lists: DED405) and compiled to a WebAssembly.Module.
// Every problem is a diagnostic naming the file; nothing here throws for a bad directory.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnostic, type Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { sha256 } from './build-cache.js';
import { parseManifest, type BuildManifest, type RoleEntry } from './manifest.js';

export interface BuildDirectory {
  readonly manifest: BuildManifest;
  /** One compiled module per role, by role name. */
  readonly modules: ReadonlyMap<string, WebAssembly.Module>;
}

export type ReadBuildResult =
  | { readonly ok: true; readonly build: BuildDirectory; readonly diagnostics: readonly [] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

const rebuild = { hint: 'rebuild the directory with `dedc build`' };

export function readBuild(dir: string): ReadBuildResult {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(e as Error).message})`;
    return { ok: false, diagnostics: [diagnostic('DED404', `build manifest ${path} ${why}`, { hint: `${dir} is not a build directory, or its build did not finish: rebuild it with \`dedc build\`` })] };
  }
  const parsed = parseManifest(text, path);
  if (!parsed.manifest) return { ok: false, diagnostics: parsed.diagnostics };
  const { manifest } = parsed;
  const modules = new Map<string, WebAssembly.Module>();
  const diagnostics: Diagnostic[] = [];
  for (const role of manifest.roles) {
    const loaded = loadRole(dir, role, manifest.abi.exports);
    if ('module' in loaded) modules.set(role.name, loaded.module);
    else diagnostics.push(loaded.diagnostic);
  }
  if (diagnostics.length) return { ok: false, diagnostics };
  return { ok: true, build: { manifest, modules }, diagnostics: [] };
}

function loadRole(dir: string, role: RoleEntry, exports: readonly string[]): { module: WebAssembly.Module } | { diagnostic: Diagnostic } {
  const path = join(dir, role.wasm);
  const refuse = (why: string) => ({ diagnostic: diagnostic('DED405', `module of role ${role.name}, ${path}, ${why}`, rebuild) });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    return refuse((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(e as Error).message})`);
  }
  if (bytes.length !== role.bytes) return refuse(`has ${bytes.length} bytes where the manifest says ${role.bytes}: it was truncated or replaced`);
  if (sha256(bytes) !== role.sha256) return refuse('does not match the sha256 in the manifest: it was corrupted or replaced');
  if (!WebAssembly.validate(bytes)) return refuse('is not a valid WebAssembly module');
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (e) {
    return refuse(`cannot be compiled (${(e as Error).message})`);
  }
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = exports.filter((e) => !names.has(e));
  if (missing.length) return refuse(`does not export ${missing.map((m) => `\`${m}\``).join(', ')}, which the ABI needs`);
  return { module };
}
