// The build manifest (DIR/manifest.json, version 1): one typed value that says what a build
// directory holds. `makeManifest` builds it from a checked (possibly rewritten) program and the
// compiled roles; `manifestJson` prints it; `parseManifest` reads it back, checking every field
// the host needs and naming the first wrong one in a DED404 diagnostic. Never throws.

import { readFileSync } from 'node:fs';
import type { Analysis, ChannelInfo } from '../../compiler/analyze/analysis.js';
import { diagnostic, type Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { relationTable, type RelationEntry } from '../../compiler/ir/relation-table.js';
import type { Routing } from '../../rewrites/routing.js';
import { abiExports } from '../codegen/generate-role.js';

export const manifestFormat = 'dedc-build';
export const manifestVersion = 1;
export const abiVersion = 1;
/** What every role module exports: the code generator's list. */
export { abiExports } from '../codegen/generate-role.js';
/** Role names become file names: only identifiers are accepted. */
export const safeRoleName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The version of this dedc (package.json), found from this file in src or dist. */
export const dedcVersion: string = findVersion();

export type OptimizeLevel = 0 | 1 | 2 | 3;

export interface RoleEntry {
  readonly name: string;
  /** `<name>.wasm`, relative to the build directory. */
  readonly wasm: string;
  readonly sha256: string;
  readonly bytes: number;
  /** `src/<name>.ts`: the generated AssemblyScript, for reading. */
  readonly source: string;
  /** Relations the role takes from outside: channels it receives, client inputs, timers. */
  readonly accepts: readonly string[];
  readonly sends: readonly string[];
  readonly outputs: readonly string[];
  readonly durable: readonly string[];
  readonly statics: readonly string[];
  readonly timers: readonly { readonly relation: string; readonly periodMicros: number }[];
}

export interface BuildManifest {
  readonly format: typeof manifestFormat;
  readonly version: typeof manifestVersion;
  readonly dedc: string;
  readonly asc: string;
  readonly optimizeLevel: OptimizeLevel;
  readonly profile: boolean;
  readonly program: { readonly file: string; readonly sha256: string; readonly plan: string | null };
  readonly relations: readonly RelationEntry[];
  readonly roles: readonly RoleEntry[];
  readonly channels: readonly ChannelInfo[];
  readonly routing: Routing;
  readonly deployment: object | null;
  readonly abi: { readonly version: typeof abiVersion; readonly exports: readonly string[] };
}

export interface CompiledRole {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface ManifestInput {
  /** The final program (after rewrites). */
  readonly analysis: Analysis;
  readonly roles: readonly CompiledRole[];
  readonly program: { readonly file: string; readonly sha256: string; readonly plan: string | null };
  readonly asc: string;
  readonly optimizeLevel: OptimizeLevel;
  readonly profile: boolean;
  readonly routing: Routing;
  readonly deployment: object | null;
}

export function makeManifest(input: ManifestInput): BuildManifest {
  const { analysis } = input;
  const compiled = new Map(input.roles.map((r) => [r.name, r]));
  const roles = analysis.roles.map((role): RoleEntry => {
    const c = compiled.get(role.name);
    const durable = role.relations.filter((n) => analysis.relations.get(n)?.persistence === 'durable');
    return {
      name: role.name,
      wasm: `${role.name}.wasm`,
      sha256: c?.sha256 ?? '',
      bytes: c?.bytes ?? 0,
      source: `src/${role.name}.ts`,
      accepts: [...new Set([...role.receives, ...role.inputs, ...role.timers])].sort(),
      sends: [...role.sends],
      outputs: [...role.outputs],
      durable,
      statics: [...role.statics],
      timers: role.timers.map((t) => ({ relation: t, periodMicros: analysis.relations.get(t)?.periodMicros ?? 0 })),
    };
  });
  return {
    format: manifestFormat,
    version: manifestVersion,
    dedc: dedcVersion,
    asc: input.asc,
    optimizeLevel: input.optimizeLevel,
    profile: input.profile,
    program: input.program,
    relations: relationTable(analysis),
    roles,
    channels: analysis.channels.map((c) => ({ relation: c.relation, senders: [...c.senders], receivers: [...c.receivers] })),
    routing: input.routing,
    deployment: input.deployment,
    abi: { version: abiVersion, exports: [...abiExports] },
  };
}

export function manifestJson(manifest: BuildManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export type ManifestResult = { readonly manifest: BuildManifest; readonly diagnostics: readonly [] } | { readonly manifest?: undefined; readonly diagnostics: readonly Diagnostic[] };

/** Manifest text to a checked `BuildManifest`; `path` names the file in messages. */
export function parseManifest(text: string, path: string): ManifestResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(path, `is not valid JSON (${(e as Error).message})`);
  }
  const problems = checkManifest(json);
  if (problems.length) return fail(path, problems[0]!, problems.length - 1);
  return { manifest: json as BuildManifest, diagnostics: [] };
}

function fail(path: string, problem: string, more = 0): ManifestResult {
  const also = more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : '';
  return {
    diagnostics: [diagnostic('DED404', `build manifest ${path} ${problem}${also}`, { hint: 'rebuild the directory with `dedc build`' })],
  };
}

/** Every problem of a parsed manifest, as "field `x.y` ..." phrases; empty when it is sound. */
function checkManifest(json: unknown): string[] {
  const p: string[] = [];
  if (!isObject(json)) return ['is not a JSON object'];
  if (json['format'] !== manifestFormat) return [`has \`format\` ${show(json['format'])}, not "${manifestFormat}": it is not a dedc build manifest`];
  if (json['version'] !== manifestVersion) return [`has \`version\` ${show(json['version'])}; this dedc reads version ${manifestVersion}`];
  const f = new FieldCheck(p);
  f.string(json, 'dedc', '');
  f.string(json, 'asc', '');
  f.check(json, 'optimizeLevel', '', (v) => v === 0 || v === 1 || v === 2 || v === 3, 'an optimisation level from 0 to 3');
  f.check(json, 'profile', '', (v) => typeof v === 'boolean', 'true or false');
  const program = f.object(json, 'program', '');
  if (program) {
    f.string(program, 'file', 'program.');
    f.check(program, 'sha256', 'program.', isSha256, 'a sha256 in hex');
    f.check(program, 'plan', 'program.', (v) => v === null || typeof v === 'string', 'a path or null');
  }
  for (const [i, r] of f.array(json, 'relations', '').entries()) checkRelation(f, r, `relations[${i}]`);
  const names = new Set<string>();
  for (const [i, r] of f.array(json, 'roles', '').entries()) {
    const name = checkRole(f, r, `roles[${i}]`);
    if (name !== undefined && names.has(name)) p.push(`names role "${name}" twice`);
    if (name !== undefined) names.add(name);
  }
  for (const [i, c] of f.array(json, 'channels', '').entries()) {
    const at = `channels[${i}]`;
    if (!isObject(c)) p.push(`has \`${at}\` that is not an object`);
    else {
      f.string(c, 'relation', `${at}.`);
      f.strings(c, 'senders', `${at}.`);
      f.strings(c, 'receivers', `${at}.`);
    }
  }
  const routing = f.object(json, 'routing', '');
  if (routing) for (const k of ['roles', 'forwarding', 'partitioning']) f.array(routing, k, 'routing.');
  f.check(json, 'deployment', '', (v) => v === null || isObject(v), 'an object or null');
  const abi = f.object(json, 'abi', '');
  if (abi) {
    f.check(abi, 'version', 'abi.', (v) => v === abiVersion, `${abiVersion} (the ABI this dedc speaks)`);
    const exports = f.strings(abi, 'exports', 'abi.');
    const missing = abiExports.filter((e) => !exports.includes(e));
    if (abi['exports'] !== undefined && missing.length) p.push(`has \`abi.exports\` without ${missing.map((m) => `"${m}"`).join(', ')}`);
  }
  return p;
}

function checkRelation(f: FieldCheck, r: unknown, at: string): void {
  if (!isObject(r)) return void f.problems.push(`has \`${at}\` that is not an object`);
  f.check(r, 'id', `${at}.`, isCount, 'a whole number');
  f.string(r, 'name', `${at}.`);
  f.check(r, 'kind', `${at}.`, (v) => ['input', 'output', 'async', 'static', 'timer', 'local'].includes(v as string), 'a relation kind');
  f.check(r, 'persistence', `${at}.`, (v) => ['none', 'persist', 'durable'].includes(v as string), '"none", "persist" or "durable"');
  for (const [j, c] of f.array(r, 'columns', `${at}.`).entries()) {
    if (!isObject(c)) f.problems.push(`has \`${at}.columns[${j}]\` that is not an object`);
    else f.check(c, 'type', `${at}.columns[${j}].`, (v) => v === 'int' || v === 'string' || v === 'addr', '"int", "string" or "addr"');
  }
}

/** Checks one role entry; returns its name when the name is sound. */
function checkRole(f: FieldCheck, r: unknown, at: string): string | undefined {
  if (!isObject(r)) return void f.problems.push(`has \`${at}\` that is not an object`);
  const name = f.check(r, 'name', `${at}.`, (v) => typeof v === 'string' && safeRoleName.test(v), 'an identifier (it names files)');
  if (typeof name === 'string' && safeRoleName.test(name)) {
    f.check(r, 'wasm', `${at}.`, (v) => v === `${name}.wasm`, `"${name}.wasm"`);
    f.check(r, 'source', `${at}.`, (v) => v === `src/${name}.ts`, `"src/${name}.ts"`);
  }
  f.check(r, 'sha256', `${at}.`, isSha256, 'a sha256 in hex');
  f.check(r, 'bytes', `${at}.`, isCount, 'a whole number');
  for (const k of ['accepts', 'sends', 'outputs', 'durable', 'statics']) f.strings(r, k, `${at}.`);
  for (const [j, t] of f.array(r, 'timers', `${at}.`).entries()) {
    if (!isObject(t)) f.problems.push(`has \`${at}.timers[${j}]\` that is not an object`);
    else {
      f.string(t, 'relation', `${at}.timers[${j}].`);
      f.check(t, 'periodMicros', `${at}.timers[${j}].`, isCount, 'a whole number');
    }
  }
  return typeof name === 'string' && safeRoleName.test(name) ? name : undefined;
}

/** Field checks that record "has no `x`" or "has `x` ..., not ..." phrases. */
class FieldCheck {
  constructor(readonly problems: string[]) {}

  check(obj: Record<string, unknown>, key: string, prefix: string, ok: (v: unknown) => boolean, what: string): unknown {
    if (!(key in obj)) return void this.problems.push(`has no \`${prefix}${key}\``);
    const v = obj[key];
    if (!ok(v)) this.problems.push(`has \`${prefix}${key}\` ${show(v)}, not ${what}`);
    return v;
  }

  string(obj: Record<string, unknown>, key: string, prefix: string): void {
    this.check(obj, key, prefix, (v) => typeof v === 'string', 'a string');
  }

  object(obj: Record<string, unknown>, key: string, prefix: string): Record<string, unknown> | undefined {
    const v = this.check(obj, key, prefix, isObject, 'an object');
    return isObject(v) ? v : undefined;
  }

  array(obj: Record<string, unknown>, key: string, prefix: string): unknown[] {
    const v = this.check(obj, key, prefix, Array.isArray, 'an array');
    return Array.isArray(v) ? v : [];
  }

  strings(obj: Record<string, unknown>, key: string, prefix: string): string[] {
    const v = this.check(obj, key, prefix, (x) => Array.isArray(x) && x.every((s) => typeof s === 'string'), 'an array of strings');
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSha256(v: unknown): boolean {
  return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
}

function isCount(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function findVersion(): string {
  // From assembly/build/ (sources) or dist/assembly/build/ (compiled).
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dedc' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}
