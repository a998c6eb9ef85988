// How a violation names a rule: by its label when it has one, otherwise by its source text on
// one line, so that every message points at a rule a person can find.

import type { Analysis } from '../../compiler/analyze/analysis.js';

export function ruleName(analysis: Analysis, ruleId: number): string {
  const info = analysis.rules[ruleId]!;
  if (info.label !== undefined) return `rule \`${info.label}\``;
  return `rule \`${info.text.replace(/\s+/g, ' ').trim()}\``;
}
