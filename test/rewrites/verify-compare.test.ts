// The order-insensitive comparison of `dedc verify`: a deployment's `"verify": {"compare":
// {relation: [columns]}}` makes verify compare that relation as the multiset of its facts
// projected onto the columns. Checked on test/rewrites/programs/verify-dedup.ded, whose replies
// depend on the order requests arrive in: the deployment key is read and checked with
// positioned diagnostics, survives the rewrite, lets a correct rewrite verify where the exact
// comparison diverges, and still catches a wrong multiset.

import { readFileSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { check } from '../../compiler/check.js';
import { readDeployment } from '../../compiler/deploy/read-deployment.js';
import { resolveDeployment } from '../../compiler/deploy/resolve-deployment.js';
import { SourceFile } from '../../compiler/source.js';
import { compareVisible, verify } from '../../rewrites/verify.js';
import type { DeploymentJson } from '../../rewrites/steps/context.js';
import { clusterFor, rewriteFile, verifyRewrite } from '../support/rewrite.js';

const PROGRAM = 'test/rewrites/programs/verify-dedup.ded';
const DEPLOY = 'test/rewrites/programs/verify-dedup.deploy.json';
/** Functional decoupling of the front end's `forward`: one more hop, so another arrival order. */
const RELAY = { steps: [{ decouple: 'front', rules: ['forward'], to: 'relay', kind: 'functional' }] };
const SEEDS = 20;

const analysis = check(new SourceFile(PROGRAM, readFileSync(PROGRAM, 'utf8'))).analysis!;
const deployment = parseJsonc(readFileSync(DEPLOY, 'utf8')) as DeploymentJson;

/** A deployment (the program's, by default) with `verify` replaced, or removed for undefined. */
function withVerify(v: unknown, d: DeploymentJson = deployment): DeploymentJson {
  const { verify: _, ...rest } = d;
  return v === undefined ? rest : { ...rest, verify: v };
}

/** `CODE line:col message` of each diagnostic the deployment gets against verify-dedup.ded. */
function diagnosticsOf(d: DeploymentJson): string[] {
  const source = new SourceFile('d.deploy.json', JSON.stringify(d, null, 2));
  const read = readDeployment(source);
  const all = read.deployment ? [...read.diagnostics, ...resolveDeployment(read.deployment, analysis).diagnostics] : read.diagnostics;
  return all.map((x) => {
    const { line, column } = source.position(x.span!.start);
    return `${x.code} ${source.text.slice(x.span!.start, x.span!.end).split('\n')[0]} ${line}:${column} ${x.message}`;
  });
}

describe('verify.compare in a deployment', () => {
  it('is read and resolved to the relation and its column names', () => {
    expect(clusterFor(analysis, deployment).verify?.compare).toEqual(new Map([['clientOut', ['payload', 'verdict']]]));
    expect(clusterFor(analysis, withVerify(undefined)).verify).toBeUndefined();
    expect(clusterFor(analysis, withVerify({})).verify?.compare).toEqual(new Map());
  });

  it.each([
    ['not an object', [], 'DED602', '[]', '`verify` must be an object'],
    ['an unknown key', { compre: {} }, 'DED602', '"compre"', 'unknown setting `compre` in `verify`'],
    ['columns not an array', { compare: { clientOut: 'payload' } }, 'DED602', '"payload"', 'must be an array'],
    ['a column not a string', { compare: { clientOut: [1] } }, 'DED602', '1', 'must be a string'],
    ['no columns', { compare: { clientOut: [] } }, 'DED611', '[]', 'name at least one column of `clientOut`'],
    ['a column twice', { compare: { clientOut: ['payload', 'payload'] } }, 'DED611', '"payload"', 'column `payload` is named twice'],
    ['an unknown relation', { compare: { clientOt: ['payload'] } }, 'DED611', '"clientOt"', 'the program has no relation `clientOt`'],
    ['a channel clients do not receive', { compare: { toDedup: ['payload'] } }, 'DED611', '"toDedup"', '`toDedup` is a channel clients do not receive'],
    ['a static', { compare: { deduper: ['d'] } }, 'DED611', '"deduper"', '`deduper` is a .static relation, which clients do not see'],
    ['an unknown column', { compare: { clientOut: ['payload', 'verdct'] } }, 'DED611', '"verdct"', '`clientOut` has no column named `verdct`'],
  ])('rejects %s', (_, v, code, at, message) => {
    const found = diagnosticsOf(withVerify(v));
    expect(found).toHaveLength(1);
    expect(found[0]!.startsWith(`${code} ${at} `)).toBe(true);
    expect(found[0]).toContain(message);
  });

  it('survives the rewrite into the rewritten deployment', () => {
    const r = rewriteFile(PROGRAM, RELAY);
    expect(r.codes).toEqual([]);
    expect(r.result.result!.deployment['verify']).toEqual(deployment['verify']);
    expect(r.result.result!.cluster.verify?.compare).toEqual(new Map([['clientOut', ['payload', 'verdict']]]));
  });
});

describe('verify with a projected relation', () => {
  it('passes a correct rewrite whose replies depend on arrival order', () => {
    const r = rewriteFile(PROGRAM, RELAY);
    const verdicts = verifyRewrite(r, SEEDS, false);
    expect(verdicts.filter((v) => !v.ok).map((v) => v.seed)).toEqual([]);
    expect(verdicts).toHaveLength(SEEDS);
  });

  it('is needed: compared exactly, the same rewrite diverges on who gets "first"', () => {
    const out = rewriteFile(PROGRAM, RELAY).result.result!;
    const verdicts = verify(
      { analysis, cluster: clusterFor(analysis, withVerify(undefined)) },
      { analysis: out.analysis, cluster: clusterFor(out.analysis, withVerify(undefined, out.deployment)) },
      { seeds: Array.from({ length: SEEDS }, (_, i) => i + 1) },
    );
    const bad = verdicts.filter((v) => !v.ok);
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.every((v) => !v.problems.length)).toBe(true);
    expect(bad[0]!.missing.some((f) => /^client\[\d\] <- clientOut\(\d+, "cmd-\d+", "first"\)$/.test(f))).toBe(true);
  });

  it('still catches a program that gives the wrong multiset', () => {
    // Without `.persist logged` the deduplicator forgets what it saw: a payload gets "first"
    // again in every tick that has a request carrying it.
    const text = readFileSync(PROGRAM, 'utf8');
    const forgetful = text.replace('  .persist logged\n', '');
    expect(forgetful).not.toBe(text);
    const broken = check(new SourceFile('forgetful.ded', forgetful)).analysis!;
    const verdicts = verify(
      { analysis, cluster: clusterFor(analysis, deployment) },
      { analysis: broken, cluster: clusterFor(broken, deployment) },
      { seeds: Array.from({ length: SEEDS }, (_, i) => i + 1) },
    );
    const bad = verdicts.filter((v) => !v.ok);
    expect(bad.length).toBeGreaterThan(0);
    const { missing, extra } = bad[0]!;
    // The facts are projections, without the addressee; a fact both runs have, but not as often,
    // shows both counts.
    expect([...missing, ...extra].every((f) => /^any client <- clientOut\(payload: "cmd-\d+", verdict: "(first|again)"\)/.test(f))).toBe(true);
    expect(extra.some((f) => /verdict: "first"\) \(1 in the original, [2-9] in the rewritten run\)$/.test(f))).toBe(true);
    expect(missing.some((f) => /verdict: "again"\)( \(\d in the original, \d in the rewritten run\))?$/.test(f))).toBe(true);
  });
});

describe('compareVisible', () => {
  it('compares multisets, listing counts only where both sides have a fact', () => {
    const a = new Map([
      ['x', 1],
      ['y', 2],
      ['z', 1],
    ]);
    const b = new Map([
      ['x', 1],
      ['y', 1],
      ['w', 3],
    ]);
    expect(compareVisible(a, b)).toEqual({
      missing: ['y (2 in the original, 1 in the rewritten run)', 'z'],
      extra: ['w (0 in the original, 3 in the rewritten run)'],
    });
    expect(compareVisible(a, new Map(a))).toEqual({ missing: [], extra: [] });
  });
});
