// The simulator's only source of randomness: a seeded xoroshiro128+ generator (pure-rand), so
// that the same seed gives the same run, draw for draw.

import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export class Rng {
  private readonly gen: ReturnType<typeof xoroshiro128plus>;

  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min >= max ? min : uniformInt(this.gen, min, max);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return uniformInt(this.gen, 0, 999_999) < p * 1_000_000;
  }
}
