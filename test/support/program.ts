// Checks a program given as text, for tests; throws with the rendered diagnostics if it has
// errors.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import { check } from '../../compiler/check.js';
import { renderDiagnostics } from '../../compiler/diagnostics/render.js';
import { SourceFile } from '../../compiler/source.js';

export function checked(text: string, name = 'test.ded'): Analysis {
  const source = new SourceFile(name, text);
  const result = check(source);
  if (!result.ok) throw new Error(renderDiagnostics(result.diagnostics, source));
  return result.analysis!;
}
