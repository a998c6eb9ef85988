// docs/language.md carries the table of diagnostics; it must list exactly the codes of
// compiler/diagnostics/codes.ts, with the same severities and titles, and every error code
// must be produced by at least one sample or test input.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codes } from '../../compiler/diagnostics/codes.js';

const repo = new URL('../../', import.meta.url).pathname;
const doc = readFileSync(join(repo, 'docs', 'language.md'), 'utf8');

describe('docs/language.md', () => {
  it('has one row per diagnostic code, with its severity and title', () => {
    const rows = doc
      .split('\n')
      .filter((l) => /^\| DED\d{3} \|/.test(l))
      .map((l) => l.split('|').map((c) => c.trim()));
    const documented = rows.map((r) => r[1]);
    expect(documented).toEqual(Object.keys(codes));
    for (const r of rows) {
      const info = codes[r[1] as keyof typeof codes];
      expect([r[2], r[3]], r[1]).toEqual([info.severity, info.title]);
      expect(r[4]!.length, `${r[1]} explains when and how to fix`).toBeGreaterThan(20);
    }
  });

  it('shows every syntax and analysis code in an expected sample output', () => {
    const dir = join(repo, 'test', 'samples', 'errors');
    const outputs = readdirSync(dir).map((c) => {
      try {
        return readFileSync(join(dir, c, 'expected.txt'), 'utf8');
      } catch {
        return '';
      }
    });
    const all = outputs.join('\n');
    const missing = Object.keys(codes).filter((c) => /^DED[12]/.test(c) && !all.includes(`[${c}]`));
    expect(missing).toEqual([]);
  });
});
