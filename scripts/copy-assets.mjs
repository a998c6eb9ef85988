// Copies the non-TypeScript files the compiled CLI loads at run time (the Ohm grammar) into dist/.
import { cpSync, mkdirSync } from 'node:fs';

const assets = ['compiler/parse/dedalus.ohm'];
for (const asset of assets) {
  const target = new URL(`../dist/${asset}`, import.meta.url);
  mkdirSync(new URL('.', target), { recursive: true });
  cpSync(new URL(`../${asset}`, import.meta.url), target);
}
