// Writing a build directory without leaving it half-done: `openBuildDir` creates DIR (DED403 if
// it cannot) and reads the roles of the build already there; `writeBuildDir` removes the old
// manifest, writes every file under a temporary name and renames it, deletes the files of roles
// that are gone (only files the previous manifest named), and writes the manifest last.

import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { diagnostic, type Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { parseManifest } from './manifest.js';

export interface OpenedBuildDir {
  /** The roles of the previous build in DIR, from its manifest (none if it had no valid one). */
  readonly previousRoles: readonly string[];
}

export interface BuildFile {
  /** Relative to the build directory. */
  readonly path: string;
  readonly data: string | Uint8Array;
}

const cannot = (message: string) => diagnostic('DED403', message, { hint: 'choose another directory with -o, or fix what is in the way' });

export function openBuildDir(dir: string): OpenedBuildDir | { diagnostic: Diagnostic } {
  try {
    if (statSync(dir, { throwIfNoEntry: false })?.isFile()) return { diagnostic: cannot(`cannot build into ${dir}: it is a file, not a directory`) };
    mkdirSync(join(dir, 'src'), { recursive: true });
  } catch (e) {
    return { diagnostic: cannot(`cannot create the build directory ${dir}: ${reason(e)}`) };
  }
  let text: string;
  try {
    text = readFileSync(join(dir, 'manifest.json'), 'utf8');
  } catch {
    return { previousRoles: [] };
  }
  const previous = parseManifest(text, join(dir, 'manifest.json')).manifest;
  return { previousRoles: previous ? previous.roles.map((r) => r.name) : [] };
}

/** Writes `files`, removes `staleRoles`' files, then writes the manifest; a DED403 if any step fails. */
export function writeBuildDir(dir: string, files: readonly BuildFile[], manifest: string, staleRoles: readonly string[]): Diagnostic | undefined {
  try {
    rmSync(join(dir, 'manifest.json'), { force: true });
  } catch (e) {
    return cannot(`cannot replace ${join(dir, 'manifest.json')}: ${reason(e)}`);
  }
  for (const file of files) {
    const failure = writeAtomically(join(dir, file.path), file.data);
    if (failure) return failure;
  }
  for (const role of staleRoles) {
    for (const path of [join(dir, `${role}.wasm`), join(dir, 'src', `${role}.ts`)]) {
      try {
        rmSync(path, { force: true });
      } catch (e) {
        return cannot(`cannot remove ${path}, left from an earlier build: ${reason(e)}`);
      }
    }
  }
  return writeAtomically(join(dir, 'manifest.json'), manifest);
}

function writeAtomically(path: string, data: string | Uint8Array): Diagnostic | undefined {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, data);
    renameSync(temp, path);
    return undefined;
  } catch (e) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // the temporary file was never made
    }
    return cannot(`cannot write ${path}: ${reason(e)}`);
  }
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EEXIST: 'a file is in the way',
    ENOTDIR: 'a file is in the way',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOSPC: 'the disk is full',
    EROFS: 'the file system is read-only',
    EISDIR: 'a directory is in the way',
  };
  return (err.code && known[err.code]) ?? err.message ?? String(e);
}
