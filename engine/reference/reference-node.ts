// The reference interpreter: one node of one role, running ticks exactly as
// docs/language.md "Semantics of one node" says. A tick sees the queued external facts, the
// statics and the facts carried from the previous tick; runs the `:-` strata to fixpoint;
// then `:+` heads (plus persisted relations) become the next tick's facts, `:~` heads are
// sent, `.output` facts are emitted, and new facts of durable relations are logged.

import type { Analysis, RelationInfo, RoleInfo } from '../../compiler/analyze/analysis.js';
import { compareRows, rowKey, type Row, type Value } from '../../compiler/values/value.js';
import type { Batch, Fact, Message, NodeEngine, NodeSpec, TickOutput } from '../node-engine.js';
import { Budget, BudgetExceeded, bodyBindings, deriveHead, type Database } from './evaluate-rule.js';
import { FactSet } from './fact-set.js';

export interface ReferenceOptions {
  /** Derivation steps one tick may take before it is abandoned (DED501). */
  readonly stepLimit?: number;
}

const DEFAULT_STEP_LIMIT = 2_000_000;

export class ReferenceNode implements NodeEngine {
  readonly role: string;
  readonly address: bigint;
  private readonly roleInfo: RoleInfo;
  private readonly relations: ReadonlyMap<string, RelationInfo>;
  private readonly statics = new Map<string, FactSet>();
  private carried = new Map<string, FactSet>();
  private pending = new Map<string, FactSet>();
  private pendingCount = 0;
  private readonly durableLog = new Map<string, FactSet>();
  /** True while the node must tick again even without input (see wantsTick). A new node
   * runs tick 0 even without input: its statics (and recovered facts) are new. */
  private unsettled = true;
  private tickNumber = 0;
  /** The whole database of the last tick at fixpoint, for `databaseFacts`. */
  private lastDatabase = new Map<string, FactSet>();
  private readonly stepLimit: number;

  constructor(
    private readonly analysis: Analysis,
    spec: NodeSpec,
    options: ReferenceOptions = {},
  ) {
    const role = analysis.roles.find((r) => r.name === spec.role);
    if (!role) throw new Error(`internal: no role ${spec.role}`);
    if (analysis.diagnostics.some((d) => d.severity === 'error')) throw new Error('internal: the program has errors');
    this.role = spec.role;
    this.address = spec.address;
    this.roleInfo = role;
    this.relations = analysis.relations;
    this.stepLimit = options.stepLimit ?? DEFAULT_STEP_LIMIT;
    for (const [name, rows] of spec.statics) this.statics.set(name, FactSet.of(rows));
    for (const f of spec.recovered ?? []) {
      setOf(this.carried, f.relation).add(f.row);
      setOf(this.durableLog, f.relation).add(f.row);
    }
  }

  /** External facts are messages, client requests and timer firings; anything else, or a row
   * of the wrong shape, is rejected and counted. */
  push(batch: Batch): number {
    const rel = this.relations.get(batch.relation);
    const external = rel !== undefined && (rel.kind === 'async' || rel.kind === 'input' || rel.kind === 'timer');
    let rejected = 0;
    for (const row of batch.rows) {
      if (!external || !fits(rel, row)) {
        rejected++;
        continue;
      }
      if (setOf(this.pending, batch.relation).add(row)) this.pendingCount++;
    }
    return rejected;
  }

  /**
   * A node ticks when it has queued input, or when its last tick left it unsettled: that tick
   * had input (the state without it has not been seen yet), or it changed the carried facts.
   * A tick with no input and unchanged carried facts would repeat itself exactly, so the node
   * rests until input arrives.
   */
  wantsTick(): boolean {
    return this.pendingCount > 0 || this.unsettled;
  }

  tick(): TickOutput {
    const tick = this.tickNumber;
    const inputs = this.pendingCount;
    const db = new Map<string, FactSet>();
    for (const [name, set] of this.statics) db.set(name, set);
    for (const [name, set] of this.carried) db.set(name, FactSet.of(set));
    for (const [name, set] of this.pending) for (const row of set) setOf(db, name).add(row);
    const lookup: Database = (name) => db.get(name);
    const budget = new Budget(this.stepLimit);
    try {
      for (const stratum of this.roleInfo.strata) {
        let changed = true;
        while (changed) {
          changed = false;
          for (const id of stratum) {
            const rule = this.analysis.rules[id]!.rule;
            for (const d of deriveHead(rule, bodyBindings(rule, lookup, budget))) {
              budget.spend();
              if (setOf(db, rule.head.name).add(d.row)) changed = true;
            }
          }
        }
      }
      const next = new Map<string, FactSet>();
      for (const id of this.roleInfo.nextRules) {
        const rule = this.analysis.rules[id]!.rule;
        for (const d of deriveHead(rule, bodyBindings(rule, lookup, budget))) setOf(next, rule.head.name).add(d.row);
      }
      for (const name of this.roleInfo.relations) {
        if (this.relations.get(name)!.persistence === 'none') continue;
        for (const row of db.get(name) ?? []) setOf(next, name).add(row);
      }
      const sends = new Map<string, Message>();
      for (const id of this.roleInfo.asyncRules) {
        const rule = this.analysis.rules[id]!.rule;
        for (const d of deriveHead(rule, bodyBindings(rule, lookup, budget))) {
          const to = d.dest as bigint;
          sends.set(rowKey([to, rule.head.name, ...d.row]), { to, relation: rule.head.name, row: d.row });
        }
      }
      const outputs: Fact[] = [];
      for (const name of this.roleInfo.outputs) {
        for (const row of db.get(name)?.sorted() ?? []) outputs.push({ relation: name, row });
      }
      const durable: Fact[] = [];
      for (const name of this.roleInfo.relations) {
        if (this.relations.get(name)!.persistence !== 'durable') continue;
        const log = setOf(this.durableLog, name);
        for (const row of next.get(name)?.sorted() ?? []) if (log.add(row)) durable.push({ relation: name, row });
      }

      this.unsettled = inputs > 0 || !sameFacts(next, this.carried);
      this.lastDatabase = db;
      this.carried = next;
      this.pending = new Map();
      this.pendingCount = 0;
      this.tickNumber++;
      return { tick, inputs, sends: sortMessages([...sends.values()]), outputs, durable };
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      // The tick is abandoned; queued input stays queued, the state is as before.
      return {
        tick,
        inputs,
        sends: [],
        outputs: [],
        durable: [],
        fault: {
          code: 'DED501',
          message: `role ${this.role}: tick ${tick} did not reach a fixpoint within ${e.limit} derivation steps (does a rule derive ever new values, such as x + 1?)`,
        },
      };
    }
  }

  /** The facts carried into the next tick, for tests and traces. */
  carriedFacts(): Fact[] {
    return factsOf(this.carried);
  }

  /** Every fact of the last tick at its fixpoint (statics included), for tests and traces. */
  databaseFacts(): Fact[] {
    return factsOf(this.lastDatabase);
  }
}

function factsOf(map: ReadonlyMap<string, FactSet>): Fact[] {
  const out: Fact[] = [];
  for (const name of [...map.keys()].sort()) for (const row of map.get(name)!.sorted()) out.push({ relation: name, row });
  return out;
}

function setOf(map: Map<string, FactSet>, name: string): FactSet {
  let set = map.get(name);
  if (!set) map.set(name, (set = new FactSet()));
  return set;
}

function sameFacts(a: ReadonlyMap<string, FactSet>, b: ReadonlyMap<string, FactSet>): boolean {
  const names = new Set([...a.keys(), ...b.keys()]);
  for (const n of names) {
    const x = a.get(n);
    const y = b.get(n);
    if ((x?.size ?? 0) !== (y?.size ?? 0)) return false;
    if (x && y && !x.equals(y)) return false;
  }
  return true;
}

/** Whether a row has the relation's arity and column types. */
export function fits(rel: RelationInfo, row: Row): boolean {
  if (row.length !== rel.arity) return false;
  return row.every((v: Value, i) => (rel.columns[i]!.type === 'string' ? typeof v === 'string' : typeof v === 'bigint'));
}

function sortMessages(ms: Message[]): Message[] {
  return ms.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : compareRows(a.row, b.row)));
}
