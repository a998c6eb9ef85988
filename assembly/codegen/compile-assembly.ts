// AssemblyScript source to a Wasm binary, in-process with the asc API. The entry source is
// held in memory; `import ... from "runtime/x"` resolves to assembly/runtime/x.ts in this
// package. A compile error is a DED402 diagnostic carrying asc's first message, never an asc
// stack trace: generated code that does not compile is a bug in dedc, not in the user's program.

import { readFileSync } from 'node:fs';
import asc from 'assemblyscript/asc';
import { diagnostic, type Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { runtimeDir } from './runtime-dir.js';


export interface AssemblyOptions {
  /** asc optimisation level: 3 for builds, 0 for quick experiments. */
  readonly optimizeLevel?: 0 | 1 | 2 | 3;
  /** Names the module in diagnostics (a role, a test). */
  readonly name?: string;
}

export type AssemblyResult = { readonly ok: true; readonly wasm: Uint8Array } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The asc version, recorded in manifests and part of the build cache key. */
export const ascVersion: string = (asc as unknown as { version: string }).version;

export async function compileAssembly(source: string, options: AssemblyOptions = {}): Promise<AssemblyResult> {
  const level = options.optimizeLevel ?? 3;
  let wasm: Uint8Array | undefined;
  let errors = '';
  const args = ['entry.ts', '--outFile', 'entry.wasm', '--runtime', 'minimal', '--noAssert', '-O' + level];
  const io = {
    readFile: (name: string) => {
      if (name === 'entry.ts') return source;
      if (!name.startsWith('runtime/')) return null;
      try {
        return readFileSync(new URL(name.slice('runtime/'.length), runtimeDir), 'utf8');
      } catch {
        return null;
      }
    },
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') wasm = contents;
    },
    listFiles: () => [],
    stdout: { write: () => true },
    stderr: {
      write: (s: string | Uint8Array) => {
        errors += typeof s === 'string' ? s : new TextDecoder().decode(s);
        return true;
      },
    },
  };
  let result: { error?: unknown };
  try {
    result = await asc.main(args, io as never);
  } catch (e) {
    // asc crashed (rather than reporting): still a diagnostic, never a stack trace
    result = { error: e instanceof Error ? e.message : e };
  }
  if (result.error || !wasm) {
    const first = firstError(errors) ?? String(result.error ?? 'no output');
    return {
      ok: false,
      diagnostics: [
        diagnostic('DED402', `the generated AssemblyScript${options.name ? ` for ${options.name}` : ''} did not compile: ${first}`, {
          hint: 'this is a bug in dedc, not in your program; please report it (`dedc show assembly` prints the generated code)',
        }),
      ],
    };
  }
  return { ok: true, wasm };
}

function firstError(text: string): string | undefined {
  const clean = text.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = clean.split('\n').map((l) => l.trim());
  const i = lines.findIndex((l) => /^ERROR/.test(l));
  if (i < 0) return lines.find((l) => l.length > 0);
  return lines.slice(i, i + 4).filter(Boolean).join(' | ');
}
