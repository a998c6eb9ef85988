// The relations the batched decouplings (TR A.4, A.5) send in numbered batches, and their
// precondition: a batch goes out in every tick in which a batched relation has facts, so each
// must be empty in ticks without input (an existence dependency, TR A.4.1).

import type { Analysis } from '../../compiler/analyze/analysis.js';
import { readsRelation } from '../mechanisms/rename.js';
import { ruleSetIO, type RuleSet } from './rule-set.js';
import { existenceDependent } from './state-machine.js';
import type { Violation } from './violation.js';

const external = new Set(['async', 'input', 'timer']);

/**
 * A batch goes out in every tick in which a batched relation has facts, so each must be empty
 * in ticks without input (an existence dependency, TR A.4.1): otherwise the sender would send a
 * batch, and keep its node busy, in every tick. `sender` are the rules that derive them.
 */
export function batchedViolations(a: Analysis, sender: RuleSet, batched: readonly string[], readers: RuleSet): Violation[] {
  const inputs = ruleSetIO(a, sender).inputs.filter((r) => external.has(a.relations.get(r)!.kind));
  const empty = existenceDependent(a, sender, inputs);
  return batched
    .filter((r) => !external.has(a.relations.get(r)!.kind) && !empty.has(r))
    .map((r) => {
      const reader = readers.find((id) => readsRelation(a.rules[id]!.rule, r));
      return {
        precondition: 'state-machine' as const,
        message: `\`${r}\` would travel in batches, one per tick in which it has facts, but it can have facts in a tick without input (it is not existence-dependent on ${inputs.map((i) => `\`${i}\``).join(', ') || 'any input'})`,
        relation: r,
        ...(reader !== undefined ? { rule: reader } : {}),
        hint: `read only relations that hold in the tick their input arrives (not persisted state) across the split`,
      };
    });
}

/** The relations state-machine decoupling batches: the moved rules' non-static inputs. */
export function batchedInputs(a: Analysis, c2: RuleSet): string[] {
  return ruleSetIO(a, c2).inputs.filter((r) => a.relations.get(r)!.kind !== 'static');
}

/** The relations asymmetric decoupling batches back: local relations the moved rules derive and the rest reads. */
export function batchedBack(a: Analysis, c1: RuleSet, c2: RuleSet): string[] {
  const read = ruleSetIO(a, c1).references;
  return ruleSetIO(a, c2).heads.filter((r) => read.includes(r) && a.relations.get(r)!.kind === 'local');
}
