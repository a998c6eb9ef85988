// A broken precondition, as the analyses report it: which precondition, the rule or relation
// that breaks it, where, and what to do. The rewrite pass turns each into a DED3xx diagnostic;
// `dedc analyze` prints them as reasons. Spans point into the analysed program's source.

import type { Span } from '../../compiler/source.js';

export type Precondition =
  | 'independence'
  | 'mutual-independence'
  | 'monotonicity'
  | 'functional'
  | 'state-machine'
  | 'co-hashing'
  | 'dependencies'
  | 'partial-partitioning';

export interface Violation {
  readonly precondition: Precondition;
  /** One sentence: what breaks the precondition, naming the rule (by label or text) or relation. */
  readonly message: string;
  /** The rule (index into `Analysis.rules`) that breaks it, if one does. */
  readonly rule?: number;
  /** The relation involved, if any. */
  readonly relation?: string;
  /** Where to put the caret: the offending literal, head or declaration. */
  readonly span?: Span;
  /** What the user could do instead. */
  readonly hint?: string;
}
