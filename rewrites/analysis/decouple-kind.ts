// The kinds of decoupling (paper §3, TR A.4-A.5), cheapest first: `auto` picks the first whose
// precondition holds.

export type DecoupleKind = 'mutually-independent' | 'functional' | 'monotonic' | 'state-machine' | 'asymmetric';

export const decoupleKinds: readonly DecoupleKind[] = ['mutually-independent', 'functional', 'monotonic', 'state-machine', 'asymmetric'];
