// Token-level mutation of source text for robustness tests: delete, duplicate, swap or
// replace tokens, or cut the text short. Seeded, so a failing mutant can be reproduced.

import { Rng } from '../../sim/rng.js';

const token = /\s+|[A-Za-z_][A-Za-z0-9_]*|\d+|"(?:[^"\\\n]|\\.)*"|`[^`]*`|#[^\n]*|\/\/[^\n]*|:-|:\+|:~|==|!=|<=|>=|[\s\S]/g;

export function tokenize(text: string): string[] {
  return text.match(token) ?? [];
}

export function mutate(text: string, seed: number): string {
  const rng = new Rng(seed);
  let tokens = tokenize(text);
  const code = () => tokens.map((t, i) => (/^\s+$/.test(t) ? -1 : i)).filter((i) => i >= 0);
  const pick = () => {
    const c = code();
    return c[rng.int(0, c.length - 1)] ?? 0;
  };
  const rounds = rng.int(1, 3);
  for (let r = 0; r < rounds && tokens.length; r++) {
    switch (rng.int(0, 4)) {
      case 0:
        tokens.splice(pick(), 1);
        break;
      case 1: {
        const i = pick();
        tokens.splice(i, 0, tokens[i]!);
        break;
      }
      case 2: {
        const i = pick();
        const j = pick();
        [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
        break;
      }
      case 3: {
        const i = pick();
        tokens[i] = tokens[pick()]!;
        break;
      }
      default: {
        const joined = tokens.join('');
        tokens = tokenize(joined.slice(0, rng.int(0, joined.length)));
      }
    }
  }
  return tokens.join('');
}
