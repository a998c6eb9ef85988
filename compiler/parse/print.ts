// Syntax tree to canonical text. parse(print(tree)) gives the same tree (spans aside). The
// layout: one item per line, two-space indentation in role blocks, a rule on one line when it
// fits in 100 columns and otherwise one body literal per line. `Trivia` lets the formatter put
// comments and blank lines back; without it the printer uses its own spacing.

import {
  assertNever,
  type BodyLiteral,
  type Declaration,
  type Expr,
  type Head,
  type HeadArg,
  type Item,
  type Program,
  type RoleBlock,
  type Rule,
  type Term,
} from './ast.js';

export const LINE_WIDTH = 100;
const INDENT = '  ';
const CONTINUATION = '    ';

/** Comments and blank lines to restore around nodes, looked up by node identity. */
export interface Trivia {
  /** Comment lines before the node; an empty string stands for a blank line. */
  leading(node: object): readonly string[];
  trailing(node: object): string | undefined;
  /** Whether a blank line precedes the node (its leading comments included). */
  blankBefore(node: object): boolean;
  /** Comments after the last item of a block or file; an empty string is a blank line. */
  dangling(container: Program | RoleBlock): readonly string[];
}

export function printProgram(program: Program, trivia?: Trivia): string {
  const lines = printItems(program.items, '', trivia);
  for (const c of trivia?.dangling(program) ?? []) lines.push(c);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function printItems(items: readonly Item[], indent: string, trivia: Trivia | undefined): string[] {
  const lines: string[] = [];
  items.forEach((item, i) => {
    const previous = items[i - 1];
    if (previous) {
      const blank = trivia
        ? trivia.blankBefore(item)
        : previous.kind !== item.kind || item.kind === 'role' || previous.kind === 'role';
      if (blank) lines.push('');
    }
    for (const c of trivia?.leading(item) ?? []) lines.push(c ? indent + c : '');
    lines.push(...printItem(item, indent, trivia));
  });
  return lines;
}

function printItem(item: Item, indent: string, trivia: Trivia | undefined): string[] {
  switch (item.kind) {
    case 'decl':
      return [withComment(indent + printDeclaration(item), trivia?.trailing(item))];
    case 'rule':
      return printRule(item, indent, trivia);
    case 'role': {
      const lines = [withComment(`${indent}role ${item.name} {`, trivia?.trailing(item))];
      lines.push(...printItems(item.items, indent + INDENT, trivia));
      for (const c of trivia?.dangling(item) ?? []) lines.push(c ? indent + INDENT + c : '');
      lines.push(`${indent}}`);
      return lines;
    }
    default:
      return assertNever(item);
  }
}

function withComment(line: string, comment: string | undefined): string {
  return comment ? `${line} ${comment}` : line;
}

export function printDeclaration(d: Declaration): string {
  const head = `.${d.decl} ${d.name}`;
  if (d.period) return `${head} ${d.period.amount}${d.period.unit}`;
  if (d.columns) return `${head}(${d.columns.map((c) => (c.type ? `${c.name}: ${c.type}` : c.name)).join(', ')})`;
  if (d.snippets) return `${head} ${d.snippets.map((s) => `\`${s}\``).join(' ')}`;
  return head;
}

export function printRule(rule: Rule, indent: string, trivia?: Trivia): string[] {
  const label = rule.label ? `${rule.label}: ` : '';
  const head = `${indent}${label}${printHead(rule.head)} ${rule.op}`;
  const literals = rule.body.map(printLiteral);
  const innerComments =
    trivia !== undefined &&
    [rule.head, ...rule.body].some((n, i, all) => trivia.leading(n).length > 0 || (i < all.length - 1 && trivia.trailing(n)));
  const oneLine = `${head} ${literals.join(', ')}.`;
  const trailing = trivia?.trailing(rule);
  if (!innerComments && oneLine.length <= LINE_WIDTH) return [withComment(oneLine, trailing)];
  const lines = [withComment(head, trivia?.trailing(rule.head))];
  rule.body.forEach((lit, i) => {
    for (const c of trivia?.leading(lit) ?? []) lines.push(c ? indent + CONTINUATION + c : '');
    const last = i === rule.body.length - 1;
    const comment = last ? (trivia?.trailing(lit) ?? trailing) : trivia?.trailing(lit);
    lines.push(withComment(`${indent}${CONTINUATION}${literals[i]}${last ? '.' : ','}`, comment));
  });
  if (trivia?.trailing(rule.body[rule.body.length - 1]!) && trailing) lines.push(indent + CONTINUATION + trailing);
  return lines;
}

export function printHead(head: Head): string {
  return `${head.name}${head.dest ? printDestination(head.dest) : ''}(${head.args.map(printHeadArg).join(', ')})`;
}

function printDestination(dest: Expr): string {
  if (dest.kind === 'var' || (dest.kind === 'int' && dest.value >= 0n)) return `@${printExpr(dest)}`;
  return `@(${printExpr(dest)})`;
}

export function printHeadArg(arg: HeadArg): string {
  switch (arg.kind) {
    case 'aggregate':
      return `${arg.fn}(${arg.args === 'star' ? '*' : arg.args.map((v) => v.name).join(', ')})`;
    case 'index':
      return 'index()';
    default:
      return printExpr(arg);
  }
}

export function printLiteral(lit: BodyLiteral): string {
  switch (lit.kind) {
    case 'atom':
      return `${lit.name}(${lit.args.map(printTerm).join(', ')})`;
    case 'negation':
      return `!${printLiteral(lit.atom)}`;
    case 'predicate':
      return `(${printExpr(lit.left)} ${lit.op} ${printExpr(lit.right)})`;
    case 'lessThan':
      return `less_than(${lit.variable.name}, ${printTerm(lit.bound)})`;
    default:
      return assertNever(lit);
  }
}

export function printTerm(t: Term): string {
  return t.kind === 'wildcard' ? '_' : printExpr(t);
}

const precedence = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2 } as const;
const UNARY = 3;

/** Prints with the fewest parentheses that keep the tree: operators are left-associative. */
export function printExpr(e: Expr, context = 0): string {
  switch (e.kind) {
    case 'var':
      return e.name;
    case 'int':
      return e.value.toString();
    case 'string':
      return quoteString(e.value);
    case 'call':
      return `${e.fn}(${e.args.map((a) => printExpr(a)).join(', ')})`;
    case 'unary': {
      const operandIsLiteral = e.operand.kind === 'int';
      const inner = operandIsLiteral ? `(${printExpr(e.operand)})` : printExpr(e.operand, UNARY);
      return wrap(`-${inner}`, UNARY < context);
    }
    case 'binary': {
      const p = precedence[e.op];
      return wrap(`${printExpr(e.left, p)} ${e.op} ${printExpr(e.right, p + 1)}`, p < context);
    }
    default:
      return assertNever(e);
  }
}

function wrap(text: string, parens: boolean): string {
  return parens ? `(${text})` : text;
}

const escapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\0': '\\0' };

export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (escapes[ch]) out += escapes[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}
