// Sample tests, one folder per case under test/samples/<phase>/: an input and the expected
// output, checked by hand when written (UPDATE=1 rewrites them).
//   parse/     input.ded -> ast.txt (the tree with spans); the file must parse without errors
//   errors/    input.ded -> expected.txt (every rendered diagnostic); at least one error
//   analysis/  input.ded -> expected.txt (`dedc show analysis`, plus any warnings)
//   interp/    input.ded + script.json -> expected.txt (tick by tick, see support/interp-script.ts)

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printAnalysis } from '../compiler/analyze/print-analysis.js';
import { check } from '../compiler/check.js';
import { hasErrors } from '../compiler/diagnostics/diagnostic.js';
import { renderDiagnostics } from '../compiler/diagnostics/render.js';
import { dumpAst } from '../compiler/parse/dump-ast.js';
import { parse } from '../compiler/parse/parse.js';
import { SourceFile } from '../compiler/source.js';
import { expectFile } from './support/expected-file.js';
import { runInterpScript, type InterpScript } from './support/interp-script.js';

const root = new URL('./samples/', import.meta.url).pathname;

function cases(phase: string): string[] {
  const dir = join(root, phase);
  return existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, 'input.ded'))).sort() : [];
}

function load(phase: string, name: string): SourceFile {
  const text = readFileSync(join(root, phase, name, 'input.ded'), 'utf8');
  return new SourceFile(`${name}.ded`, text);
}

describe('parse samples', () => {
  it.each(cases('parse'))('%s', (name) => {
    const source = load('parse', name);
    const parsed = parse(source);
    expect(renderDiagnostics(parsed.diagnostics.filter((d) => d.severity === 'error'), source)).toBe('');
    expectFile(dumpAst(parsed.program, source), join(root, 'parse', name, 'ast.txt'));
  });
});

describe('error samples', () => {
  it.each(cases('errors'))('%s', (name) => {
    const source = load('errors', name);
    const result = check(source);
    expect(hasErrors(result.diagnostics)).toBe(true);
    expectFile(`${renderDiagnostics(result.diagnostics, source)}\n`, join(root, 'errors', name, 'expected.txt'));
  });
});

describe('analysis samples', () => {
  it.each(cases('analysis'))('%s', (name) => {
    const source = load('analysis', name);
    const result = check(source);
    expect(result.ok).toBe(true);
    const warnings = result.diagnostics.length ? `${renderDiagnostics(result.diagnostics, source)}\n\n` : '';
    expectFile(warnings + printAnalysis(result.analysis!), join(root, 'analysis', name, 'expected.txt'));
  });
});

describe('interpreter samples', () => {
  it.each(cases('interp'))('%s', (name) => {
    const source = load('interp', name);
    const result = check(source);
    expect(renderDiagnostics(result.diagnostics.filter((d) => d.severity === 'error'), source)).toBe('');
    const script = JSON.parse(readFileSync(join(root, 'interp', name, 'script.json'), 'utf8')) as InterpScript;
    expectFile(runInterpScript(result.analysis!, script), join(root, 'interp', name, 'expected.txt'));
  });
});
