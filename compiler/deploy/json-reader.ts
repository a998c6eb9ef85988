// Reads JSON configuration files (deployments now, rewrite plans later) with positions, so
// that every problem is a diagnostic with a line, a column and a caret in the file, never a
// stack trace. Comments and trailing commas are accepted, as in most config files.

import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { SourceFile, Span } from '../source.js';
import { closestName } from '../analyze/suggest.js';

export type JsonNode = Node;

const parseErrorText: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected `:`',
  CommaExpected: 'expected `,`',
  CloseBraceExpected: 'expected `}`',
  CloseBracketExpected: 'expected `]`',
  EndOfFileExpected: 'expected the end of the file',
  InvalidCommentToken: 'malformed comment',
  UnexpectedEndOfComment: 'comment is not closed',
  UnexpectedEndOfString: 'string is not closed',
  UnexpectedEndOfNumber: 'number is cut off',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

export class JsonReader {
  constructor(
    readonly source: SourceFile,
    readonly sink: Diagnostic[],
    private readonly shapeCode: DiagnosticCode,
  ) {}

  /** The tree of the file, or undefined (with diagnostics under `syntaxCode`) if it is not JSON. */
  static parse(source: SourceFile, sink: Diagnostic[], syntaxCode: DiagnosticCode): JsonNode | undefined {
    const errors: ParseError[] = [];
    const tree = parseTree(source.text, errors, { allowTrailingComma: true, disallowComments: false });
    for (const e of errors.slice(0, 5)) {
      const what = parseErrorText[printParseErrorCode(e.error)] ?? 'malformed JSON';
      const start = Math.min(e.offset, source.text.length);
      const end = Math.min(source.text.length, start + Math.max(1, e.length));
      sink.push(diagnostic(syntaxCode, `not valid JSON: ${what}`, { span: { start, end }, label: what }));
    }
    if (errors.length || !tree) {
      if (!errors.length) sink.push(diagnostic(syntaxCode, 'the file is empty', { span: { start: 0, end: 0 } }));
      return undefined;
    }
    return tree;
  }

  span(node: JsonNode): Span {
    return { start: node.offset, end: node.offset + node.length };
  }

  error(node: JsonNode, message: string, label?: string, hint?: string, code: DiagnosticCode = this.shapeCode): void {
    this.sink.push(diagnostic(code, message, { span: this.span(node), ...(label ? { label } : {}), ...(hint ? { hint } : {}) }));
  }

  /** The properties of an object, checked against the allowed keys. */
  object(node: JsonNode, what: string, allowed?: readonly string[]): Map<string, { key: JsonNode; value: JsonNode }> | undefined {
    if (node.type !== 'object') {
      this.error(node, `${what} must be an object`, describe(node));
      return undefined;
    }
    const out = new Map<string, { key: JsonNode; value: JsonNode }>();
    for (const prop of node.children ?? []) {
      const [key, value] = prop.children ?? [];
      if (!key || !value) continue;
      const name = key.value as string;
      if (allowed && !allowed.includes(name)) {
        const near = closestName(name, allowed);
        this.error(key, `unknown setting \`${name}\` in ${what}`, 'not recognised', near ? `did you mean \`${near}\`?` : `the settings are: ${allowed.join(', ')}`);
        continue;
      }
      if (out.has(name)) this.error(key, `\`${name}\` is given twice in ${what}`, 'repeated');
      out.set(name, { key, value });
    }
    return out;
  }

  array(node: JsonNode, what: string): JsonNode[] | undefined {
    if (node.type !== 'array') {
      this.error(node, `${what} must be an array`, describe(node));
      return undefined;
    }
    return node.children ?? [];
  }

  string(node: JsonNode, what: string): string | undefined {
    if (node.type !== 'string') {
      this.error(node, `${what} must be a string`, describe(node));
      return undefined;
    }
    return node.value as string;
  }

  integer(node: JsonNode, what: string, min: number, max: number): number | undefined {
    const v = node.value;
    if (node.type !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      this.error(node, `${what} must be a whole number from ${min} to ${max}`, node.type === 'number' ? 'out of range' : describe(node));
      return undefined;
    }
    return v as number;
  }

  number(node: JsonNode, what: string, min: number, max: number): number | undefined {
    const v = node.value;
    if (node.type !== 'number' || !(v >= min && v <= max)) {
      this.error(node, `${what} must be a number from ${min} to ${max}`, node.type === 'number' ? 'out of range' : describe(node));
      return undefined;
    }
    return v as number;
  }
}

/** "an object", "a string", ... */
export function describe(node: JsonNode): string {
  return `${/^[aeiou]/.test(node.type) ? 'an' : 'a'} ${node.type}`;
}
