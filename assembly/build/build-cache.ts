// The content-hash cache of compiled roles: the key is the sha256 of everything a module's
// bytes depend on (generated source, asc version, optimisation level, runtime library sources,
// dedc version); the value is the .wasm. Entries live in the build directory (DIR/.cache/) and,
// if DEDC_CACHE_DIR is set, in that shared directory too. An entry that is not valid Wasm is a
// miss, not an error; a cache that cannot be written is skipped.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeDir } from '../codegen/runtime-dir.js';

export interface CacheKeyParts {
  readonly source: string;
  readonly asc: string;
  readonly optimizeLevel: number;
  readonly runtimeHash: string;
  readonly dedc: string;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function cacheKey(parts: CacheKeyParts): string {
  const h = createHash('sha256');
  for (const part of [parts.dedc, parts.asc, String(parts.optimizeLevel), parts.runtimeHash, parts.source]) {
    h.update(`${Buffer.byteLength(part)}:`).update(part);
  }
  return h.digest('hex');
}

/** sha256 over the runtime library (every file under assembly/runtime, by relative path). */
export function runtimeLibraryHash(dir: string = fileURLToPath(runtimeDir)): string {
  const h = createHash('sha256');
  for (const rel of listFiles(dir, '')) h.update(`${rel}\0`).update(readFileSync(join(dir, rel))).update('\0');
  return h.digest('hex');
}

function listFiles(root: string, rel: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, rel)).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const path = rel ? `${rel}/${n}` : n;
    return statSync(join(root, path)).isDirectory() ? listFiles(root, path) : [path];
  });
}

export class BuildCache {
  private readonly used = new Set<string>();

  /** `local`: the build directory's own cache; `shared`: an optional cache kept across directories. */
  constructor(
    readonly local: string,
    readonly shared?: string,
  ) {}

  /** The cached module for `key`, if some cache holds a valid one. */
  get(key: string): Uint8Array | undefined {
    this.used.add(key);
    for (const dir of this.dirs()) {
      try {
        const bytes = new Uint8Array(readFileSync(join(dir, `${key}.wasm`)));
        if (!WebAssembly.validate(bytes)) continue;
        if (dir !== this.local) this.write(this.local, key, bytes);
        return bytes;
      } catch {
        // a miss
      }
    }
    return undefined;
  }

  /** Stores a module in every cache; a cache that cannot be written is skipped. */
  put(key: string, wasm: Uint8Array): void {
    this.used.add(key);
    for (const dir of this.dirs()) this.write(dir, key, wasm);
  }

  /** Removes the local entries this build did not ask for (the shared cache is left alone). */
  prune(): void {
    let names: string[];
    try {
      names = readdirSync(this.local);
    } catch {
      return;
    }
    for (const n of names) {
      const m = /^([0-9a-f]{64})\.wasm$/.exec(n);
      if (m && !this.used.has(m[1]!)) removeQuietly(join(this.local, n));
    }
  }

  private write(dir: string, key: string, wasm: Uint8Array): void {
    const path = join(dir, `${key}.wasm`);
    const temp = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(temp, wasm);
      renameSync(temp, path);
    } catch {
      removeQuietly(temp);
    }
  }

  private dirs(): string[] {
    return this.shared ? [this.local, this.shared] : [this.local];
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing to remove, or it cannot be: either way the cache stays usable
  }
}
