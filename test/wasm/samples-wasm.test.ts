// Every interpreter sample (test/samples/interp) run on the Wasm back end: tick by tick, the
// same inputs, sends, outputs, durable facts and carried facts as the reference interpreter.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../compiler/source.js';
import { check } from '../../compiler/check.js';
import { WasmNode } from '../../engine/wasm/wasm-node.js';
import { runInterpScript, type InterpScript } from '../support/interp-script.js';
import { compiled } from '../support/wasm.js';

const root = new URL('../samples/interp/', import.meta.url).pathname;
const cases = readdirSync(root).filter((d) => existsSync(join(root, d, 'input.ded'))).sort();

describe('interpreter samples on the Wasm back end', () => {
  it.each(cases)('%s', async (name) => {
    const source = new SourceFile(`${name}.ded`, readFileSync(join(root, name, 'input.ded'), 'utf8'));
    const analysis = check(source).analysis!;
    const script = JSON.parse(readFileSync(join(root, name, 'script.json'), 'utf8')) as InterpScript;
    const program = await compiled(analysis);
    const expected = runInterpScript(analysis, script, { database: false });
    const actual = runInterpScript(analysis, script, {
      database: false,
      engine: (spec) => new WasmNode(program.modules.get(spec.role)!, program.plan.relations, spec, { stepLimit: 2_000_000 }),
    });
    expect(actual).toBe(expected);
  });
});
