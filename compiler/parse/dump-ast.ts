// `dedc show ast`: the syntax tree as an indented outline, one node per line, with the source
// range of each node when asked. Sample tests compare against this text.

import type { SourceFile, Span } from '../source.js';
import { assertNever, type BodyLiteral, type Expr, type HeadArg, type Item, type Program, type Term } from './ast.js';
import { quoteString } from './print.js';

export function dumpAst(program: Program, source?: SourceFile): string {
  const lines: string[] = [];
  const at = (s: Span) => {
    if (!source) return '';
    const a = source.position(s.start);
    const b = source.position(s.end);
    return ` [${a.line}:${a.column}-${b.line}:${b.column}]`;
  };
  const line = (depth: number, text: string, s?: Span): void => void lines.push(`${'  '.repeat(depth)}${text}${s ? at(s) : ''}`);

  const expr = (e: Expr | Term, d: number): void => {
    switch (e.kind) {
      case 'var':
        return line(d, `var ${e.name}`, e.span);
      case 'wildcard':
        return line(d, 'wildcard', e.span);
      case 'int':
        return line(d, `int ${e.value}`, e.span);
      case 'string':
        return line(d, `string ${quoteString(e.value)}`, e.span);
      case 'binary':
        line(d, `binary ${e.op}`, e.span);
        expr(e.left, d + 1);
        return expr(e.right, d + 1);
      case 'unary':
        line(d, `unary ${e.op}`, e.span);
        return expr(e.operand, d + 1);
      case 'call':
        line(d, `call ${e.fn}`, e.span);
        return e.args.forEach((a) => expr(a, d + 1));
      default:
        return assertNever(e);
    }
  };
  const headArg = (a: HeadArg, d: number): void => {
    if (a.kind === 'aggregate') {
      line(d, `aggregate ${a.fn}${a.args === 'star' ? ' *' : ''}`, a.span);
      if (a.args !== 'star') a.args.forEach((v) => expr(v, d + 1));
    } else if (a.kind === 'index') line(d, 'index', a.span);
    else expr(a, d);
  };
  const literal = (l: BodyLiteral, d: number): void => {
    switch (l.kind) {
      case 'atom':
        line(d, `atom ${l.name}`, l.span);
        return l.args.forEach((a) => expr(a, d + 1));
      case 'negation':
        line(d, 'negation', l.span);
        return literal(l.atom, d + 1);
      case 'predicate':
        line(d, `predicate ${l.op}`, l.span);
        expr(l.left, d + 1);
        return expr(l.right, d + 1);
      case 'lessThan':
        line(d, 'less_than', l.span);
        expr(l.variable, d + 1);
        return expr(l.bound, d + 1);
      default:
        return assertNever(l);
    }
  };
  const item = (it: Item, d: number): void => {
    switch (it.kind) {
      case 'role':
        line(d, `role ${it.name}`, it.span);
        return it.items.forEach((i) => item(i, d + 1));
      case 'decl': {
        const extra = it.period ? ` ${it.period.amount}${it.period.unit}` : '';
        const shape = it.columns?.length === 0 ? ' ()' : '';
        line(d, `decl .${it.decl} ${it.name}${extra}${shape}`, it.span);
        for (const c of it.columns ?? []) line(d + 1, `column ${c.name}${c.type ? `: ${c.type}` : ''}`, c.span);
        for (const s of it.snippets ?? []) line(d + 1, `snippet ${quoteString(s)}`);
        return;
      }
      case 'rule':
        line(d, `rule ${it.op}${it.label ? ` label=${it.label}` : ''}`, it.span);
        line(d + 1, `head ${it.head.name}`, it.head.span);
        if (it.head.dest) {
          line(d + 2, 'dest');
          expr(it.head.dest, d + 3);
        }
        it.head.args.forEach((a) => headArg(a, d + 2));
        line(d + 1, 'body');
        return it.body.forEach((l) => literal(l, d + 2));
      default:
        return assertNever(it);
    }
  };
  line(0, 'program');
  program.items.forEach((i) => item(i, 1));
  return `${lines.join('\n')}\n`;
}
