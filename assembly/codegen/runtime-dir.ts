// Where the AssemblyScript runtime library (assembly/runtime) lives, found from this file in
// the sources or in dist/. Its own module so that reading a build directory (which hashes the
// library) does not load the AssemblyScript compiler.

import { readFileSync } from 'node:fs';

export const runtimeDir = findRuntimeDir();

function findRuntimeDir(): URL {
  // From assembly/codegen/ (sources) or dist/assembly/codegen/ (compiled): the runtime sources
  // live in assembly/runtime/ at the package root either way.
  for (const rel of ['../runtime/', '../../../assembly/runtime/']) {
    const url = new URL(rel, import.meta.url);
    try {
      readFileSync(new URL('rows.ts', url));
      return url;
    } catch {
      // try the next place
    }
  }
  return new URL('../../../assembly/runtime/', import.meta.url);
}
