// Reading a damaged build directory back: every kind of damage (a missing, truncated, altered
// or foreign module; a manifest that is missing, not JSON, incomplete, of another format or
// version, or pointing outside the directory) is a DED404 or DED405 naming the file, never an
// exception.

import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../assembly/build/build-program.js';
import { abiExports } from '../../assembly/build/manifest.js';
import { sha256 } from '../../assembly/build/build-cache.js';
import { readBuild } from '../../assembly/build/read-build.js';
import { buildInput, fakeBackend, fakeRoleSource, tempDir } from '../support/build-dir.js';

delete process.env['DEDC_CACHE_DIR'];

let pristine: string;
beforeAll(async () => {
  pristine = tempDir();
  const result = await buildProgram(buildInput('protocols/voting.ded'), { outDir: pristine, optimizeLevel: 0, backend: fakeBackend() });
  expect(result.ok).toBe(true);
});

/** A copy of the good build, damaged by `damage`, read back. */
function readDamaged(damage: (dir: string) => void) {
  const dir = tempDir();
  cpSync(pristine, dir, { recursive: true });
  damage(dir);
  const result = readBuild(dir);
  expect(result.ok).toBe(false);
  return { dir, diagnostics: result.diagnostics, messages: result.diagnostics.map((d) => `${d.code} ${d.message}`) };
}

const editManifest = (dir: string, edit: (m: Record<string, any>) => void) => {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m));
};

describe('reading a build directory back', () => {
  it('a good directory reads back', () => {
    expect(readBuild(pristine).ok).toBe(true);
  });

  describe('damaged modules: DED405', () => {
    it('truncated', () => {
      const { dir, messages } = readDamaged((d) => writeFileSync(join(d, 'leader.wasm'), readFileSync(join(d, 'leader.wasm')).subarray(0, 20)));
      expect(messages).toEqual([expect.stringMatching(new RegExp(`^DED405 module of role leader, ${join(dir, 'leader.wasm')}, has 20 bytes where the manifest says \\d+: it was truncated or replaced$`))]);
    });

    it('one byte flipped', () => {
      const { messages } = readDamaged((d) => {
        const bytes = readFileSync(join(d, 'participant.wasm'));
        bytes[bytes.length - 3] ^= 0xff;
        writeFileSync(join(d, 'participant.wasm'), bytes);
      });
      expect(messages).toEqual([expect.stringMatching(/^DED405 module of role participant, .*participant\.wasm, does not match the sha256 in the manifest/)]);
    });

    it('missing, for every role', () => {
      const { messages } = readDamaged((d) => {
        rmSync(join(d, 'leader.wasm'));
        rmSync(join(d, 'participant.wasm'));
      });
      expect(messages).toEqual([expect.stringMatching(/^DED405 module of role leader, .*leader\.wasm, is missing$/), expect.stringMatching(/^DED405 module of role participant, .*, is missing$/)]);
    });

    it('not WebAssembly, with a manifest edited to match', () => {
      const junk = new TextEncoder().encode('this is not a wasm module');
      const { messages } = readDamaged((d) => {
        writeFileSync(join(d, 'leader.wasm'), junk);
        editManifest(d, (m) => Object.assign(m['roles'][0], { sha256: sha256(junk), bytes: junk.length }));
      });
      expect(messages).toEqual([expect.stringMatching(/^DED405 module of role leader, .*, is not a valid WebAssembly module$/)]);
    });

    it('valid WebAssembly without the ABI exports the manifest lists', async () => {
      const dir = tempDir();
      const backend = fakeBackend();
      backend.generate = (_plan, role) => fakeRoleSource(role).replace('export function tick', 'function tick').replace('export function status', 'function status');
      expect((await buildProgram(buildInput('protocols/voting.ded'), { outDir: dir, optimizeLevel: 0, backend })).ok).toBe(true);
      const result = readBuild(dir);
      expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
        expect.stringMatching(/^DED405 module of role leader, .*, does not export `tick`, `status`, which the ABI needs$/),
        expect.stringMatching(/^DED405 module of role participant, .*, does not export `tick`, `status`/),
      ]);
    });
  });

  describe('damaged manifests: DED404', () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['missing', (d) => rmSync(join(d, 'manifest.json')), /manifest\.json is missing$/],
      ['not JSON', (d) => writeFileSync(join(d, 'manifest.json'), '{"format": "dedc-build", '), /manifest\.json is not valid JSON \(/],
      ['not an object', (d) => writeFileSync(join(d, 'manifest.json'), '[1, 2]'), /manifest\.json is not a JSON object$/],
      ['without roles', (d) => editManifest(d, (m) => delete m['roles']), /manifest\.json has no `roles`$/],
      ['of another format', (d) => editManifest(d, (m) => (m['format'] = 'webpack')), /has `format` "webpack", not "dedc-build": it is not a dedc build manifest$/],
      ['of a later version', (d) => editManifest(d, (m) => (m['version'] = 2)), /has `version` 2; this dedc reads version 1$/],
      ['with a bad hash', (d) => editManifest(d, (m) => (m['roles'][1]['sha256'] = 'abc')), /has `roles\[1\]\.sha256` "abc", not a sha256 in hex$/],
      ['with a module outside the directory', (d) => editManifest(d, (m) => (m['roles'][0]['wasm'] = '../../etc/leader.wasm')), /has `roles\[0\]\.wasm` "\.\.\/\.\.\/etc\/leader\.wasm", not "leader\.wasm"$/],
      ['with an unsafe role name', (d) => editManifest(d, (m) => (m['roles'][0]['name'] = '../x')), /has `roles\[0\]\.name` "\.\.\/x", not an identifier/],
      ['with a role twice', (d) => editManifest(d, (m) => m['roles'].push(m['roles'][0])), /names role "leader" twice$/],
      ['with an ABI list lacking a name', (d) => editManifest(d, (m) => (m['abi']['exports'] = ['memory', 'tick'])), new RegExp(`has \`abi\\.exports\` without ${abiExports.filter((e) => e !== 'memory' && e !== 'tick').map((e) => `"${e}"`).join(', ')}$`)],
      ['with several problems', (d) => editManifest(d, (m) => {
        delete m['asc'];
        m['profile'] = 'yes';
      }), /has no `asc` \(and 1 more problem\)$/],
    ];
    it.each(cases)('%s', (_name, damage, expected) => {
      const { diagnostics } = readDamaged(damage);
      expect(diagnostics.map((d) => d.code)).toEqual(['DED404']);
      expect(diagnostics[0]!.message).toMatch(/^build manifest .*manifest\.json /);
      expect(diagnostics[0]!.message).toMatch(expected);
      expect(diagnostics[0]!.hint).toMatch(/dedc build/);
    });

    it('a directory that does not exist', () => {
      const result = readBuild(join(tempDir(), 'nothing-here'));
      expect(result.diagnostics.map((d) => d.code)).toEqual(['DED404']);
    });
  });
});
