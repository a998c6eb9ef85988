// Reading the files the CLI is given: a path, or `-` for standard input.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { SourceFile } from '../compiler/source.js';
import { UsageError } from './usage-error.js';

export function readSource(path: string, what = 'file'): SourceFile {
  if (path === '-') return new SourceFile('<stdin>', readFileSync(0, 'utf8'));
  if (!existsSync(path)) throw new UsageError(`${what} not found: ${path}`);
  if (statSync(path).isDirectory()) throw new UsageError(`${what} is a directory, not a file: ${path}`);
  return new SourceFile(path, readFileSync(path, 'utf8'));
}

/** A whole number option, such as --seed 7. */
export function intOption(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return n;
}
