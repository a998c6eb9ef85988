// Printing is faithful and formatting is stable: for every sample and protocol,
// parse(print(parse(x))) equals parse(x) (spans aside), and `fmt` is idempotent and keeps
// every comment.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { stripSpans } from '../../compiler/parse/ast.js';
import { formatParsed } from '../../compiler/parse/format.js';
import { parse } from '../../compiler/parse/parse.js';
import { printProgram } from '../../compiler/parse/print.js';
import { scanRegions } from '../../compiler/parse/regions.js';
import { SourceFile } from '../../compiler/source.js';

const repo = new URL('../../', import.meta.url).pathname;

/** Every .ded file of the samples and protocols that parses without errors. */
export function corpus(): { name: string; text: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ded')) files.push(path);
    }
  };
  walk(join(repo, 'protocols'));
  walk(join(repo, 'test', 'samples'));
  walk(join(repo, 'test', 'hydro'));
  return files.map((f) => ({ name: f.slice(repo.length), text: readFileSync(f, 'utf8') }));
}

const parsable = corpus().filter((f) => !hasErrors(parse(new SourceFile(f.name, f.text)).diagnostics));

describe('round trip', () => {
  it('covers the protocols and the samples', () => {
    expect(parsable.filter((f) => f.name.startsWith('protocols/')).length).toBeGreaterThanOrEqual(2);
    expect(parsable.length).toBeGreaterThanOrEqual(5);
  });

  it.each(parsable.map((f) => [f.name, f.text]))('%s: parse(print(parse(x))) = parse(x)', (name, text) => {
    const first = parse(new SourceFile(name, text));
    const printed = printProgram(first.program);
    const second = parse(new SourceFile(name, printed));
    expect(second.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(stripSpans(second.program)).toEqual(stripSpans(first.program));
  });

  it.each(parsable.map((f) => [f.name, f.text]))('%s: fmt is idempotent and keeps comments', (name, text) => {
    const once = formatParsed(parse(new SourceFile(name, text)));
    expect(once.ok).toBe(true);
    if (!once.ok) return;
    const twice = formatParsed(parse(new SourceFile(name, once.text)));
    expect(twice.ok && twice.text).toBe(once.text);
    const comments = (t: string) => scanRegions(t).filter((r) => r.kind === 'comment').map((r) => t.slice(r.start, r.end).trimEnd());
    expect(comments(once.text).sort()).toEqual(comments(text).sort());
  });
});
