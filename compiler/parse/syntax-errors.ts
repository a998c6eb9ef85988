// Turns an Ohm match failure into a DED1xx diagnostic a person can act on: what was expected
// (operator noise removed), what was found, a caret where something is missing, and hints for
// the common slips (a missing comma between body literals, columns on `.persist`).

import type * as ohm from 'ohm-js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../source.js';
import type { Region } from './regions.js';

/**
 * `code` is the text with comments blanked (offsets unchanged); `base` is the offset in the
 * file of the text the failed match read.
 */
export function syntaxError(source: SourceFile, code: string, regions: readonly Region[], match: ohm.FailedMatchResult, base: number): Diagnostic {
  const pos = base + match.getRightmostFailurePosition();
  const unterminated = unterminatedLiteral(source, regions, base, pos);
  if (unterminated) return unterminated;
  const failures: { getText(): string; getType(): string; isFluffy(): boolean }[] = (match as any).getRightmostFailures();
  let expected = [
    ...new Set(failures.filter((f) => !f.isFluffy()).map((f) => (f.getType() === 'string' ? `\`${f.getText()}\`` : f.getText()))),
  ];
  // After a complete argument, "`,` or `)`" is what helps; operators and calls are noise.
  if (expected.includes('`)`') || expected.includes('`,`')) expected = expected.filter((e) => !operatorNoise.has(e));
  expected = expected.map((e) => (e === 'end of input' ? 'a rule or a declaration' : e));
  const found = tokenAt(source.text, code, pos);

  const missingComma = expected.some((e) => e.includes(':-')) ? literalBefore(code, pos) : undefined;
  if (missingComma) {
    const name = source.text.slice(missingComma.head.start, missingComma.head.end);
    return diagnostic('DED101', `expected \`,\` or \`.\` before \`${name}\``, {
      span: missingComma.head,
      label: missingComma.sameLine ? 'a `,` is missing before this atom?' : 'does this atom continue the body above?',
      hint: missingComma.sameLine
        ? 'separate body literals with `,`; end a rule with `.`'
        : 'if it belongs to the rule above, end that line with `,`; a new rule needs `:-`, `:+` or `:~` after its head',
    });
  }
  const persist = /\.(persist|durable)\s+[A-Za-z_][A-Za-z0-9_]*\s*$/.exec(code.slice(Math.max(0, found.span.start - 80), found.span.start));
  if (persist && source.text[found.span.start] === '(') {
    return diagnostic('DED101', `\`.${persist[1]}\` takes only a relation name, not columns`, {
      span: found.span,
      label: 'columns are not declared here',
      hint: `declare the columns where the relation gets its kind (.input, .async, ...), or let them be inferred: write \`.${persist[1]} name\``,
    });
  }
  const span = afterPreviousCode(code, found.span.start) ?? found.span;
  const hint = expected.some((e) => e.includes(':-'))
    ? 'a rule is `head(...) :- body(...)` (same tick), `:+` (next tick) or `:~` (another node, with `@dest`)'
    : undefined;
  return diagnostic('DED101', `expected ${joinOr(expected)}, found ${found.text}`, {
    span,
    label: `expected ${joinOr(expected)}`,
    ...(hint ? { hint } : {}),
  });
}

const operatorNoise = new Set(['`+`', '`-`', '`*`', '`/`', '`%`', '`(`']);

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? 'something else';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * When a rule operator was expected right after an atom that itself follows a complete body
 * literal, the atom is most likely a body literal whose `,` is missing (the optional `.` lets
 * the parser read it as the head of a new rule). Returns the atom's name.
 */
function literalBefore(code: string, pos: number): { head: Span; sameLine: boolean } | undefined {
  let i = pos;
  while (i > 0 && /\s/.test(code[i - 1]!)) i--;
  if (code[i - 1] !== ')') return undefined;
  let depth = 0;
  let j = i - 1;
  for (; j >= 0; j--) {
    if (code[j] === ')') depth++;
    else if (code[j] === '(') {
      depth--;
      if (depth === 0) break;
    }
  }
  let nameEnd = j;
  while (nameEnd > 0 && /\s/.test(code[nameEnd - 1]!)) nameEnd--;
  let nameStart = nameEnd;
  while (nameStart > 0 && /[A-Za-z0-9_]/.test(code[nameStart - 1]!)) nameStart--;
  if (nameStart === nameEnd || !/[A-Za-z_]/.test(code[nameStart]!)) return undefined;
  let k = nameStart;
  let sameLine = true;
  while (k > 0 && /\s/.test(code[k - 1]!)) {
    if (code[k - 1] === '\n') sameLine = false;
    k--;
  }
  if (code[k - 1] !== ')') return undefined;
  // The literal before must belong to a rule body: a rule operator earlier in the text, with no
  // rule end between.
  const before = code.slice(Math.max(0, k - 2000), k);
  const op = Math.max(before.lastIndexOf(':-'), before.lastIndexOf(':+'), before.lastIndexOf(':~'));
  if (op < 0 || /\.\s/.test(before.slice(op))) return undefined;
  return { head: { start: nameStart, end: nameEnd }, sameLine };
}

function unterminatedLiteral(source: SourceFile, regions: readonly Region[], from: number, pos: number): Diagnostic | undefined {
  const text = source.text;
  for (const r of regions) {
    if (r.start < from || r.start > pos) continue;
    if (r.kind === 'string' && (r.end - r.start < 2 || text[r.end - 1] !== '"')) {
      return diagnostic('DED102', 'string literal is not closed', {
        span: { start: r.start, end: r.start + 1 },
        label: 'this string has no closing `"` on its line',
        hint: 'close it with `"`; write a line break inside a string as \\n',
      });
    }
    if (r.kind === 'snippet' && (r.end - r.start < 2 || text[r.end - 1] !== '`')) {
      return diagnostic('DED105', 'backtick snippet is not closed', {
        span: { start: r.start, end: r.start + 1 },
        label: 'this snippet has no closing backtick',
      });
    }
  }
  return undefined;
}

/** The token at `pos` after spaces and comments, for "found ...". */
function tokenAt(text: string, code: string, pos: number): { text: string; span: Span } {
  let i = pos;
  while (i < code.length && /\s/.test(code[i]!)) i++;
  if (i >= text.length) return { text: 'end of file', span: { start: text.length, end: text.length } };
  const rest = text.slice(i);
  const m =
    /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest) ??
    /^-?[0-9]+/.exec(rest) ??
    /^"(?:[^"\\\n]|\\.)*"?/.exec(rest) ??
    /^(:-|:\+|:~|==|!=|<=|>=|\/\/)/.exec(rest) ??
    /^[^\s]/u.exec(rest)!;
  const tok = m[0];
  const shown = tok.length > 24 ? `${tok.slice(0, 21)}...` : tok;
  return { text: tok === '}' ? '`}` (end of the role block)' : `\`${shown}\``, span: { start: i, end: i + tok.length } };
}

/** When the unexpected token starts a new line, point at the end of the code before it: that
 * is where something is missing. */
function afterPreviousCode(code: string, tokenStart: number): Span | undefined {
  let i = tokenStart;
  let newline = false;
  while (i > 0 && /\s/.test(code[i - 1]!)) {
    if (code[i - 1] === '\n') newline = true;
    i--;
  }
  return newline && i > 0 ? { start: i, end: i } : undefined;
}
