// `dedc fmt`: the canonical layout of printer.ts with the file's comments and blank lines put
// back. Each comment is attached to the node it follows on the same line (trailing), or to the
// next node (leading), or to the end of its block or file (dangling). The result is checked:
// same tree, every comment kept; otherwise formatting is refused rather than losing text.

import { stripSpans, type Item, type Program, type RoleBlock } from './ast.js';
import { parse, type ParseResult } from './parse.js';
import { printProgram, type Trivia } from './print.js';
import { scanRegions, type Region } from './regions.js';
import { SourceFile, type Span } from '../source.js';
import { isDeepStrictEqual } from 'node:util';

export type FormatResult = { ok: true; text: string } | { ok: false; reason: string };

/** Formats a file that parsed without errors. */
export function formatParsed(parsed: ParseResult): FormatResult {
  const { source, program } = parsed;
  const comments = scanRegions(source.text).filter((r) => r.kind === 'comment');
  const trivia = attachComments(source, program, comments);
  const text = printProgram(program, trivia);
  // Guard: formatting must not change meaning or drop a comment.
  const again = parse(new SourceFile(source.name, text));
  if (again.diagnostics.some((d) => d.severity === 'error') || !isDeepStrictEqual(stripSpans(again.program), stripSpans(program))) {
    return { ok: false, reason: 'internal error: the formatted text does not parse to the same program' };
  }
  const before = comments.map((c) => commentText(source, c)).sort();
  const after = scanRegions(text)
    .filter((r) => r.kind === 'comment')
    .map((r) => text.slice(r.start, r.end).trimEnd())
    .sort();
  if (!isDeepStrictEqual(before, after)) return { ok: false, reason: 'internal error: formatting would move or drop a comment' };
  return { ok: true, text };
}

function commentText(source: SourceFile, r: Region): string {
  return source.text.slice(r.start, r.end).trimEnd();
}

function attachComments(source: SourceFile, program: Program, comments: readonly Region[]): Trivia {
  const leading = new Map<object, string[]>();
  const trailing = new Map<object, string>();
  const dangling = new Map<object, string[]>();
  const blank = new Map<object, boolean>();
  const text = source.text;
  const lineOf = (offset: number) => source.lineIndexOf(offset);
  const push = (map: Map<object, string[]>, node: object, line: string) => {
    const list = map.get(node) ?? [];
    list.push(line);
    map.set(node, list);
  };
  /** Whether [from, to) holds an empty line, comments aside. */
  const blankBetween = (from: number, to: number) => {
    let gap = text.slice(from, Math.max(from, to));
    for (const c of comments) {
      if (c.start >= from && c.end <= to) gap = gap.slice(0, c.start - from) + ' '.repeat(c.end - c.start) + gap.slice(c.end - from);
    }
    return /\n[ \t\r]*\n/.test(gap);
  };

  // Comments are handed out in order; `place` decides for one container (file or role block).
  const place = (container: Program | RoleBlock, items: readonly Item[], inner: Region[], bodyStart: number) => {
    const pending: Region[] = []; // comments waiting for the next item
    let previousEnd = bodyStart;
    const flushLeading = (node: object, nodeStart: number) => {
      let cursor = previousEnd;
      const lines: string[] = [];
      pending.forEach((c, i) => {
        if (i > 0 && blankBetween(cursor, c.start)) lines.push('');
        lines.push(commentText(source, c));
        cursor = c.end;
      });
      if (pending.length && blankBetween(cursor, nodeStart)) lines.push('');
      if (lines.length) leading.set(node, [...(leading.get(node) ?? []), ...lines]);
      blank.set(node, blankBetween(previousEnd, pending[0]?.start ?? nodeStart));
      pending.length = 0;
    };
    let ci = 0;
    for (const item of items) {
      // Comments before the item.
      while (ci < inner.length && inner[ci]!.start < item.span.start) {
        const c = inner[ci++]!;
        const prev = items[items.indexOf(item) - 1];
        if (!pending.length && c.start >= previousEnd && prev && lineOf(c.start) === lineOf(prev.span.end - 1) && !trailing.has(prev)) {
          trailing.set(prev, commentText(source, c));
        } else if (!pending.length && !prev && container.kind === 'role' && lineOf(c.start) === lineOf(bodyStart) && !trailing.has(container)) {
          trailing.set(container, commentText(source, c));
        } else pending.push(c);
      }
      flushLeading(item, item.span.start);
      // Comments inside the item.
      const within: Region[] = [];
      while (ci < inner.length && inner[ci]!.start < item.span.end) within.push(inner[ci++]!);
      if (item.kind === 'role') {
        place(item, item.items, within, openBrace(text, item));
      } else if (item.kind === 'rule') {
        const elements = [item.head, ...item.body].map((n) => ({ node: n as object, span: n.span }));
        let carry: Region[] = [];
        for (const c of within) {
          const k = lastIndexBefore(elements, c.start);
          const before = elements[k];
          if (before && lineOf(before.span.end - 1) === lineOf(c.start) && !trailing.has(before.node) && !carry.length) {
            trailing.set(before.node, commentText(source, c));
          } else if (k + 1 < elements.length && k + 1 > 0) {
            push(leading, elements[k + 1]!.node, commentText(source, c));
          } else if (k + 1 === 0) {
            push(leading, item, commentText(source, c));
          } else carry.push(c);
        }
        pending.push(...carry);
        carry = [];
      } else {
        for (const c of within) {
          if (!trailing.has(item)) trailing.set(item, commentText(source, c));
          else pending.push(c);
        }
      }
      previousEnd = item.span.end;
    }
    // Comments after the last item.
    const last = items[items.length - 1];
    for (; ci < inner.length; ci++) {
      const c = inner[ci]!;
      if (!pending.length && last && lineOf(c.start) === lineOf(last.span.end - 1) && !trailing.has(last)) {
        trailing.set(last, commentText(source, c));
      } else if (!pending.length && !last && container.kind === 'role' && lineOf(c.start) === lineOf(bodyStart) && !trailing.has(container)) {
        trailing.set(container, commentText(source, c));
      } else pending.push(c);
    }
    if (pending.length) {
      const lines: string[] = [];
      let cursor = previousEnd;
      pending.forEach((c, i) => {
        if ((i > 0 || items.length) && blankBetween(cursor, c.start)) lines.push('');
        lines.push(commentText(source, c));
        cursor = c.end;
      });
      dangling.set(container, lines);
    }
  };

  const lastIndexBefore = (elements: { span: Span }[], offset: number) => {
    let k = -1;
    elements.forEach((e, i) => {
      if (e.span.end <= offset) k = i;
    });
    return k;
  };
  place(program, program.items, [...comments], 0);
  return {
    leading: (n) => leading.get(n) ?? [],
    trailing: (n) => trailing.get(n),
    blankBefore: (n) => blank.get(n) ?? false,
    dangling: (c) => dangling.get(c) ?? [],
  };
}

function openBrace(text: string, role: RoleBlock): number {
  const i = text.indexOf('{', role.nameSpan.end);
  return i < 0 ? role.span.start : i + 1;
}
