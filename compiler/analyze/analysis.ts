// `Analysis`: the one typed value the analyses produce from a parsed file, and the façade that
// runs them in order. Later phases (interpreter, rewrites, back end) read only this value.
// Every analysis reports into the same list, so a file's problems all come out in one run.

import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Program, Rule, Declaration } from '../parse/ast.js';
import type { ParseResult } from '../parse/parse.js';
import type { SourceFile, Span } from '../source.js';
import type { ValueType } from '../values/value.js';
import { findChannels, type RoleIO } from './channels.js';
import { collectProgram } from './collect.js';
import { collectRelations } from './relations.js';
import { checkRules } from './rule-checks.js';
import { stratify } from './stratify.js';
import { inferTypes } from './types.js';

export type RelationKind = 'input' | 'output' | 'async' | 'static' | 'timer' | 'local';
export type Persistence = 'none' | 'persist' | 'durable';

export interface ColumnInfo {
  readonly name?: string;
  readonly type: ValueType;
}

export interface RelationInfo {
  readonly name: string;
  readonly kind: RelationKind;
  readonly arity: number;
  readonly columns: readonly ColumnInfo[];
  readonly persistence: Persistence;
  /** Timers: the period in microseconds. */
  readonly periodMicros?: number;
  /** The declaration that gives the relation its kind, if any. */
  readonly declaration?: Declaration;
  /** Where the relation first appears. */
  readonly span: Span;
  /** Rules whose head is this relation. */
  readonly derivedBy: readonly number[];
  /** Rules that read it in their body (positively or negated). */
  readonly readBy: readonly number[];
}

export interface RuleInfo {
  readonly id: number;
  readonly rule: Rule;
  /** The role the rule runs on; undefined for a rule outside any role in a file with roles. */
  readonly role: string | undefined;
  readonly label?: string;
  /** The rule's source text, for comments in generated code and traces. */
  readonly text: string;
  /** Inferred type of each variable of the rule. */
  readonly variables: ReadonlyMap<string, ValueType>;
  /** For `:-` rules, the stratum (index into its role's `strata`); -1 for `:+` and `:~`. */
  readonly stratum: number;
}

/** A role: its rules in evaluation order, and what it reads and emits (RoleIO). */
export interface RoleInfo extends RoleIO {
  readonly name: string;
  /** The role block, absent for the implicit role of a file without roles. */
  readonly span?: Span;
  readonly rules: readonly number[];
  /** `:-` rules grouped by stratum, lowest first; each group runs to fixpoint. */
  readonly strata: readonly (readonly number[])[];
  /** `:+` rules, run after the last stratum. */
  readonly nextRules: readonly number[];
  /** `:~` rules, run after the last stratum. */
  readonly asyncRules: readonly number[];
  /** The stratum of each relation the role derives with `:-` rules. */
  readonly relationStrata: ReadonlyMap<string, number>;
}

export interface ChannelInfo {
  readonly relation: string;
  readonly senders: readonly string[];
  /** Roles that read the channel; empty when only clients (outside the program) receive it. */
  readonly receivers: readonly string[];
}

export interface Analysis {
  readonly source: SourceFile;
  readonly program: Program;
  readonly relations: ReadonlyMap<string, RelationInfo>;
  readonly rules: readonly RuleInfo[];
  readonly roles: readonly RoleInfo[];
  readonly channels: readonly ChannelInfo[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Runs every analysis over a parsed file. Call it only when parsing reported no errors. */
export function analyze(parsed: ParseResult): Analysis {
  const sink: Diagnostic[] = [...parsed.diagnostics];
  const collected = collectProgram(parsed.source, parsed.program, sink);
  const relations = collectRelations(collected, sink);
  checkRules(collected, relations, sink);
  const types = inferTypes(collected, relations, sink);
  const strata = stratify(collected, relations, sink);
  const channels = findChannels(collected, relations, sink);

  const rules: RuleInfo[] = collected.rules.map((r) => ({
    id: r.id,
    rule: r.rule,
    role: r.role,
    ...(r.rule.label ? { label: r.rule.label } : {}),
    text: parsed.source.text.slice(r.rule.span.start, r.rule.span.end),
    variables: types.variables[r.id]!,
    stratum: strata.ruleStratum[r.id] ?? -1,
  }));
  const relationInfos = new Map<string, RelationInfo>();
  for (const [name, rel] of relations) {
    relationInfos.set(name, { ...rel, columns: types.columns.get(name)! });
  }
  const roles: RoleInfo[] = collected.roles.map((role) => ({
    ...role,
    strata: strata.roleStrata.get(role.name)!.strata,
    relationStrata: strata.roleStrata.get(role.name)!.relationStrata,
    ...channels.roleIO.get(role.name)!,
  }));
  return {
    source: parsed.source,
    program: parsed.program,
    relations: relationInfos,
    rules,
    roles,
    channels: channels.channels,
    diagnostics: sortDiagnostics(sink),
  };
}
