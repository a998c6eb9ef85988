// For the build tests: loading a program as `dedc build` does, fresh temporary directories,
// and a fake back end whose generated AssemblyScript is tiny but real (it compiles with asc
// and exports the ABI names), so compilation, the cache, the manifest and reading back run for
// real and fast, apart from the real back end (test/build/real-backend.test.ts covers that).

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, BuildInput } from '../../assembly/build/build-program.js';
import { abiExports } from '../../assembly/build/manifest.js';
import type { ProgramPlan } from '../../compiler/ir/plan.js';
import { SourceFile } from '../../compiler/source.js';

export const repo = new URL('../../', import.meta.url).pathname;

/** The program, plan and deployment (explicit, or the program's sibling) as sources. */
export function buildInput(program: string, options: { plan?: string; deploy?: string } = {}): BuildInput {
  const load = (path: string) => new SourceFile(path, readFileSync(join(repo, path), 'utf8'));
  const sibling = program.replace(/\.ded$/, '.deploy.json');
  const deploy = options.deploy ?? (existsSync(join(repo, sibling)) ? sibling : undefined);
  return {
    program: load(program),
    ...(options.plan ? { plan: load(options.plan) } : {}),
    ...(deploy ? { deployment: load(deploy) } : {}),
  };
}

export function tempDir(prefix = 'dedc-build-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A back end that generates, per role, a module with the ABI exports and `roleId()` returning
 * a number derived from the role's name and `variant[role]` (change it to change one role's
 * source). `generated` records the roles it generated code for, in order.
 */
export function fakeBackend(variant: Record<string, number> = {}): Backend & { generated: string[] } {
  const generated: string[] = [];
  return {
    generated,
    lower: () => ({ plan: {} as ProgramPlan, diagnostics: [] }),
    generate: (_plan, role) => {
      generated.push(role);
      return fakeRoleSource(role, variant[role] ?? 0);
    },
  };
}

export function fakeRoleSource(role: string, variant = 0): string {
  const id = [...role].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, 7) + variant * 1_000_000;
  return [
    `// role ${role} (a fake back end for tests): every ABI export, doing nothing`,
    `export function roleId(): i32 { return ${id}; }`,
    ...abiExports.filter((e) => e !== 'memory').map((e) => `export function ${e}(): i32 { return 0; }`),
    '',
  ].join('\n');
}
