// Expressions of heads and predicates as AssemblyScript. Every value is an i64 (a string is
// its interned id). An expression with no value (division by zero, `partition` over zero
// partitions, `rounds` outside 0..1,000,000) skips the binding: the generated statements
// `continue` the enclosing loop, so callers emit expressions only inside a loop. Arithmetic
// wraps at 64 bits as on every back end.

import { assertNever, type Expr } from '../../compiler/parse/ast.js';
import type { ValueType } from '../../compiler/values/value.js';
import { INT64_MIN } from '../../compiler/values/value.js';
import { ROUNDS_MAX } from '../../compiler/values/rounds.js';

export interface ExprScope {
  /** The AssemblyScript name of a variable's local. */
  readonly variable: (name: string) => string;
  /** The global holding a string literal's id. */
  readonly literal: (value: string) => string;
  readonly typeOfVar: (name: string) => ValueType;
}

export function intLiteral(v: bigint): string {
  return v === INT64_MIN ? 'i64.MIN_VALUE' : `<i64>${v}`;
}

/** Emits statements into `lines` (with `indent`) and returns an expression for e's value. */
export class ExprWriter {
  private temps = 0;
  constructor(
    private readonly scope: ExprScope,
    private readonly lines: string[],
    private readonly indent: string,
    private readonly prefix: string,
  ) {}

  private temp(value: string): string {
    const name = `${this.prefix}${this.temps++}`;
    this.lines.push(`${this.indent}const ${name}: i64 = ${value};`);
    return name;
  }

  write(e: Expr): string {
    switch (e.kind) {
      case 'var':
        return this.scope.variable(e.name);
      case 'int':
        return intLiteral(e.value);
      case 'string':
        return this.scope.literal(e.value);
      case 'unary':
        return `(<i64>0 - ${this.write(e.operand)})`;
      case 'binary': {
        const l = this.write(e.left);
        const r = this.write(e.right);
        switch (e.op) {
          case '+':
          case '-':
          case '*':
            return `(${l} ${e.op} ${r})`;
          case '/':
          case '%': {
            const a = this.temp(l);
            const b = this.temp(r);
            this.lines.push(`${this.indent}if (${b} == 0) continue;`);
            // i64.div_s traps on MIN / -1; the wrapped quotient is -MIN = MIN, the remainder 0.
            return e.op === '/' ? `(${b} == -1 ? <i64>0 - ${a} : ${a} / ${b})` : `(${b} == -1 ? <i64>0 : ${a} % ${b})`;
          }
        }
        return assertNever(e as never);
      }
      case 'call':
        return this.call(e);
      default:
        return assertNever(e);
    }
  }

  typeOf(e: Expr): ValueType {
    if (e.kind === 'var') return this.scope.typeOfVar(e.name);
    if (e.kind === 'string') return 'string';
    if (e.kind === 'call') return e.fn === 'upper' || e.fn === 'concat' ? 'string' : 'int';
    return 'int';
  }

  private hashOf(args: readonly Expr[]): string {
    let h = 'hashBegin()';
    const several = args.length > 1;
    for (const a of args) {
      const v = this.write(a);
      h = this.typeOf(a) === 'string' ? `hashString(${h}, ${v}, ${several})` : `hashInt(${h}, ${v})`;
    }
    return `hashEnd(${h})`;
  }

  private call(e: Expr & { kind: 'call' }): string {
    const args = e.args;
    switch (e.fn) {
      case 'hash':
        return this.temp(this.hashOf(args));
      case 'upper':
        return this.temp(`upperString(${this.write(args[0]!)})`);
      case 'concat':
        return this.temp(`concatStrings(${this.write(args[0]!)}, ${this.write(args[1]!)})`);
      case 'len':
        return `stringByteLength(${this.write(args[0]!)})`;
      case 'abs': {
        const a = this.temp(this.write(args[0]!));
        return `(${a} < 0 ? <i64>0 - ${a} : ${a})`;
      }
      case 'min2':
      case 'max2': {
        const a = this.temp(this.write(args[0]!));
        const b = this.temp(this.write(args[1]!));
        return e.fn === 'min2' ? `(${a} <= ${b} ? ${a} : ${b})` : `(${a} >= ${b} ? ${a} : ${b})`;
      }
      case 'offset':
        return `(${this.write(args[0]!)} + ${this.write(args[1]!)})`;
      case 'partition': {
        const base = this.temp(this.write(args[0]!));
        const n = this.temp(this.write(args[1]!));
        this.lines.push(`${this.indent}if (${n} <= 0) continue;`);
        const h = this.temp(this.hashOf(args.slice(2)));
        return `(${base} + ${h} % ${n})`;
      }
      case 'rounds': {
        const seed = this.temp(this.hashOf(args.slice(0, 1)));
        const n = this.temp(this.write(args[1]!));
        this.lines.push(`${this.indent}if (${n} < 0 || ${n} > ${ROUNDS_MAX}) continue;`);
        return this.temp(`mixRounds(${seed}, ${n})`);
      }
      default:
        throw new Error(`internal: no code for built-in ${e.fn}`);
    }
  }
}
