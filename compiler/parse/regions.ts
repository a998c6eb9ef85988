// A lexical pass that splits source text into code, string literals, backtick snippets and
// comments. The parser's error recovery uses it to find braces and item boundaries without
// being fooled by `{` or `#` inside strings; the formatter uses it to find comments.

export type RegionKind = 'code' | 'string' | 'snippet' | 'comment';

export interface Region {
  readonly kind: RegionKind;
  readonly start: number;
  readonly end: number;
}

/** Regions covering all of `text`, in order. Unterminated strings and snippets run to the end of
 * their line (strings) or of the text (snippets), like the grammar would read them. */
export function scanRegions(text: string): Region[] {
  const out: Region[] = [];
  let codeStart = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > codeStart) out.push({ kind: 'code', start: codeStart, end });
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      flush(i);
      const end = lineEnd(text, i);
      out.push({ kind: 'comment', start: i, end });
      i = codeStart = end;
    } else if (ch === '"') {
      flush(i);
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' && text[j + 1] !== '\n' ? 2 : 1;
      const end = text[j] === '"' ? j + 1 : Math.min(j, text.length);
      out.push({ kind: 'string', start: i, end });
      i = codeStart = end;
    } else if (ch === '`') {
      flush(i);
      const close = text.indexOf('`', i + 1);
      const end = close < 0 ? text.length : close + 1;
      out.push({ kind: 'snippet', start: i, end });
      i = codeStart = end;
    } else {
      i++;
    }
  }
  flush(text.length);
  return out;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** `text` with every comment replaced by spaces (offsets unchanged). */
export function blankComments(text: string, regions: readonly Region[]): string {
  let out = '';
  for (const r of regions) out += r.kind === 'comment' ? ' '.repeat(r.end - r.start) : text.slice(r.start, r.end);
  return out;
}
