// A program being rewritten: its top-level declarations and role blocks as mutable lists, with
// notes (comment lines) on the rules and declarations a step generated or changed. A step edits
// the draft; `print` gives the text of the next program, notes as comments above each item.
// Notes outlive printing and parsing: `fromAnalysis` re-attaches them by each item's text.

import type { Analysis } from '../../compiler/analyze/analysis.js';
import type { Declaration, Item, Program, RoleItem, Rule } from '../../compiler/parse/ast.js';
import { printDeclaration, printProgram, printRule, type Trivia } from '../../compiler/parse/print.js';

/** Notes by the canonical text of the rule or declaration they belong to. */
export type Notes = ReadonlyMap<string, readonly string[]>;

export interface RoleDraft {
  readonly name: string;
  readonly items: RoleItem[];
}

export class ProgramDraft {
  readonly top: Item[] = [];
  readonly roles: RoleDraft[] = [];
  private readonly notes = new Map<object, string[]>();
  private readonly taken = new Set<string>();

  static fromAnalysis(analysis: Analysis, notes: Notes): ProgramDraft {
    const d = new ProgramDraft();
    const keep = (item: Declaration | Rule) => {
      const n = notes.get(itemKey(item));
      if (n) d.notes.set(item, [...n]);
    };
    for (const item of analysis.program.items) {
      if (item.kind === 'role') {
        d.roles.push({ name: item.name, items: [...item.items] });
        item.items.forEach(keep);
      } else {
        d.top.push(item);
        keep(item);
      }
    }
    for (const name of analysis.relations.keys()) d.taken.add(name);
    for (const r of analysis.rules) if (r.label) d.taken.add(r.label);
    for (const r of analysis.roles) d.taken.add(r.name);
    return d;
  }

  role(name: string): RoleDraft {
    const r = this.roles.find((x) => x.name === name);
    if (!r) throw new Error(`no role ${name}`);
    return r;
  }

  /** A new role block, placed right after `after`. */
  addRole(name: string, after: string): RoleDraft {
    const r: RoleDraft = { name, items: [] };
    this.roles.splice(this.roles.findIndex((x) => x.name === after) + 1, 0, r);
    this.taken.add(name);
    return r;
  }

  /** A name no relation, label or role has yet, based on `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}${i}`;
    this.taken.add(name);
    return name;
  }

  /** Adds a note; notes of one step on one item join into one line: "step 2: moved; reads x". */
  note(item: Declaration | Rule, line: string): void {
    const list = this.notes.get(item) ?? [];
    const prefix = /^step \d+: /.exec(line)?.[0];
    const last = list.at(-1);
    if (list.includes(line) || (prefix && last?.includes(line.slice(prefix.length)) && last.startsWith(prefix))) return;
    if (prefix && last?.startsWith(prefix)) list[list.length - 1] = `${last}; ${line.slice(prefix.length)}`;
    else list.push(line);
    this.notes.set(item, list);
  }

  /** Replaces `old` wherever it stands, keeping its notes and adding `line`. */
  replace(old: Rule, next: Rule, line: string): void {
    for (const list of [this.top, ...this.roles.map((r) => r.items)]) {
      const i = list.indexOf(old);
      if (i >= 0) list[i] = next;
    }
    this.notes.set(next, [...(this.notes.get(old) ?? [])]);
    this.note(next, line);
  }

  /** Removes an item from wherever it stands; its notes travel with the object. */
  remove(item: RoleItem): void {
    for (const list of [this.top, ...this.roles.map((r) => r.items)]) {
      const i = list.indexOf(item);
      if (i >= 0) list.splice(i, 1);
    }
  }

  addTop(item: Declaration, line: string): void {
    // Declarations go after the last top-level declaration, before rules and role blocks.
    let i = 0;
    while (i < this.top.length && this.top[i]!.kind === 'decl') i++;
    this.top.splice(i, 0, item);
    this.note(item, line);
  }

  add(role: string, item: RoleItem, line?: string): void {
    const items = this.role(role).items;
    if (item.kind === 'decl') {
      let i = 0;
      while (i < items.length && items[i]!.kind === 'decl') i++;
      items.splice(i, 0, item);
    } else items.push(item);
    if (line) this.note(item, line);
  }

  program(): Program {
    const NOWHERE = { start: 0, end: 0 };
    const roles = this.roles.map((r) => ({ kind: 'role' as const, name: r.name, nameSpan: NOWHERE, items: r.items, span: NOWHERE }));
    return { kind: 'program', items: [...this.top, ...roles], span: NOWHERE };
  }

  /** The program's text, each generated item under its notes, and the notes by item text. */
  print(header: readonly string[]): { text: string; notes: Notes } {
    const program = this.program();
    const notes = new Map<string, readonly string[]>();
    for (const [item, lines] of this.notes) if ('kind' in item) notes.set(itemKey(item as Rule | Declaration), lines);
    const first = program.items[0];
    // A run of items with the same notes (the rules one mechanism adds) shares one comment.
    const sameAsPrevious = new Set<object>();
    for (const list of [this.top, ...this.roles.map((r) => r.items)]) {
      list.forEach((item, i) => {
        const prev = i > 0 ? list[i - 1]! : undefined;
        const mine = this.notes.get(item);
        if (prev && prev.kind === item.kind && mine?.length && JSON.stringify(this.notes.get(prev)) === JSON.stringify(mine)) sameAsPrevious.add(item);
      });
    }
    const trivia: Trivia = {
      leading: (node) => {
        const own = sameAsPrevious.has(node) ? [] : (this.notes.get(node) ?? []).map((l) => `# ${l}`);
        return node === first ? [...header.map((l) => (l ? `# ${l}` : '#')), '', ...own] : own;
      },
      trailing: () => undefined,
      blankBefore: (node) => ((this.notes.get(node)?.length ?? 0) > 0 && !sameAsPrevious.has(node)) || (node as Item).kind === 'role',
      dangling: () => [],
    };
    return { text: printProgram(program, trivia), notes };
  }
}

/** The canonical one-line text of a rule or declaration: the key notes are kept under. */
export function itemKey(item: Rule | Declaration): string {
  return item.kind === 'rule' ? printRule(item, '', undefined).join(' ') : printDeclaration(item);
}
