// Turns diagnostics into the text people read: a header with the code, "--> file:line:col",
// the source line with a caret under the span, related places, and a hint. Plain text unless
// `color` is set, so expected outputs in tests stay stable.

import { codePointLength, type SourceFile, type Span } from '../source.js';
import type { Diagnostic } from './diagnostic.js';

export interface RenderOptions {
  color?: boolean;
}

const paint = {
  red: (s: string) => `\x1b[1;31m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[1;33m${s}\x1b[0m`,
  blue: (s: string) => `\x1b[1;34m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
};
const plain = { red: id, yellow: id, blue: id, bold: id };
function id(s: string): string {
  return s;
}

export function renderDiagnostic(d: Diagnostic, source: SourceFile | undefined, options: RenderOptions = {}): string {
  const c = options.color ? paint : plain;
  const sev = d.severity === 'error' ? c.red(`error[${d.code}]`) : c.yellow(`warning[${d.code}]`);
  const lines = [`${sev}${c.bold(`: ${d.message}`)}`];
  const spans = [d.span, ...(d.related ?? []).map((r) => r.span)].filter((s): s is Span => s !== undefined);
  const gutter = source ? Math.max(1, ...spans.map((s) => String(source.position(s.start).line).length)) : 1;
  if (d.span && source) {
    lines.push(...excerpt(source, d.span, d.label, gutter, c.blue, d.severity === 'error' ? c.red : c.yellow));
  } else if (source) {
    lines.push(`${' '.repeat(gutter)}${c.blue('-->')} ${source.name}`);
  }
  for (const r of d.related ?? []) {
    lines.push(`${c.bold('note')}: ${r.message}`);
    if (source) lines.push(...excerpt(source, r.span, undefined, gutter, c.blue, c.blue));
  }
  if (d.hint) lines.push(`${' '.repeat(gutter)} ${c.blue('=')} hint: ${d.hint}`);
  return lines.join('\n');
}

export function renderDiagnostics(ds: readonly Diagnostic[], source: SourceFile | undefined, options: RenderOptions = {}): string {
  return ds.map((d) => renderDiagnostic(d, source, options)).join('\n\n');
}

/** "2 errors, 1 warning" */
export function countSummary(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  const parts = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ') || 'no problems';
}

function excerpt(
  source: SourceFile,
  span: Span,
  label: string | undefined,
  gutter: number,
  blue: (s: string) => string,
  mark: (s: string) => string,
): string[] {
  const startPos = source.position(span.start);
  const lineIndex = startPos.line - 1;
  const text = source.lineText(lineIndex).replace(/\t/g, ' ');
  const lineStart = source.lineStart(lineIndex);
  const lineEnd = lineStart + source.lineText(lineIndex).length;
  const caretStart = codePointLength(source.text.slice(lineStart, Math.min(span.start, lineEnd)));
  const caretEnd = Math.min(span.end, lineEnd);
  const width = Math.max(1, codePointLength(source.text.slice(Math.min(span.start, lineEnd), caretEnd)));
  const pad = ' '.repeat(gutter);
  const num = String(startPos.line).padStart(gutter);
  const carets = ' '.repeat(caretStart) + mark('^'.repeat(width) + (label ? ` ${label}` : ''));
  return [
    `${pad}${blue('-->')} ${source.name}:${startPos.line}:${startPos.column}`,
    `${pad} ${blue('|')}`,
    `${blue(num)} ${blue('|')} ${text}`,
    `${pad} ${blue('|')} ${carets}`,
  ];
}
