// The one shape every user-facing problem takes, from the parser to the simulator: a code from
// the table in codes.ts, a severity, a primary span with a short label, related spans, a hint.
// Phases return diagnostics; they never throw for a user error.

import type { Span } from '../source.js';
import { codes, type DiagnosticCode } from './codes.js';

export type Severity = 'error' | 'warning';

export interface RelatedSpan {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Absent for problems that concern a whole file. */
  readonly span?: Span;
  /** Short text printed under the caret. */
  readonly label?: string;
  readonly related?: readonly RelatedSpan[];
  readonly hint?: string;
}

export interface DiagnosticInit {
  span?: Span;
  label?: string;
  related?: RelatedSpan[];
  hint?: string;
}

/** A diagnostic with the severity the code table gives it. */
export function diagnostic(code: DiagnosticCode, message: string, init: DiagnosticInit = {}): Diagnostic {
  return { code, severity: codes[code].severity, message, ...init };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Source order, errors before warnings at the same place. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.span?.start ?? -1) - (b.span?.start ?? -1) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.code.localeCompare(b.code),
  );
}
