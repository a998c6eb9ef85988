// The built-in pure functions usable in head expressions and predicates. For the analyses a
// call is the infinite relation f(inputs, output) of the paper: its inputs determine its
// output (a functional dependency). `apply` is the reference semantics; `undefined` means the
// function has no result for these inputs, and the binding derives nothing.

import { stableHash } from './hash.js';
import { wrap64, type Value, type ValueType } from './value.js';

export type ParamType = ValueType | 'any';

export interface Builtin {
  readonly name: string;
  readonly params: readonly ParamType[];
  readonly result: ValueType;
  readonly doc: string;
  apply(args: readonly Value[]): Value | undefined;
}

const encoder = new TextEncoder();
const int = (v: Value) => v as bigint;
const str = (v: Value) => v as string;

export const builtins: ReadonlyMap<string, Builtin> = new Map(
  (
    [
      {
        name: 'hash',
        params: ['any'],
        result: 'int',
        doc: 'a stable 64-bit hash of any value, in [0, 2^63)',
        apply: ([v]) => stableHash(v!),
      },
      {
        name: 'len',
        params: ['string'],
        result: 'int',
        doc: 'the length of a string in UTF-8 bytes',
        apply: ([s]) => BigInt(encoder.encode(str(s!)).length),
      },
      {
        name: 'concat',
        params: ['string', 'string'],
        result: 'string',
        doc: 'the two strings joined',
        apply: ([a, b]) => str(a!) + str(b!),
      },
      {
        name: 'abs',
        params: ['int'],
        result: 'int',
        doc: 'the absolute value (wrapping: abs of the least integer is itself)',
        apply: ([a]) => wrap64(int(a!) < 0n ? -int(a!) : int(a!)),
      },
      {
        name: 'min2',
        params: ['int', 'int'],
        result: 'int',
        doc: 'the smaller of two integers',
        apply: ([a, b]) => (int(a!) <= int(b!) ? a! : b!),
      },
      {
        name: 'max2',
        params: ['int', 'int'],
        result: 'int',
        doc: 'the larger of two integers',
        apply: ([a, b]) => (int(a!) >= int(b!) ? a! : b!),
      },
    ] satisfies Builtin[]
  ).map((b) => [b.name, b]),
);
