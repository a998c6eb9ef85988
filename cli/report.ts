// Printing diagnostics for people (rendered, coloured on a terminal) or for tools (--json).

import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { renderDiagnostics } from '../compiler/diagnostics/render.js';
import type { SourceFile } from '../compiler/source.js';

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
}

export function printDiagnostics(diagnostics: readonly Diagnostic[], source: SourceFile | undefined): void {
  if (!diagnostics.length) return;
  process.stderr.write(`${renderDiagnostics(diagnostics, source, { color: useColor(process.stderr) })}\n\n`);
}

export function diagnosticsAsJson(diagnostics: readonly Diagnostic[], source: SourceFile): object[] {
  return diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: source.name,
    ...(d.span ? { start: source.position(d.span.start), end: source.position(d.span.end) } : {}),
    ...(d.label ? { label: d.label } : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    related: (d.related ?? []).map((r) => ({ message: r.message, start: source.position(r.span.start), end: source.position(r.span.end) })),
  }));
}
