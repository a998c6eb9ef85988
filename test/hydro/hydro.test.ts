// Programs written in the Hydro `datalog!` dialect, with Rust snippets in their declarations,
// pass `dedc check` with no errors and no warnings, and format without losing a snippet.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../../compiler/check.js';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import { formatParsed } from '../../compiler/parse/format.js';
import { SourceFile } from '../../compiler/source.js';

const dir = new URL('./', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.ded'));

describe('Hydro-dialect programs', () => {
  it('are present', () => expect(files.length).toBeGreaterThanOrEqual(2));

  it.each(files)('%s checks clean', (file) => {
    const source = new SourceFile(file, readFileSync(dir + file, 'utf8'));
    const result = check(source);
    expect(renderDiagnostics(result.diagnostics, source)).toBe('');
    expect(result.ok).toBe(true);
    // Snippets are kept, declarations are counted, the file is one role named after it.
    const a = result.analysis!;
    expect(a.roles.map((r) => r.name)).toEqual([file.replace(/\.ded$/, '').replace(/-/g, '_')]);
    const snippets = [...a.relations.values()].flatMap((r) => r.declaration?.snippets ?? []);
    expect(snippets.length).toBeGreaterThan(4);
    const formatted = formatParsed(result.parsed);
    expect(formatted.ok).toBe(true);
    for (const s of snippets) expect(formatted.ok && formatted.text).toContain(`\`${s}\``);
  });
});
