// Durations in configuration files: a number with a unit, "250us", "5ms", "1.5s".

import { microsPerUnit, type TimeUnit } from '../parse/ast.js';

/** Microseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(us|ms|s)\s*$/.exec(text);
  if (!m) return undefined;
  const micros = Number(m[1]) * microsPerUnit[m[2] as TimeUnit];
  return Number.isFinite(micros) && micros <= 1e15 ? Math.round(micros) : undefined;
}

export function formatDuration(micros: number): string {
  if (micros >= 1_000_000) return `${trim(micros / 1_000_000)}s`;
  if (micros >= 1000) return `${trim(micros / 1000)}ms`;
  return `${micros}us`;
}

function trim(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}
