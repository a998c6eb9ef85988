// The relation table: each relation's kind, arity, persistence, and which rules derive and
// read it. Reports arity mismatches, relations read but never defined, relations read on a
// role that never derives them (only channels cross nodes), and declarations nobody uses.

import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { periodMicros, type Atom, type Declaration, type Head } from '../parse/ast.js';
import type { Span } from '../source.js';
import type { Persistence, RelationKind } from './analysis.js';
import type { CollectedProgram } from './collect.js';
import { closestName } from './suggest.js';

export interface RelationDraft {
  readonly name: string;
  readonly kind: RelationKind;
  readonly arity: number;
  readonly persistence: Persistence;
  readonly periodMicros?: number;
  readonly declaration?: Declaration;
  readonly span: Span;
  readonly derivedBy: number[];
  readonly readBy: number[];
}

export type RelationTable = ReadonlyMap<string, RelationDraft>;

export function collectRelations(program: CollectedProgram, sink: Diagnostic[]): RelationTable {
  const table = new Map<string, RelationDraft>();
  // Uses, in source order: heads and body atoms.
  const uses: { name: string; arity: number; span: Span; rule: number; as: 'head' | 'body' | 'negated' }[] = [];
  for (const { id, rule } of program.rules) {
    uses.push(useOf(rule.head, id, 'head'));
    for (const lit of rule.body) {
      if (lit.kind === 'atom') uses.push(useOf(lit, id, 'body'));
      else if (lit.kind === 'negation') uses.push(useOf(lit.atom, id, 'negated'));
    }
  }

  const ensure = (name: string, span: Span, arity: number) => {
    let r = table.get(name);
    if (!r) {
      const decls = program.declarations.get(name);
      const decl = decls?.kind;
      const kind: RelationKind = decl ? (decl.decl as RelationKind) : 'local';
      r = {
        name,
        kind,
        arity: decl?.columns ? decl.columns.length : decl?.decl === 'timer' ? 0 : arity,
        persistence: decls?.durable ? 'durable' : decls?.persist ? 'persist' : 'none',
        ...(decl?.period ? { periodMicros: periodMicros(decl.period) } : {}),
        ...(decl ? { declaration: decl } : {}),
        span: decl ? decl.nameSpan : span,
        derivedBy: [],
        readBy: [],
      };
      table.set(name, r);
    }
    return r;
  };

  for (const [name, decls] of program.declarations) {
    const d = decls.kind ?? decls.durable ?? decls.persist!;
    // A relation named only by .persist/.durable gets its arity from its first use.
    const firstUse = uses.find((u) => u.name === name);
    ensure(name, d.nameSpan, firstUse?.arity ?? 0);
  }

  for (const use of uses) {
    if (use.name === 'less_than' && use.as !== 'head' && !program.declarations.has('less_than')) {
      sink.push(
        use.as === 'negated'
          ? diagnostic('DED212', '`less_than` is a generator and cannot be negated', {
              span: use.span,
              label: 'negated generator',
              hint: 'to test that a bound variable is out of range, write a predicate such as (i >= n)',
            })
          : diagnostic('DED212', '`less_than` takes a variable and a bound: `less_than(x, n)`', {
              span: use.span,
              label: 'not a less_than generator',
              hint: 'the first argument is a new variable; the second an integer or a variable bound elsewhere in the body',
            }),
      );
      continue;
    }
    const r = ensure(use.name, use.span, use.arity);
    if (use.arity !== r.arity) {
      const declared = r.declaration?.columns !== undefined || r.kind === 'timer';
      sink.push(
        diagnostic('DED202', `\`${use.name}\` has ${plural(use.arity, 'argument')} here but ${r.arity} elsewhere`, {
          span: use.span,
          label: `${plural(use.arity, 'argument')}`,
          related: [{ span: r.span, message: `${declared ? 'declared' : 'first used'} with ${plural(r.arity, 'column')} here` }],
        }),
      );
    }
    (use.as === 'head' ? r.derivedBy : r.readBy).push(use.rule);
  }

  reportUndefined(program, table, sink);
  reportUnused(program, table, sink);
  return table;
}

function useOf(atom: Atom | Head, rule: number, as: 'head' | 'body' | 'negated') {
  return { name: atom.name, arity: atom.args.length, span: atom.nameSpan, rule, as };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A local relation read by a role must be derived by that role. */
function reportUndefined(program: CollectedProgram, table: RelationTable, sink: Diagnostic[]): void {
  const reported = new Set<string>();
  for (const { rule, role } of program.rules) {
    for (const lit of rule.body) {
      const atom = lit.kind === 'atom' ? lit : lit.kind === 'negation' ? lit.atom : undefined;
      if (!atom) continue;
      const r = table.get(atom.name);
      if (!r || (r.kind !== 'local' && r.kind !== 'output')) continue;
      const key = `${role}/${atom.name}`;
      if (reported.has(key)) continue;
      if (r.derivedBy.length === 0 && r.kind === 'output') {
        reported.add(key);
        sink.push(
          diagnostic('DED204', `.output \`${atom.name}\` is read, but no rule derives it`, {
            span: atom.nameSpan,
            label: 'always empty',
            related: [{ span: r.span, message: 'declared here' }],
            hint: 'an .output relation gets its facts from the rules of the program; derive it, or read another relation',
          }),
        );
      } else if (r.derivedBy.length === 0) {
        reported.add(key);
        const near = closestName(atom.name, [...table.keys()].filter((n) => n !== atom.name && hasSource(table.get(n)!)));
        sink.push(
          diagnostic('DED204', `relation \`${atom.name}\` is never defined`, {
            span: atom.nameSpan,
            label: 'no rule derives it and no declaration supplies it',
            hint: near
              ? `did you mean \`${near}\`?`
              : `derive it with a rule, or declare where its facts come from (.input, .static, .async, .timer)`,
          }),
        );
      } else if (role !== undefined && !r.derivedBy.some((d) => program.rules[d]!.role === role)) {
        reported.add(key);
        const other = program.rules[r.derivedBy[0]!]!;
        sink.push(
          diagnostic('DED219', `role \`${role}\` reads \`${atom.name}\`, but only role \`${other.role}\` derives it`, {
            span: atom.nameSpan,
            label: `never derived on \`${role}\``,
            related: [{ span: other.rule.head.nameSpan, message: `derived on \`${other.role}\` here` }],
            hint: `each node has its own relations; to move facts between roles, declare a channel (.async) and send it with \`:~\``,
          }),
        );
      }
    }
  }
}

function hasSource(r: RelationDraft): boolean {
  return r.derivedBy.length > 0 || (r.kind !== 'local' && r.kind !== 'output');
}

function reportUnused(program: CollectedProgram, table: RelationTable, sink: Diagnostic[]): void {
  for (const r of table.values()) {
    const decls = program.declarations.get(r.name);
    const sent = r.derivedBy.some((id) => program.rules[id]!.rule.op === ':~');
    // A durable relation may be written only for recovery: its log is its use.
    if (r.kind === 'local' && r.derivedBy.length > 0 && r.readBy.length === 0 && r.persistence !== 'durable') {
      const head = program.rules[r.derivedBy[0]!]!.rule.head;
      sink.push(
        diagnostic('DED250', `relation \`${r.name}\` is derived but never used`, {
          span: head.nameSpan,
          label: 'no rule reads it',
          hint: `declare it \`.output ${r.name}\` if it is meant to be observed`,
        }),
      );
    } else if (r.kind === 'async' && !sent && !r.declaration?.snippets) {
      // (A Hydro-style channel has a source snippet: other files send it.)
      sink.push(
        diagnostic('DED251', `channel \`${r.name}\` is never sent`, {
          span: r.span,
          label: 'no `:~` rule has it as head',
          ...(r.readBy.length && r.derivedBy.length === 0 ? { hint: 'nothing ever arrives on it, so the rules that read it never fire' } : {}),
        }),
      );
    } else if ((r.kind === 'input' || r.kind === 'static' || r.kind === 'timer') && r.readBy.length === 0) {
      sink.push(diagnostic('DED252', `.${r.kind} \`${r.name}\` is never read`, { span: r.span, label: 'no rule reads it' }));
    } else if (r.kind === 'output' && r.derivedBy.length === 0 && r.readBy.length === 0) {
      sink.push(diagnostic('DED252', `.output \`${r.name}\` is never derived`, { span: r.span, label: 'no rule derives it' }));
    } else if (decls && !decls.kind && r.derivedBy.length === 0 && r.readBy.length === 0) {
      const d = decls.durable ?? decls.persist!;
      sink.push(diagnostic('DED252', `\`.${d.decl} ${r.name}\` names a relation no rule uses`, { span: d.nameSpan, label: 'unused' }));
    }
  }
}
