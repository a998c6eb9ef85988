// The built-in pure functions usable in head expressions and predicates. For the analyses a
// call is the infinite relation f(inputs, output) of the paper: its inputs determine its
// output (a functional dependency). `apply` is the reference semantics; `undefined` means the
// function has no result for these inputs, and the binding derives nothing.

import { stableHash, stableHashTuple } from './hash.js';
import { mixRounds, ROUNDS_MAX } from './rounds.js';
import { wrap64, type Value, type ValueType } from './value.js';

export type ParamType = ValueType | 'any';

export interface Builtin {
  readonly name: string;
  readonly params: readonly ParamType[];
  /** When set, any number of further arguments of this type may follow `params`. */
  readonly rest?: ParamType;
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
        rest: 'any',
        result: 'int',
        doc: 'a stable 64-bit hash of any value, or of a tuple of values, in [0, 2^63)',
        apply: (vs) => (vs.length === 1 ? stableHash(vs[0]!) : stableHashTuple(vs)),
      },
      {
        name: 'upper',
        params: ['string'],
        result: 'string',
        doc: 'the string with ASCII letters in upper case',
        apply: ([s]) => str(s!).replace(/[a-z]+/g, (m) => m.toUpperCase()),
      },
      {
        name: 'partition',
        params: ['addr', 'int'],
        rest: 'any',
        result: 'addr',
        doc: 'partition(base, n, k1, ..., km): the address of partition hash(k1, ..., km) % n of the partitioned node at base (the rewriter routes with it)',
        apply: ([base, n, ...keys]) => (int(n!) > 0n ? int(base!) + (stableHashTuple(keys) % int(n!)) : undefined),
      },
      {
        name: 'offset',
        params: ['addr', 'int'],
        result: 'addr',
        doc: 'offset(a, j): the address j places after a; partition j of the partitioned node at a',
        apply: ([a, j]) => wrap64(int(a!) + int(j!)),
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
      {
        name: 'rounds',
        params: ['any', 'int'],
        result: 'int',
        doc: `rounds(v, n): n rounds of the splitmix64 mixing step from hash(v), in [0, 2^63); CPU-heavy work on purpose (no value when n < 0 or n > ${ROUNDS_MAX})`,
        apply: ([v, n]) => (int(n!) >= 0n && int(n!) <= ROUNDS_MAX ? mixRounds(stableHash(v!), int(n!)) : undefined),
      },
    ] satisfies Builtin[]
  ).map((b) => [b.name, b]),
);
