// The plan IR: per role, how each relation is stored and kept across ticks, and per rule, the
// join trees that evaluate it. It is the one value between the analyses and code generation
// (`dedc show plan` prints it). Join order comes from bound variables and relation size
// classes, not source order; every positive atom of an incrementally evaluated rule gets a
// delta variant (semi-naive), so a tick's work follows its new facts.

import type { AggregateFn, CompareOp, Expr } from '../parse/ast.js';
import type { ValueType } from '../values/value.js';
import type { RelationEntry } from './relation-table.js';

/**
 * How a relation's facts live across ticks on one node:
 * - `static`: deployment facts, loaded once;
 * - `input`: pushed from outside between ticks (messages, client input, timers), dropped after the tick;
 * - `stored`: persisted (`.persist`, `.durable`): only grows, kept in place;
 * - `carried`: not persisted but derived by `:+` rules: replaced by what they staged, each tick;
 * - `cached`: derived by monotone rules from kept relations only: only grows, kept, extended
 *   incrementally;
 * - `transient`: derived in the tick and dropped after it.
 */
export type StorageClass = 'static' | 'input' | 'stored' | 'carried' | 'cached' | 'transient';

/** Size estimate used to order joins: facts of one tick, deployment facts, accumulated facts. */
export type SizeClass = 'tick' | 'deployment' | 'accumulated';

export interface RelationPlan {
  /** The relation's number in the program's relation table; -1 for the kept part of a split
   * relation (see split-relations.ts), which exists only inside a node. */
  readonly id: number;
  readonly name: string;
  readonly types: readonly ValueType[];
  readonly storage: StorageClass;
  readonly size: SizeClass;
  /** Accepts facts from outside (messages, inputs, timers). */
  readonly external: boolean;
  /** External but kept across ticks: pushes wait in a pending set until the tick starts. */
  readonly pending: boolean;
  readonly durable: boolean;
  readonly output: boolean;
  /** Derived by `:+` rules: their heads are staged for the next tick. */
  readonly staged: boolean;
  /** Sent by `:~` rules of this role. */
  readonly sent: boolean;
  /** Column lists of the hash indexes that lookups and anti-joins use. */
  readonly indexes: readonly (readonly number[])[];
}

/** A value an atom column is compared with: a variable bound earlier, or a constant. */
export type KeyTerm = { readonly kind: 'var'; readonly name: string } | { readonly kind: 'int'; readonly value: bigint } | { readonly kind: 'string'; readonly value: string };

/** Which rows of a relation a join step reads: semi-naive versions as row-id ranges. */
export type RowRange =
  /** Every row, as the relation stands when the rule starts. */
  | 'all'
  /** Rows added since this rule last read the relation (the delta). */
  | 'delta'
  /** Rows this rule had already read (old). */
  | 'seen';

export type Step =
  | {
      readonly kind: 'scan';
      readonly atom: number;
      readonly relation: string;
      readonly range: RowRange;
      /** Columns that bind a variable for the first time. */
      readonly binds: readonly { readonly col: number; readonly name: string }[];
      /** Columns compared with a constant or an already bound variable (repeated in the atom). */
      readonly checks: readonly { readonly col: number; readonly term: KeyTerm }[];
    }
  | {
      readonly kind: 'lookup';
      readonly atom: number;
      readonly relation: string;
      readonly range: RowRange;
      /** The index used (position in the relation's `indexes`), or 'row' for the full-row table. */
      readonly index: number | 'row';
      readonly key: readonly KeyTerm[];
      readonly binds: readonly { readonly col: number; readonly name: string }[];
      readonly checks: readonly { readonly col: number; readonly term: KeyTerm }[];
    }
  | { readonly kind: 'generate'; readonly name: string; readonly bound: KeyTerm }
  | { readonly kind: 'filter'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr; readonly type: ValueType }
  | {
      readonly kind: 'antijoin';
      readonly relation: string;
      /** 'row' when every column is bound, 'empty' when none is and nothing is checked. */
      readonly index: number | 'row' | 'none' | 'empty';
      readonly key: readonly KeyTerm[];
      /** Existential columns that must equal another column of the same row (repeated variables). */
      readonly sameAs: readonly { readonly col: number; readonly other: number }[];
    };

/** One join tree of a rule: with `delta` set, the variant that reads that atom's new rows. */
export interface Variant {
  readonly delta?: number;
  readonly steps: readonly Step[];
}

/**
 * When a rule runs:
 * - `incremental`: in its stratum's fixpoint, reading only rows it has not read yet, across
 *   ticks too (its head is kept and only grows);
 * - `per-tick`: in its stratum's fixpoint, semi-naive within the tick, from scratch each tick;
 * - `once`: aggregates and index(): once per tick after the strata below are complete;
 * - `accumulate`: an aggregate over relations that only grow: once per tick, but reading only
 *   new rows (semi-naive, as `incremental`) and folding the new bindings into per-group state
 *   kept across ticks (count, sum, min, max, choose over growing sets);
 * - `next`, `async`: once after the last stratum, into the next tick's staging or the sends.
 */
export type Evaluation = 'incremental' | 'per-tick' | 'once' | 'accumulate' | 'next' | 'async';

export type HeadValue =
  | { readonly kind: 'expr'; readonly expr: Expr; readonly type: ValueType }
  | { readonly kind: 'aggregate'; readonly fn: AggregateFn; readonly vars: readonly string[] | 'star'; readonly type: ValueType }
  | { readonly kind: 'index' };

export interface HeadPlan {
  readonly relation: string;
  readonly dest?: Expr;
  readonly values: readonly HeadValue[];
}

export interface RulePlan {
  readonly id: number;
  /** A per-tick rule's first pass in each tick: every atom's rows, joined from the smallest,
   * so that a stored relation is probed by this tick's facts rather than scanned as a delta. */
  readonly full?: Variant;
  readonly label?: string;
  readonly text: string;
  readonly evaluation: Evaluation;
  /** The relation each positive atom reads, by atom number (for watermarks). */
  readonly atoms: readonly string[];
  /** Every variable the body binds, in binding order, with its type. */
  readonly variables: readonly { readonly name: string; readonly type: ValueType }[];
  readonly variants: readonly Variant[];
  readonly head: HeadPlan;
}

export interface StratumPlan {
  /** Aggregate and index() rules (`once`, `accumulate`), run once when the stratum starts. */
  readonly once: readonly RulePlan[];
  /** The rest, run together to fixpoint. */
  readonly fixpoint: readonly RulePlan[];
}

export interface RolePlan {
  readonly role: string;
  /** Every relation the node holds: the role's own and every external relation of the program. */
  readonly relations: readonly RelationPlan[];
  readonly strata: readonly StratumPlan[];
  readonly next: readonly RulePlan[];
  readonly async: readonly RulePlan[];
  /** `.output` relations emitted each tick, in emission order. */
  readonly outputs: readonly string[];
  /** Durable relations whose new facts are logged each tick, in emission order. */
  readonly durable: readonly string[];
  /** String literals of the role's rules, interned at start. */
  readonly literals: readonly string[];
}

export interface ProgramPlan {
  readonly relations: readonly RelationEntry[];
  readonly roles: readonly RolePlan[];
}
