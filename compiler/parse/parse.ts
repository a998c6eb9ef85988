// Text to syntax tree. A file that matches the grammar is built in one pass. A file that does
// not is parsed again in pieces so that every syntax error is reported, not only the first:
// role blocks are found by their braces, and the text in and between them is cut into items at
// lines that can start one. A piece that does not parse on its own (or joined with the pieces
// after it) is one error; parsing resumes after it.

import type * as ohm from 'ohm-js';
import { diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../source.js';
import type { Item, Program, RoleBlock, RoleItem } from './ast.js';
import { buildFragment, buildProgram } from './build-ast.js';
import { dedalusGrammar } from './grammar.js';
import { scanRegions, type Region } from './regions.js';

export interface ParseResult {
  readonly source: SourceFile;
  readonly program: Program;
  readonly diagnostics: readonly Diagnostic[];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** How many item pieces the recovery joins before it gives up on a piece. */
const MAX_JOIN = 8;

export function parse(source: SourceFile): ParseResult {
  const sink: Diagnostic[] = [];
  const match = dedalusGrammar.match(source.text, 'Program');
  let program: Program;
  if (match.succeeded()) {
    program = buildProgram(match, sink);
  } else {
    program = recover(source, sink);
    if (!sink.some((d) => d.severity === 'error')) sink.push(syntaxError(source, match as ohm.FailedMatchResult, 0, scanRegions(source.text)));
  }
  checkIntegerRanges(program, sink);
  return { source, program, diagnostics: sortDiagnostics(sink) };
}

// --- recovery ---------------------------------------------------------------------------------

interface Block {
  open: number;
  close: number; // index of `}`, or text length when unclosed
  headerStart: number;
  name: string;
  nameSpan: Span;
}

function recover(source: SourceFile, sink: Diagnostic[]): Program {
  const text = source.text;
  const regions = scanRegions(text);
  const stray: number[] = [];
  const blocks = findBlocks(source, regions, sink, stray);
  // Braces already reported are read as spaces, so that they cause no second error.
  const work = stray.length ? blankAt(text, stray) : text;
  const items: Item[] = [];
  let cursor = 0;
  for (const b of blocks) {
    items.push(...parseStretch(source, work, regions, cursor, b.headerStart, sink));
    const inner = parseStretch(source, work, regions, b.open + 1, b.close, sink);
    const end = Math.min(text.length, b.close + 1);
    items.push({ kind: 'role', name: b.name, nameSpan: b.nameSpan, items: inner, span: { start: b.headerStart, end } });
    cursor = end;
  }
  items.push(...parseStretch(source, work, regions, cursor, text.length, sink));
  return { kind: 'program', items, span: { start: 0, end: text.length } };
}

/** Role blocks by brace matching in code regions; reports stray, nested and unclosed braces. */
function findBlocks(source: SourceFile, regions: readonly Region[], sink: Diagnostic[], stray: number[]): Block[] {
  const text = source.text;
  const blocks: Block[] = [];
  let open: number | undefined;
  let nested = 0;
  for (const r of regions) {
    if (r.kind !== 'code') continue;
    for (let i = r.start; i < r.end; i++) {
      const ch = text[i];
      if (ch === '{') {
        if (open === undefined) open = i;
        else {
          nested++;
          stray.push(i);
          sink.push(
            diagnostic('DED101', 'role blocks cannot be nested', {
              span: { start: i, end: i + 1 },
              label: 'a second `{` inside a role block',
              hint: 'close the enclosing role block with `}` first',
            }),
          );
        }
      } else if (ch === '}') {
        if (nested > 0) {
          nested--;
          stray.push(i);
        } else if (open !== undefined) {
          blocks.push(blockAt(source, regions, open, i, sink));
          open = undefined;
        } else {
          stray.push(i);
          sink.push(
            diagnostic('DED108', 'unmatched `}`', {
              span: { start: i, end: i + 1 },
              label: 'no role block is open here',
              hint: 'remove it, or open a block with `role <name> {`',
            }),
          );
        }
      }
    }
  }
  if (open !== undefined) {
    const block = blockAt(source, regions, open, text.length, sink);
    sink.push(
      diagnostic('DED106', `role block \`${block.name}\` is not closed`, {
        span: { start: open, end: open + 1 },
        label: 'this `{` has no matching `}`',
        hint: 'add `}` after the last item of the role',
      }),
    );
    blocks.push(block);
  }
  return blocks;
}

function blankAt(text: string, offsets: readonly number[]): string {
  const chars = text.split('');
  for (const i of offsets) chars[i] = ' ';
  return chars.join('');
}

/** Reads `role <name>` backwards from a `{`. */
function blockAt(source: SourceFile, regions: readonly Region[], open: number, close: number, sink: Diagnostic[]): Block {
  const text = source.text;
  const before = codeBefore(text, regions, open);
  const header = /(^|[^A-Za-z0-9_])role(\s+)([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(before.text);
  if (header) {
    const roleStart = before.offset + header.index + header[1]!.length;
    const nameStart = roleStart + 4 + header[2]!.length;
    const name = header[3]!;
    return { open, close, headerStart: roleStart, name, nameSpan: { start: nameStart, end: nameStart + name.length } };
  }
  sink.push(
    diagnostic('DED101', 'expected `role <name>` before `{`', {
      span: { start: open, end: open + 1 },
      label: '`{` opens a role block',
      hint: 'write `role leader { ... }`',
    }),
  );
  return { open, close, headerStart: open, name: '?', nameSpan: { start: open, end: open } };
}

/** The code on the current and previous line before `offset`, comments blanked. */
function codeBefore(text: string, regions: readonly Region[], offset: number): { text: string; offset: number } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const from = Math.max(0, text.lastIndexOf('\n', lineStart - 2) + 1);
  let out = '';
  for (let i = from; i < offset; i++) out += inComment(regions, i) ? ' ' : text[i];
  return { text: out, offset: from };
}

function inComment(regions: readonly Region[], i: number): boolean {
  return regions.some((r) => r.kind === 'comment' && r.start <= i && i < r.end);
}

/** Parses the items in [start, end) piece by piece. */
function parseStretch(
  source: SourceFile,
  work: string,
  regions: readonly Region[],
  start: number,
  end: number,
  sink: Diagnostic[],
): RoleItem[] {
  const cuts = itemStarts(work, regions, start, end);
  const items: RoleItem[] = [];
  let i = 0;
  while (i < cuts.length - 1) {
    const attempts: { match: ohm.FailedMatchResult; upto: number }[] = [];
    let parsed = false;
    for (let j = i + 1; j < cuts.length && j <= i + MAX_JOIN; j++) {
      const from = cuts[i]!;
      const to = cuts[j]!;
      const match = dedalusGrammar.match(work.slice(from, to), 'Fragment');
      if (match.succeeded()) {
        const local: Diagnostic[] = [];
        items.push(...buildFragment(match, local).map((item) => shiftSpans(item, from)));
        sink.push(...local.map((d) => shiftSpans(d, from)));
        i = j;
        parsed = true;
        break;
      }
      attempts.push({ match: match as ohm.FailedMatchResult, upto: j });
    }
    if (parsed) continue;
    // Report the first attempt that fails inside its text rather than at its end: a failure at
    // the end only says that the item goes on in the next piece.
    const from = cuts[i]!;
    const chosen =
      attempts.find((a) => from + a.match.getRightmostFailurePosition() < trimmedEnd(source.text, regions, from, cuts[a.upto]!)) ??
      attempts[attempts.length - 1]!;
    const failure = from + chosen.match.getRightmostFailurePosition();
    sink.push(syntaxError(source, chosen.match, from, regions));
    let next = i + 1;
    while (next < cuts.length - 1 && cuts[next]! <= failure) next++;
    i = next;
  }
  return items;
}

/** The end of [from, to) without trailing spaces and comments. */
function trimmedEnd(text: string, regions: readonly Region[], from: number, to: number): number {
  let end = to;
  while (end > from && (/\s/.test(text[end - 1]!) || inComment(regions, end - 1))) end--;
  return end;
}

/**
 * Offsets in [start, end) where an item may begin: `start`, and each line whose first code is
 * an identifier or `.name`, when the code line before it does not end in a way that continues
 * an item (`,`, `(`, an operator, `:-`...).
 */
function itemStarts(text: string, regions: readonly Region[], start: number, end: number): number[] {
  const cuts = [start];
  let previousEnd = '';
  let offset = start;
  while (offset < end) {
    const nl = text.indexOf('\n', offset);
    const lineEnd = nl < 0 || nl > end ? end : nl;
    let code = '';
    for (let i = offset; i < lineEnd; i++) code += inComment(regions, i) ? ' ' : text[i];
    const trimmed = code.trim();
    if (trimmed) {
      const first = offset + code.length - code.trimStart().length;
      const startsItem = /^(\.[A-Za-z]|[A-Za-z_])/.test(trimmed);
      if (startsItem && first > start && previousEnd !== '' && !/[,(:\-+~@!=<>*/%]$/.test(previousEnd)) cuts.push(offset);
      previousEnd = trimmed;
    }
    offset = lineEnd + 1;
  }
  cuts.push(end);
  return cuts;
}

// --- messages -------------------------------------------------------------------------------

const operatorNoise = new Set(['`+`', '`-`', '`*`', '`/`', '`%`', '`(`']);

function syntaxError(source: SourceFile, match: ohm.FailedMatchResult, base: number, regions: readonly Region[]): Diagnostic {
  const pos = base + match.getRightmostFailurePosition();
  const unterminated = unterminatedLiteral(source, regions, base, pos);
  if (unterminated) return unterminated;
  const failures: { getText(): string; getType(): string; isFluffy(): boolean }[] = (match as any).getRightmostFailures();
  let expected = [
    ...new Set(failures.filter((f) => !f.isFluffy()).map((f) => (f.getType() === 'string' ? `\`${f.getText()}\`` : f.getText()))),
  ];
  // After a complete argument, "`,` or `)`" is what helps; operators and calls are noise.
  if (expected.includes('`)`') || expected.includes('`,`')) expected = expected.filter((e) => !operatorNoise.has(e));
  const found = tokenAt(source.text, regions, pos);
  const span = afterPreviousCode(source.text, regions, found.span.start) ?? found.span;
  const hint = expected.some((e) => e.includes(':-'))
    ? 'a rule is `head(...) :- body(...)` (same tick), `:+` (next tick) or `:~` (another node, with `@dest`)'
    : undefined;
  return diagnostic('DED101', `expected ${joinOr(expected)}, found ${found.text}`, {
    span,
    label: `expected ${joinOr(expected)}`,
    ...(hint ? { hint } : {}),
  });
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
function tokenAt(text: string, regions: readonly Region[], pos: number): { text: string; span: Span } {
  let i = pos;
  while (i < text.length && (/\s/.test(text[i]!) || inComment(regions, i))) i++;
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

/** When the unexpected token starts a new line, the place to point at is the end of the code
 * before it: that is where something is missing. */
function afterPreviousCode(text: string, regions: readonly Region[], tokenStart: number): Span | undefined {
  let i = tokenStart;
  let newline = false;
  while (i > 0 && (/\s/.test(text[i - 1]!) || inComment(regions, i - 1))) {
    if (text[i - 1] === '\n') newline = true;
    i--;
  }
  return newline && i > 0 ? { start: i, end: i } : undefined;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? 'something else';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

// --- checks on the built tree ---------------------------------------------------------------

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

/** A copy of a node (or diagnostic) with every span moved by `offset`. */
function shiftSpans<T>(node: T, offset: number): T {
  if (Array.isArray(node)) return node.map((n) => shiftSpans(n, offset)) as T;
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'span' || key.endsWith('Span')) && value && typeof value === 'object' && 'start' in value) {
        const s = value as Span;
        out[key] = { start: s.start + offset, end: s.end + offset };
      } else out[key] = shiftSpans(value, offset);
    }
    return out as T;
  }
  return node;
}
