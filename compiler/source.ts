// Source text and positions. Every phase refers to text by `Span` (UTF-16 offsets into one
// SourceFile); line and column numbers are computed only when something is shown to a person.

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in Unicode code points. */
  readonly column: number;
}

export class SourceFile {
  readonly name: string;
  readonly text: string;
  private readonly lineStarts: number[];

  constructor(name: string, text: string) {
    this.name = name;
    this.text = text;
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  /** The 0-based line index containing `offset`. */
  lineIndexOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineIndexOf(clamped);
    const start = this.lineStarts[line]!;
    return { line: line + 1, column: codePointLength(this.text.slice(start, clamped)) + 1 };
  }

  /** Text of a 0-based line, without its line break. */
  lineText(lineIndex: number): string {
    const start = this.lineStarts[lineIndex] ?? this.text.length;
    const next = this.lineStarts[lineIndex + 1];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  lineStart(lineIndex: number): number {
    return this.lineStarts[lineIndex] ?? this.text.length;
  }

  /** "file:line:col" for the start of a span. */
  locate(span: Span): string {
    const p = this.position(span.start);
    return `${this.name}:${p.line}:${p.column}`;
  }
}

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
