// Text to syntax tree. A file that matches the grammar is built in one pass; one that does not
// goes through recover.ts, which reports every syntax error and still builds the items that
// parse. Integer literals are range-checked on the built tree.

import type * as ohm from 'ohm-js';
import { diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../source.js';
import { INT64_MAX, INT64_MIN } from '../values/value.js';
import type { Program } from './ast.js';
import { buildProgram } from './build-ast.js';
import { dedalusGrammar } from './grammar.js';
import { recover } from './recover.js';
import { blankComments, scanRegions } from './regions.js';
import { syntaxError } from './syntax-errors.js';

export interface ParseResult {
  readonly source: SourceFile;
  readonly program: Program;
  readonly diagnostics: readonly Diagnostic[];
}

export function parse(source: SourceFile): ParseResult {
  const sink: Diagnostic[] = [];
  const match = dedalusGrammar.match(source.text, 'Program');
  let program: Program;
  if (match.succeeded()) {
    program = buildProgram(match, sink);
  } else {
    program = recover(source, sink);
    // Recovery finds at least the first error; if it somehow does not, report the match's.
    if (!sink.some((d) => d.severity === 'error')) {
      const regions = scanRegions(source.text);
      sink.push(syntaxError(source, blankComments(source.text, regions), regions, match as ohm.FailedMatchResult, 0));
    }
  }
  checkIntegerRanges(program, sink);
  return { source, program, diagnostics: sortDiagnostics(sink) };
}

function checkIntegerRanges(node: unknown, sink: Diagnostic[]): void {
  if (Array.isArray(node)) {
    for (const n of node) checkIntegerRanges(n, sink);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as { kind?: string; value?: unknown; span?: Span };
  if (n.kind === 'int' && typeof n.value === 'bigint' && (n.value < INT64_MIN || n.value > INT64_MAX)) {
    sink.push(
      diagnostic('DED103', 'integer literal does not fit in a signed 64-bit integer', {
        span: n.span!,
        label: 'out of range',
        hint: `integers range from ${INT64_MIN} to ${INT64_MAX}`,
      }),
    );
    return;
  }
  for (const value of Object.values(node)) if (value && typeof value === 'object') checkIntegerRanges(value, sink);
}
