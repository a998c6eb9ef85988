// State machines (TR A.4): C2 behaves like a state machine on its inputs when the passing of
// ticks without input changes nothing: (a) every relation it references has an existence
// dependency (empty in a tick without input) or a no-change dependency (unchanged in a tick
// without input) on the inputs, and (b) every output has an existence dependency.
// The conservative tests of A.4.1, literally:
// * existence: every rule deriving r is not `:+` and has a positive atom that is an input or
//   existence-dependent;
// * no-change: (1) explicit persist: r's only inductive rule is the plain persistence rule (or
//   `.persist`/`.durable`); a garbage-collected persistence rule is not plain persistence;
//   (3) change only on inputs: r's other rules each have a positive atom that is an input or
//   existence-dependent; (2) implicit persist: r has no inductive rule, and its rules read only
//   statics and no-change-dependent relations.
// Both definitions are recursive; each is computed as its greatest fixpoint, which is sound
// because nothing is carried into a tick for these relations but their persisted facts.
// Choices: timers the rules read are inputs too. An input itself trivially has an existence
// dependency — unless it is persisted, when it has a no-change one (it changes only as facts
// arrive). A derived relation that also arrives from outside (a channel the rule set both
// sends and reads) has neither. `:~` rules only send: their heads are outputs, never state.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import { declarationsOf, type Rule } from '../../compiler/parse/ast.js';
import type { Span } from '../../compiler/source.js';
import { declaredPersistent, isGcPersistence, isPlainPersistence, persistenceRule } from './persistence-rule.js';
import { ruleName } from './rule-name.js';
import { isEdb, ruleReferences, ruleSetIO, type RuleSet } from './rule-set.js';
import type { Violation } from './violation.js';

/** Relations that are empty in every tick in which all the inputs are empty. */
export function existenceDependent(analysis: Analysis, rules: RuleSet, inputs: readonly string[]): Set<string> {
  return new Context(analysis, rules, inputs).existence;
}

/** Relations that are unchanged in every tick in which all the inputs are empty. */
export function noChangeDependent(analysis: Analysis, rules: RuleSet, inputs: readonly string[]): Set<string> {
  return new Context(analysis, rules, inputs).noChange;
}

/**
 * `state` lists outputs that are not sent anywhere but read on the same node by other rules
 * (partial partitioning's replicated relations, read by the partitioned rules): like the
 * relations the component references, they may keep their facts between inputs.
 */
export function stateMachineViolations(analysis: Analysis, c2: RuleSet, inputs: readonly string[], state: ReadonlySet<string> = new Set()): Violation[] {
  const ctx = new Context(analysis, c2, inputs);
  const io = ruleSetIO(analysis, c2);
  const out: Violation[] = [];
  for (const r of [...io.references, ...io.outputs.filter((o) => state.has(o))]) {
    if (ctx.existence.has(r) || ctx.noChange.has(r)) continue;
    out.push({ precondition: 'state-machine', relation: r, ...ctx.explain(r, false) });
  }
  for (const r of io.outputs) {
    if (ctx.existence.has(r) || state.has(r)) continue;
    out.push({ precondition: 'state-machine', relation: r, ...ctx.explain(r, true) });
  }
  return out;
}

interface Reason {
  readonly message: string;
  readonly rule?: number;
  readonly span?: Span;
  readonly hint?: string;
}

class Context {
  readonly inputs: Set<string>;
  /** Inputs that last one tick: those not persisted. */
  readonly fresh: Set<string>;
  readonly derivers = new Map<string, number[]>();
  readonly existence: Set<string>;
  readonly noChange: Set<string>;

  constructor(
    readonly analysis: Analysis,
    readonly rules: RuleSet,
    inputs: readonly string[],
  ) {
    this.inputs = new Set(inputs);
    for (const id of rules) {
      for (const r of ruleReferences(analysis, id)) if (analysis.relations.get(r)?.kind === 'timer') this.inputs.add(r);
      const head = analysis.rules[id]!.rule.head.name;
      this.derivers.set(head, [...(this.derivers.get(head) ?? []), id]);
    }
    this.fresh = new Set([...this.inputs].filter((r) => !declaredPersistent(analysis, r)));
    this.existence = this.computeExistence();
    this.noChange = this.computeNoChange();
  }

  private rule(id: number): Rule {
    return this.analysis.rules[id]!.rule;
  }

  /** Derived here but also fed from outside the rule set: a channel, input or timer it reads. */
  arrives(r: string): boolean {
    const kind = this.analysis.relations.get(r)?.kind;
    if (kind !== 'input' && kind !== 'async' && kind !== 'timer') return false;
    return this.rules.some((id) => ruleReferences(this.analysis, id).includes(r));
  }

  private hasPositiveIn(id: number, set: ReadonlySet<string>): boolean {
    return this.rule(id).body.some((l) => l.kind === 'atom' && (this.fresh.has(l.name) || set.has(l.name)));
  }

  private computeExistence(): Set<string> {
    const set = new Set<string>();
    for (const r of this.derivers.keys()) {
      if (!this.inputs.has(r) && !declaredPersistent(this.analysis, r) && !this.arrives(r)) set.add(r);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const r of [...set]) {
        if (this.derivers.get(r)!.some((id) => this.rule(id).op === ':+' || !this.hasPositiveIn(id, set))) {
          set.delete(r);
          changed = true;
        }
      }
    }
    return new Set([...this.fresh, ...set]);
  }

  private localDerivers(r: string): number[] {
    return (this.derivers.get(r) ?? []).filter((id) => this.rule(id).op !== ':~');
  }

  private persisted(r: string): boolean {
    return declaredPersistent(this.analysis, r) || this.localDerivers(r).some((id) => this.rule(id).op === ':+');
  }

  private computeNoChange(): Set<string> {
    const set = new Set([...this.inputs].filter((r) => !this.fresh.has(r)));
    const implicit = new Set<string>();
    for (const r of this.derivers.keys()) {
      const local = this.localDerivers(r);
      if (this.inputs.has(r) || this.arrives(r) || local.length === 0) continue;
      if (!this.persisted(r)) {
        implicit.add(r);
        set.add(r);
        continue;
      }
      // Explicit persist, with other rules that change r only on input.
      const ok = local.every((id) =>
        this.rule(id).op === ':+' ? isPlainPersistence(this.analysis, id) : this.hasPositiveIn(id, this.existence),
      );
      if (ok) set.add(r);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const r of [...implicit]) {
        const reads = this.localDerivers(r).flatMap((id) => ruleReferences(this.analysis, id));
        if (reads.some((s) => !set.has(s))) {
          set.delete(r);
          implicit.delete(r);
          changed = true;
        }
      }
    }
    return set;
  }

  /** Why r lacks the dependency it needs: existence (for an output), or either one. */
  explain(r: string, output: boolean): Reason {
    const a = this.analysis;
    const all = this.derivers.get(r) ?? [];
    const local = this.localDerivers(r);
    const head = (id: number) => ({ rule: id, span: this.rule(id).head.span });
    const noInput = (id: number) => !this.hasPositiveIn(id, this.existence);
    const hint = 'keep the rule on the original role, or decouple with another kind';
    if (all.length === 0) {
      return { message: `\`${r}\` is read but neither derived by the rule set nor one of its inputs`, hint };
    }
    if (this.arrives(r)) {
      return {
        ...head(all[0]!),
        message: `\`${r}\` is derived by ${ruleName(a, all[0]!)} but also arrives from outside, so it can hold facts, and change, in a tick without input`,
        hint,
      };
    }
    const gc = local.find((id) => isGcPersistence(a, id));
    if (gc !== undefined) {
      return {
        rule: gc,
        span: persistenceRule(a, gc)!.gc[0]!.span,
        message: `${ruleName(a, gc)} carries \`${r}\` to the next tick under a garbage-collection condition, so \`${r}\` holds facts in a tick without input and can lose some then`,
        hint: `a state machine's state may change only on input: persist \`${r}\` without a condition, or ${hint}`,
      };
    }
    const next = local.find((id) => this.rule(id).op === ':+' && !isPlainPersistence(a, id));
    if (next !== undefined) {
      return {
        ...head(next),
        message: `${ruleName(a, next)} derives \`${r}\` with \`:+\`, so its facts appear in the tick after an input, which may have none`,
        hint,
      };
    }
    if (this.persisted(r)) {
      if (output) {
        const plain = local.find((id) => isPlainPersistence(a, id));
        const decl = [...declarationsOf(a.program)].find((d) => d.name === r && (d.decl === 'persist' || d.decl === 'durable'));
        return {
          ...(plain !== undefined ? head(plain) : decl ? { span: decl.span } : {}),
          message: `the output \`${r}\` is persisted, so it holds facts in ticks without input`,
          hint,
        };
      }
      const bad = local.find((id) => this.rule(id).op !== ':+' && noInput(id)) ?? local[0]!;
      return {
        ...head(bad),
        message: `${ruleName(a, bad)} can add facts to the persisted \`${r}\` in a tick without input: none of its positive atoms is an input or empty without input`,
        hint,
      };
    }
    const noE = all.find(noInput);
    if (noE === undefined) return { ...head(all[0]!), message: `\`${r}\` does not depend on the inputs as a state machine needs`, hint };
    if (output) {
      return {
        ...head(noE),
        message: `${ruleName(a, noE)} can derive the output \`${r}\` in a tick without input: none of its positive atoms is an input or empty without input`,
        hint,
      };
    }
    const changing = (id: number) => ruleReferences(a, id).find((s) => !this.noChange.has(s) && !isEdb(a, s));
    const both = local.find((id) => noInput(id) && changing(id) !== undefined);
    if (both !== undefined) {
      const s = changing(both)!;
      const lit = this.rule(both).body.find((l) => (l.kind === 'atom' ? l.name : l.kind === 'negation' ? l.atom.name : '') === s)!;
      return {
        rule: both,
        span: lit.span,
        message: `${ruleName(a, both)} derives \`${r}\` from \`${s}\`, which can change in a tick without input, and none of its positive atoms is an input or empty without input`,
        hint,
      };
    }
    const noN = local.find((id) => changing(id) !== undefined);
    const from = noN === undefined ? '' : ` and from input by ${ruleName(a, noN)}`;
    return {
      ...head(noE),
      message: `\`${r}\` is derived from state by ${ruleName(a, noE)}${from} without being persisted, so it is neither empty nor unchanged in a tick without input`,
      hint,
    };
  }
}
