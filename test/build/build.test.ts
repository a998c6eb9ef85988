// `buildProgram` with real asc compiles of a fake back end's modules: the directory it writes,
// the manifest, reading it back, the content-hash cache (per directory and shared), rewritten
// programs, leftover roles, and builds that fail (DED401, DED402, DED403, program errors).

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, type BuildResult, type RoleProgress } from '../../assembly/build/build-program.js';
import { sha256 } from '../../assembly/build/build-cache.js';
import { abiExports, dedcVersion, type BuildManifest } from '../../assembly/build/manifest.js';
import { readBuild } from '../../assembly/build/read-build.js';
import { ascVersion } from '../../assembly/codegen/compile-assembly.js';
import { diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { SourceFile } from '../../compiler/source.js';
import { buildInput, fakeBackend, fakeRoleSource, tempDir } from '../support/build-dir.js';

delete process.env['DEDC_CACHE_DIR'];

async function build(outDir: string, backend = fakeBackend(), input = buildInput('protocols/voting.ded'), extra: { sharedCache?: string } = {}) {
  const progress: RoleProgress[] = [];
  const result = await buildProgram(input, { outDir, optimizeLevel: 0, backend, onProgress: (p) => progress.push(p), ...extra });
  return { result, progress };
}

const codes = (r: BuildResult) => r.problems.map((p) => p.diagnostic.code);
const roleSeconds = (progress: readonly RoleProgress[]) => progress.reduce((s, p) => s + p.seconds, 0);

describe('dedc build: the build directory', () => {
  const dir = tempDir();
  let first: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    first = await build(dir);
  });

  it('writes one module, one source per role, the program and a manifest', () => {
    expect(first.result.ok, JSON.stringify(first.result.problems.map((p) => p.diagnostic.message))).toBe(true);
    expect(first.result.compiled).toBe(2);
    expect(first.result.cached).toBe(0);
    for (const f of ['leader.wasm', 'participant.wasm', 'src/leader.ts', 'src/participant.ts', 'program.ded', 'manifest.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'src/leader.ts'), 'utf8')).toBe(fakeRoleSource('leader'));
    expect(readFileSync(join(dir, 'program.ded'), 'utf8')).toBe(readFileSync('protocols/voting.ded', 'utf8'));
    expect(first.progress.map((p) => `${p.index}/${p.total} ${p.role} ${p.status}`)).toEqual(['1/2 leader compiled', '2/2 participant compiled']);
  });

  it('records versions, the program, relations, roles, channels, the deployment and the ABI', () => {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BuildManifest;
    expect(m).toMatchObject({ format: 'dedc-build', version: 1, dedc: dedcVersion, asc: ascVersion, optimizeLevel: 0, profile: false });
    expect(m.program).toEqual({ file: 'protocols/voting.ded', sha256: sha256(readFileSync('protocols/voting.ded', 'utf8')), plan: null });
    expect(m.abi).toEqual({ version: 1, exports: [...abiExports] });
    expect(m.relations.map((r) => r.name)).toEqual([...m.relations.map((r) => r.name)].sort());
    expect(m.relations.map((r) => r.id)).toEqual(m.relations.map((_, i) => i));
    expect(m.relations.find((r) => r.name === 'voteReq')).toMatchObject({ kind: 'async', columns: [{ name: 'leader', type: 'addr' }, { name: 'client', type: 'addr' }, { name: 'id', type: 'int' }, { name: 'payload', type: 'string' }] });
    const leader = m.roles.find((r) => r.name === 'leader')!;
    expect(leader).toMatchObject({ wasm: 'leader.wasm', source: 'src/leader.ts', accepts: ['clientIn', 'vote'], sends: ['clientOut', 'voteReq'], outputs: [], durable: [], timers: [] });
    expect(leader.statics).toEqual(['numParticipants', 'participants', 'self']);
    const wasm = readFileSync(join(dir, 'leader.wasm'));
    expect(leader.sha256).toBe(sha256(wasm));
    expect(leader.bytes).toBe(wasm.length);
    expect(m.roles.find((r) => r.name === 'participant')).toMatchObject({ accepts: ['voteReq'], sends: ['vote'], statics: ['self'] });
    expect(m.channels.find((c) => c.relation === 'vote')).toEqual({ relation: 'vote', senders: ['participant'], receivers: ['leader'] });
    expect(m.routing).toMatchObject({ roles: [], forwarding: [], partitioning: [] });
    expect(m.deployment).toEqual(JSON.parse(readFileSync('protocols/voting.deploy.json', 'utf8')));
  });

  it('reads back: the same manifest, and a module per role with the ABI exports', () => {
    const read = readBuild(dir);
    expect(read.ok, JSON.stringify(read.diagnostics)).toBe(true);
    if (!read.ok) return;
    expect(read.build.manifest).toEqual(first.result.manifest);
    expect([...read.build.modules.keys()]).toEqual(['leader', 'participant']);
    for (const m of read.build.modules.values()) {
      expect(WebAssembly.Module.exports(m).map((e) => e.name)).toEqual(expect.arrayContaining([...abiExports]));
    }
  });

  it('rebuilds from the cache: nothing recompiled, much faster, the same files', async () => {
    const before = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const backend = fakeBackend();
    const again = await build(dir, backend);
    expect(again.result.ok).toBe(true);
    expect(backend.generated).toEqual(['leader', 'participant']);
    expect(again.progress.map((p) => p.status)).toEqual(['cached', 'cached']);
    expect([again.result.compiled, again.result.cached]).toEqual([0, 2]);
    expect(roleSeconds(again.progress)).toBeLessThan(roleSeconds(first.progress) / 4);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(before);
  });

  it('recompiles exactly the role whose generated source changed', async () => {
    const changed = await build(dir, fakeBackend({ participant: 1 }));
    expect(changed.progress.map((p) => `${p.role} ${p.status}`)).toEqual(['leader cached', 'participant compiled']);
    expect(readFileSync(join(dir, 'src/participant.ts'), 'utf8')).toBe(fakeRoleSource('participant', 1));
    expect(readBuild(dir).ok).toBe(true);
    // the cache keeps only what the last build used: going back recompiles participant again
    const back = await build(dir, fakeBackend());
    expect(back.progress.map((p) => `${p.role} ${p.status}`)).toEqual(['leader cached', 'participant compiled']);
  });

  it('a damaged cache entry is a miss, not an error', async () => {
    const cacheDir = join(dir, '.cache');
    const entries = readdirSync(cacheDir).filter((n) => n.endsWith('.wasm'));
    expect(entries.length).toBe(2);
    for (const e of entries) writeFileSync(join(cacheDir, e), 'not wasm');
    const again = await build(dir);
    expect(again.result.ok).toBe(true);
    expect(again.result.compiled).toBe(2);
    expect(readBuild(dir).ok).toBe(true);
  });
});

describe('dedc build: what the manifest says about a role', () => {
  it('lists accepted inputs, channels and timers, durable relations, outputs and timer periods', async () => {
    const text = [
      '.input req(id: int)',
      '.async ack(id: int)',
      '.async ping(id: int)',
      '.output seen(id: int)',
      '.static peer(p: addr)',
      '.timer beat 250ms',
      'role node {',
      '  .durable log',
      '  log(id) :- req(id).',
      '  log(id) :- ack(id).',
      '  seen(id) :- log(id), beat().',
      '  ping@p(id) :~ log(id), peer(p).',
      '}',
      'role echo {',
      '  ack@p(id) :~ ping(id), peer(p).',
      '}',
      '',
    ].join('\n');
    const { result } = await build(tempDir(), fakeBackend(), { program: new SourceFile('small.ded', text) });
    expect(result.ok, JSON.stringify(result.problems.map((p) => p.diagnostic.message))).toBe(true);
    const node = result.manifest!.roles.find((r) => r.name === 'node');
    expect(node).toMatchObject({ accepts: ['ack', 'beat', 'req'], sends: ['ping'], outputs: ['seen'], durable: ['log'], statics: ['peer'], timers: [{ relation: 'beat', periodMicros: 250_000 }] });
    expect(result.manifest!.relations.find((r) => r.name === 'beat')).toMatchObject({ kind: 'timer', periodMicros: 250_000, columns: [] });
    expect(result.manifest!.deployment).toBeNull();
    expect(result.manifest!.channels).toEqual([
      { relation: 'ack', senders: ['echo'], receivers: ['node'] },
      { relation: 'ping', senders: ['node'], receivers: ['echo'] },
    ]);
  });
});

describe('dedc build: rewritten programs and leftovers', () => {
  it('builds the rewritten program, records the plan and routing, and removes only files of roles that are gone', async () => {
    const dir = tempDir();
    const shared = tempDir('dedc-cache-');
    const input = buildInput('protocols/voting.ded', { plan: 'protocols/voting-scalable.plan.json' });
    const scalable = await build(dir, fakeBackend(), input, { sharedCache: shared });
    expect(scalable.result.ok, JSON.stringify(scalable.result.problems.map((p) => p.diagnostic.message))).toBe(true);
    const m = scalable.result.manifest!;
    expect(m.roles.map((r) => r.name)).toEqual(['leader', 'broadcaster', 'collector', 'participant']);
    expect(m.program.plan).toBe('protocols/voting-scalable.plan.json');
    expect(m.routing.partitioning.map((p) => p.role)).toEqual(['broadcaster', 'participant', 'collector']);
    expect(m.routing.roles.map((r) => r.role)).toEqual(['collector', 'broadcaster']);
    expect((m.deployment as { roles: Record<string, unknown> }).roles).toHaveProperty('collector');
    expect(m.relations.some((r) => r.name === 'collectorOf')).toBe(true);
    expect(readFileSync(join(dir, 'program.ded'), 'utf8')).toMatch(/Rewritten by dedc/);
    expect(readBuild(dir).ok).toBe(true);

    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'other.wasm'), 'mine too');
    const base = await build(dir, fakeBackend(), buildInput('protocols/voting.ded'), { sharedCache: shared });
    expect(base.result.ok).toBe(true);
    // leader and participant come from the shared cache
    expect(base.progress.map((p) => p.status)).toEqual(['cached', 'cached']);
    for (const gone of ['collector.wasm', 'broadcaster.wasm', 'src/collector.ts', 'src/broadcaster.ts']) expect(existsSync(join(dir, gone)), gone).toBe(false);
    for (const kept of ['notes.txt', 'other.wasm', 'leader.wasm', 'src/participant.ts']) expect(existsSync(join(dir, kept)), kept).toBe(true);
    expect(readBuild(dir).ok).toBe(true);

    // a third directory with the same shared cache compiles nothing
    const elsewhere = await build(tempDir(), fakeBackend(), input, { sharedCache: shared });
    expect(elsewhere.progress.map((p) => p.status)).toEqual(['cached', 'cached', 'cached', 'cached']);
  });
});

describe('dedc build: failures', () => {
  it('a program with errors gives its diagnostics and writes nothing', async () => {
    const dir = join(tempDir(), 'out');
    const input = { program: new SourceFile('broken.ded', 'a(x) :- b(x\n') };
    const { result } = await build(dir, fakeBackend(), input);
    expect(result.ok).toBe(false);
    expect(codes(result)).toContain('DED101');
    expect(result.problems[0]!.source?.name).toBe('broken.ded');
    expect(existsSync(dir)).toBe(false);
  });

  it('a deployment or plan with errors gives diagnostics against its file', async () => {
    const dir = join(tempDir(), 'out');
    const input = { ...buildInput('protocols/voting.ded'), deployment: new SourceFile('bad.deploy.json', '{"roles": {"leeder": 1}}') };
    const { result } = await build(dir, fakeBackend(), input);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => `${p.source?.name} ${p.diagnostic.code}`)).toContain('bad.deploy.json DED603');
    const planned = { ...buildInput('protocols/voting.ded'), plan: new SourceFile('bad.plan.json', '{"steps": [{"decouple": "nobody", "rules": ["x"], "to": "y", "kind": "auto"}]}') };
    const withPlan = await build(dir, fakeBackend(), planned);
    expect(withPlan.result.ok).toBe(false);
    expect(withPlan.result.problems.map((p) => `${p.source?.name} ${p.diagnostic.code}`)).toContain('bad.plan.json DED303');
    expect(existsSync(dir)).toBe(false);
  });

  it('DED401 from lowering stops the build before anything is written', async () => {
    const dir = join(tempDir(), 'out');
    const backend = { ...fakeBackend(), lower: () => ({ plan: {} as never, diagnostics: [diagnostic('DED401', 'the Wasm back end cannot lower this')] }) };
    const { result } = await build(dir, backend);
    expect(codes(result)).toEqual(['DED401']);
    expect(existsSync(dir)).toBe(false);
  });

  it('DED403 when the directory is a file or lies under one', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'in the way');
    for (const dir of [file, join(file, 'sub')]) {
      const { result } = await build(dir);
      expect(result.ok).toBe(false);
      expect(codes(result)).toEqual(['DED403']);
      expect(result.problems[0]!.diagnostic.message).toContain(dir);
      expect(result.problems[0]!.source).toBeUndefined();
    }
    expect(readFileSync(file, 'utf8')).toBe('in the way');
  });

  it('a role that does not compile gives DED402 and leaves the previous build whole', async () => {
    const dir = tempDir();
    expect((await build(dir)).result.ok).toBe(true);
    const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const leaderWasm = statSync(join(dir, 'leader.wasm')).mtimeMs;
    const broken = fakeBackend({ leader: 5 });
    const generate = broken.generate;
    broken.generate = (plan, role, options) => (role === 'participant' ? 'export function tick(): i32 { return nope; }' : generate(plan, role, options));
    const { result, progress } = await build(dir, broken);
    expect(result.ok).toBe(false);
    expect(codes(result)).toEqual(['DED402']);
    expect(result.problems[0]!.diagnostic.message).toMatch(/role participant/);
    expect(progress.map((p) => p.status)).toEqual(['compiled', 'failed']);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(manifest);
    expect(statSync(join(dir, 'leader.wasm')).mtimeMs).toBe(leaderWasm);
    expect(readBuild(dir).ok).toBe(true);

    const fresh = join(tempDir(), 'out');
    expect((await build(fresh, broken)).result.ok).toBe(false);
    expect(existsSync(join(fresh, 'manifest.json'))).toBe(false);
  });
});
