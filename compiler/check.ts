// The front half of the compiler as one call: parse, then (if the syntax is sound) analyze.
// Returns every diagnostic of the file; `analysis` is present when parsing succeeded, and is
// usable by later phases only when no diagnostic is an error.

import { hasErrors, type Diagnostic } from './diagnostics/diagnostic.js';
import { analyze, type Analysis } from './analyze/analysis.js';
import { parse, type ParseResult } from './parse/parse.js';
import type { SourceFile } from './source.js';

export interface CheckResult {
  readonly source: SourceFile;
  readonly parsed: ParseResult;
  readonly analysis?: Analysis;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

export function check(source: SourceFile): CheckResult {
  const parsed = parse(source);
  if (hasErrors(parsed.diagnostics)) return { source, parsed, diagnostics: parsed.diagnostics, ok: false };
  const analysis = analyze(parsed);
  return { source, parsed, analysis, diagnostics: analysis.diagnostics, ok: !hasErrors(analysis.diagnostics) };
}
