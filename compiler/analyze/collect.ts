// First analysis: numbers the rules, assigns each to its role, and gathers declarations by
// relation. Reports duplicate roles, labels and declarations, rules outside roles, and
// persistence declared where it means nothing. A file without role blocks is one role named
// after the file.

import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { declarationsOf, type Declaration, type Program, type Rule } from '../parse/ast.js';
import type { SourceFile, Span } from '../source.js';

export interface CollectedRule {
  readonly id: number;
  readonly rule: Rule;
  readonly role: string | undefined;
}

export interface CollectedRole {
  readonly name: string;
  readonly span?: Span;
  readonly rules: readonly number[];
  readonly nextRules: readonly number[];
  readonly asyncRules: readonly number[];
}

/** The declarations of one relation: at most one that gives its kind, plus persistence. */
export interface RelationDeclarations {
  kind?: Declaration;
  persist?: Declaration;
  durable?: Declaration;
}

export interface CollectedProgram {
  readonly source: SourceFile;
  readonly program: Program;
  readonly rules: readonly CollectedRule[];
  readonly roles: readonly CollectedRole[];
  readonly declarations: ReadonlyMap<string, RelationDeclarations>;
}

export function collectProgram(source: SourceFile, program: Program, sink: Diagnostic[]): CollectedProgram {
  const rules: CollectedRule[] = [];
  const roleRules = new Map<string, { span?: Span; rules: number[] }>();
  const hasRoles = program.items.some((i) => i.kind === 'role');

  if (!hasRoles) roleRules.set(defaultRoleName(source.name), { rules: [] });
  for (const item of program.items) {
    if (item.kind === 'rule') {
      const id = rules.length;
      if (hasRoles) {
        rules.push({ id, rule: item, role: undefined });
        sink.push(
          diagnostic('DED218', 'this rule is outside every role block', {
            span: item.head.span,
            label: 'not in a role',
            hint: 'in a file with role blocks, every rule belongs to one: move it into `role <name> { ... }`',
          }),
        );
      } else {
        const role = [...roleRules.keys()][0]!;
        rules.push({ id, rule: item, role });
        roleRules.get(role)!.rules.push(id);
      }
    } else if (item.kind === 'role') {
      const existing = roleRules.get(item.name);
      if (existing) {
        sink.push(
          diagnostic('DED217', `role \`${item.name}\` is declared twice`, {
            span: item.nameSpan,
            label: 'second block',
            ...(existing.span ? { related: [{ span: existing.span, message: 'first declared here' }] } : {}),
            hint: 'put all rules of a role in one block, or rename one of them',
          }),
        );
      } else roleRules.set(item.name, { span: item.nameSpan, rules: [] });
      for (const inner of item.items) {
        if (inner.kind !== 'rule') continue;
        const id = rules.length;
        rules.push({ id, rule: inner, role: item.name });
        roleRules.get(item.name)!.rules.push(id);
      }
    }
  }

  checkLabels(rules, sink);
  const roles: CollectedRole[] = [...roleRules].map(([name, r]) => {
    if (r.rules.length === 0 && hasRoles) {
      sink.push(diagnostic('DED254', `role \`${name}\` has no rules`, { ...(r.span ? { span: r.span } : {}), label: 'empty role' }));
    }
    return {
      name,
      ...(r.span ? { span: r.span } : {}),
      rules: r.rules,
      nextRules: r.rules.filter((id) => rules[id]!.rule.op === ':+'),
      asyncRules: r.rules.filter((id) => rules[id]!.rule.op === ':~'),
    };
  });
  return { source, program, rules, roles, declarations: collectDeclarations(program, sink) };
}

/** The role of a file without role blocks: its base name, made an identifier. */
export function defaultRoleName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop()!.replace(/\.ded$/, '');
  const name = base.replace(/[^A-Za-z0-9_]/g, '_');
  if (!name || base === '-' || base === '<stdin>') return 'main';
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function checkLabels(rules: readonly CollectedRule[], sink: Diagnostic[]): void {
  const seen = new Map<string, Rule>();
  for (const { rule } of rules) {
    if (!rule.label) continue;
    const first = seen.get(rule.label);
    if (first) {
      sink.push(
        diagnostic('DED216', `rule label \`${rule.label}\` is used twice`, {
          span: rule.labelSpan!,
          label: 'second use',
          related: [{ span: first.labelSpan!, message: 'first used here' }],
          hint: 'rewrite plans name rules by label, so labels must be unique in a file',
        }),
      );
    } else seen.set(rule.label, rule);
  }
}

function collectDeclarations(program: Program, sink: Diagnostic[]): Map<string, RelationDeclarations> {
  const out = new Map<string, RelationDeclarations>();
  for (const d of declarationsOf(program)) {
    const entry = out.get(d.name) ?? {};
    out.set(d.name, entry);
    if (d.decl === 'persist' || d.decl === 'durable') {
      const first = entry[d.decl];
      if (first) {
        sink.push(
          diagnostic('DED253', `\`.${d.decl} ${d.name}\` is written twice`, {
            span: d.span,
            label: 'repeated',
            related: [{ span: first.span, message: 'first written here' }],
          }),
        );
      } else entry[d.decl] = d;
      continue;
    }
    if (entry.kind) {
      sink.push(
        diagnostic('DED201', `relation \`${d.name}\` is declared twice`, {
          span: d.nameSpan,
          label: `declared again as .${d.decl}`,
          related: [{ span: entry.kind.nameSpan, message: `first declared here as .${entry.kind.decl}` }],
          hint: 'a relation has one declaration; `.persist` and `.durable` may be added to it',
        }),
      );
      continue;
    }
    entry.kind = d;
    const names = new Map<string, Span>();
    for (const c of d.columns ?? []) {
      const before = names.get(c.name);
      if (before) {
        sink.push(
          diagnostic('DED222', `column \`${c.name}\` is named twice in \`${d.name}\``, {
            span: c.span,
            label: 'second column with this name',
            related: [{ span: before, message: 'first named here' }],
          }),
        );
      } else names.set(c.name, c.span);
    }
  }
  for (const [name, entry] of out) {
    if (entry.persist && entry.durable) {
      sink.push(
        diagnostic('DED253', `\`.persist ${name}\` is redundant: \`.durable\` already persists it`, {
          span: entry.persist.span,
          label: 'redundant',
          related: [{ span: entry.durable.span, message: 'made durable here' }],
        }),
      );
    }
    const persisted = entry.durable ?? entry.persist;
    if (persisted && entry.kind && (entry.kind.decl === 'static' || entry.kind.decl === 'timer')) {
      sink.push(
        diagnostic('DED220', `a .${entry.kind.decl} relation cannot be .${persisted.decl}`, {
          span: persisted.span,
          label: `\`${name}\` is .${entry.kind.decl}`,
          related: [{ span: entry.kind.nameSpan, message: `declared .${entry.kind.decl} here` }],
          hint:
            entry.kind.decl === 'static'
              ? 'static facts hold in every tick already'
              : 'a timer holds only in the tick it fires; persist a relation derived from it instead',
        }),
      );
    }
  }
  return out;
}
