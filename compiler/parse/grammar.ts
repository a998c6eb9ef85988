// Loads the Ohm grammar of the dialect (dedalus.ohm, next to this file in the source tree and
// in dist/) once per process.

import { readFileSync } from 'node:fs';
import * as ohm from 'ohm-js';

const grammarText = readFileSync(new URL('./dedalus.ohm', import.meta.url), 'utf8');

export const dedalusGrammar: ohm.Grammar = ohm.grammar(grammarText);
