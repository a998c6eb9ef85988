// Error recovery: parses a file that does not match the grammar in pieces, so that every
// syntax error is reported, not only the first. Role blocks are found by their braces (a
// `role x {` inside an open block closes it: the `}` is missing); the text in and between
// blocks is matched greedily, and only around a failure is it cut into items at lines that can
// start one. A piece that does not parse on its own, or joined with the pieces after it, is one
// error; parsing resumes after it.

import type * as ohm from 'ohm-js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../source.js';
import type { Item, Program, RoleItem } from './ast.js';
import { buildFragment } from './build-ast.js';
import { dedalusGrammar } from './grammar.js';
import { blankComments, scanRegions, type Region } from './regions.js';
import { syntaxError } from './syntax-errors.js';

/** How many item pieces are joined before a piece is given up as an error. */
const MAX_JOIN = 8;

interface Block {
  open: number;
  /** Index of the closing `}`, or where the block was cut off. */
  close: number;
  headerStart: number;
  name: string;
  nameSpan: Span;
}

interface Context {
  readonly source: SourceFile;
  readonly regions: readonly Region[];
  /** The text with comments and already-reported braces blanked; offsets as in the file. */
  readonly code: string;
  readonly sink: Diagnostic[];
}

export function recover(source: SourceFile, sink: Diagnostic[]): Program {
  const regions = scanRegions(source.text);
  const commentsBlank = blankComments(source.text, regions);
  const stray: number[] = [];
  const blocks = findBlocks(source, commentsBlank, regions, sink, stray);
  const ctx: Context = { source, regions, code: blankAt(commentsBlank, stray), sink };
  const items: Item[] = [];
  let cursor = 0;
  for (const b of blocks) {
    items.push(...parseStretch(ctx, cursor, b.headerStart));
    const inner = parseStretch(ctx, b.open + 1, b.close);
    const end = Math.min(source.text.length, source.text[b.close] === '}' ? b.close + 1 : b.close);
    items.push({ kind: 'role', name: b.name, nameSpan: b.nameSpan, items: inner, span: { start: b.headerStart, end } });
    cursor = end;
  }
  items.push(...parseStretch(ctx, cursor, source.text.length));
  return { kind: 'program', items, span: { start: 0, end: source.text.length } };
}

/** Role blocks by brace matching; reports stray and unclosed braces. */
function findBlocks(source: SourceFile, code: string, regions: readonly Region[], sink: Diagnostic[], stray: number[]): Block[] {
  const blocks: Block[] = [];
  let open: Block | undefined;
  /** `}` that close blocks we already closed for the user (nested blocks): absorbed quietly. */
  let absorb = 0;
  for (const r of regions) {
    if (r.kind !== 'code') continue;
    for (let i = r.start; i < r.end; i++) {
      const ch = code[i];
      if (ch === '{') {
        const header = headerBefore(code, i);
        if (open) {
          // A new block starts inside an open one: the open one lacks its `}`.
          const cut = header?.start ?? i;
          sink.push(
            diagnostic('DED106', `role block \`${open.name}\` is not closed before ${header ? `role \`${header.name}\` begins` : 'the next `{`'}`, {
              span: { start: open.open, end: open.open + 1 },
              label: 'this `{` has no matching `}`',
              related: [{ span: { start: cut, end: i + 1 }, message: 'the next block starts here; role blocks cannot be nested' }],
              hint: 'add `}` after the last item of the role',
            }),
          );
          blocks.push({ ...open, close: cut });
          absorb++;
        }
        open = blockAt(source, header, i, sink);
      } else if (ch === '}') {
        if (open) {
          blocks.push({ ...open, close: i });
          open = undefined;
        } else if (absorb > 0) {
          absorb--;
          stray.push(i);
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
  if (open) {
    sink.push(
      diagnostic('DED106', `role block \`${open.name}\` is not closed`, {
        span: { start: open.open, end: open.open + 1 },
        label: 'this `{` has no matching `}`',
        hint: 'add `}` after the last item of the role',
      }),
    );
    blocks.push({ ...open, close: source.text.length });
  }
  return blocks;
}

/** `role <name>` just before a `{` (comments blanked), if that is what stands there. */
function headerBefore(code: string, open: number): { start: number; name: string; nameStart: number } | undefined {
  const from = Math.max(0, code.lastIndexOf('\n', code.lastIndexOf('\n', open - 1) - 1) + 1);
  const m = /(^|[^A-Za-z0-9_])role(\s+)([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(code.slice(from, open));
  if (!m) return undefined;
  const start = from + m.index + m[1]!.length;
  return { start, name: m[3]!, nameStart: start + 4 + m[2]!.length };
}

function blockAt(source: SourceFile, header: ReturnType<typeof headerBefore>, open: number, sink: Diagnostic[]): Block {
  if (header) {
    return { open, close: source.text.length, headerStart: header.start, name: header.name, nameSpan: { start: header.nameStart, end: header.nameStart + header.name.length } };
  }
  sink.push(
    diagnostic('DED101', 'expected `role <name>` before `{`', {
      span: { start: open, end: open + 1 },
      label: '`{` opens a role block',
      hint: 'write `role leader { ... }`',
    }),
  );
  return { open, close: source.text.length, headerStart: open, name: '?', nameSpan: { start: open, end: open } };
}

function blankAt(text: string, offsets: readonly number[]): string {
  if (!offsets.length) return text;
  const chars = text.split('');
  for (const i of offsets) chars[i] = ' ';
  return chars.join('');
}

function match(ctx: Context, from: number, to: number): ohm.MatchResult {
  return dedalusGrammar.match(ctx.code.slice(from, to), 'Fragment');
}

function build(ctx: Context, m: ohm.MatchResult, from: number): RoleItem[] {
  const local: Diagnostic[] = [];
  const items = buildFragment(m, local).map((item) => shiftSpans(item, from));
  ctx.sink.push(...local.map((d) => shiftSpans(d, from)));
  return items;
}

/** Parses the items in [start, end): greedily, and piece by piece around each failure. */
function parseStretch(ctx: Context, start: number, end: number): RoleItem[] {
  const cuts = itemStarts(ctx.code, start, end);
  const items: RoleItem[] = [];
  let i = 0;
  while (i < cuts.length - 1) {
    const whole = match(ctx, cuts[i]!, end);
    if (whole.succeeded()) {
      items.push(...build(ctx, whole, cuts[i]!));
      break;
    }
    // The good items before the failure parse in one match. The failing item starts at the
    // last cut before the failure that leaves a parsable prefix.
    const failure = cuts[i]! + (whole as ohm.FailedMatchResult).getRightmostFailurePosition();
    let j = i;
    while (j + 1 < cuts.length - 1 && cuts[j + 1]! <= failure) j++;
    while (j > i) {
      const prefix = match(ctx, cuts[i]!, cuts[j]!);
      if (prefix.succeeded()) {
        items.push(...build(ctx, prefix, cuts[i]!));
        break;
      }
      j--;
    }
    i = parsePieceAt(ctx, cuts, j, items);
  }
  return items;
}

/** Parses the piece at cut `i`, joined with up to MAX_JOIN pieces after it; reports an error
 * if none of the joins parses. Returns the index of the cut where parsing resumes. */
function parsePieceAt(ctx: Context, cuts: readonly number[], i: number, items: RoleItem[]): number {
  const attempts: { match: ohm.FailedMatchResult; upto: number }[] = [];
  for (let j = i + 1; j < cuts.length && j <= i + MAX_JOIN; j++) {
    const m = match(ctx, cuts[i]!, cuts[j]!);
    if (m.succeeded()) {
      items.push(...build(ctx, m, cuts[i]!));
      return j;
    }
    attempts.push({ match: m as ohm.FailedMatchResult, upto: j });
  }
  // Report the first attempt that fails inside its text rather than at its end: a failure at
  // the end only says that the item goes on in the next piece.
  const from = cuts[i]!;
  const chosen = attempts.find((a) => from + a.match.getRightmostFailurePosition() < trimmedEnd(ctx.code, from, cuts[a.upto]!)) ?? attempts[attempts.length - 1]!;
  const failure = from + chosen.match.getRightmostFailurePosition();
  ctx.sink.push(syntaxError(ctx.source, ctx.code, ctx.regions, chosen.match, from));
  let next = i + 1;
  while (next < cuts.length - 1 && cuts[next]! <= failure) next++;
  return next;
}

function trimmedEnd(code: string, from: number, to: number): number {
  let end = to;
  while (end > from && /\s/.test(code[end - 1]!)) end--;
  return end;
}

/**
 * Offsets in [start, end) where an item may begin: `start`, and each line whose first code is
 * an identifier or `.name`, when the code line before it does not end in a way that continues
 * an item (`,`, `(`, an operator, `:-`...).
 */
function itemStarts(code: string, start: number, end: number): number[] {
  const cuts = [start];
  let previousEnd = '';
  let offset = start;
  while (offset < end) {
    const nl = code.indexOf('\n', offset);
    const lineEnd = nl < 0 || nl > end ? end : nl;
    const line = code.slice(offset, lineEnd);
    const trimmed = line.trim();
    if (trimmed) {
      const first = offset + line.length - line.trimStart().length;
      const startsItem = /^(\.[A-Za-z]|[A-Za-z_])/.test(trimmed);
      if (startsItem && first > start && previousEnd !== '' && !/[,(:\-+~@!=<>*/%]$/.test(previousEnd)) cuts.push(offset);
      previousEnd = trimmed;
    }
    offset = lineEnd + 1;
  }
  cuts.push(end);
  return cuts;
}

/** A copy of a node (or diagnostic) with every span moved by `offset`. */
export function shiftSpans<T>(node: T, offset: number): T {
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
