// Compares text against an expected-output file; with UPDATE=1 it writes the file instead.
// Expected files are checked by hand when they are written: regenerate, then read the diff.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export const updating = process.env['UPDATE'] === '1';

export function expectFile(actual: string, path: string): void {
  if (updating) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing expected output ${path}: run with UPDATE=1 to write it, then check it by hand`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
