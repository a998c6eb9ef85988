// The mixing rounds behind `rounds(v, n)`: a CPU-heavy pure function standing in for the AES
// rounds of the paper's microbenchmarks. Takes the stable hash of v and n; gives the state after
// n splitmix64 steps (add the golden gamma, then the finaliser), masked to 63 bits.
// Every back end must compute exactly this (assembly/runtime/rounds.ts); test/values pins a few
// results. The steps run on 32-bit halves, not bigints, so that the interpreter, the oracle of
// every simulation, is fast enough for the thousands of rounds a benchmark request asks for.

/** The most rounds one call may ask for; more, or fewer than 0, has no result. */
export const ROUNDS_MAX = 1_000_000n;

// The constants of splitmix64 as 32-bit halves: the gamma 0x9e3779b97f4a7c15 and the two
// multipliers of the finaliser, 0xbf58476d1ce4e5b9 and 0x94d049bb133111eb.
const GAMMA_HI = 0x9e3779b9;
const GAMMA_LO = 0x7f4a7c15;
const M1_HI = 0xbf58476d;
const M1_LO = 0x1ce4e5b9;
const M2_HI = 0x94d049bb;
const M2_LO = 0x133111eb;

/**
 * `seed` is hash(v), in [0, 2^63); `n` in [0, ROUNDS_MAX]. Per round, on the 64-bit state x:
 * z = x + gamma; z = (z ^ z >> 30) * m1; z = (z ^ z >> 27) * m2; x = z ^ z >> 31 (mod 2^64).
 */
export function mixRounds(seed: bigint, n: bigint): bigint {
  const u = BigInt.asUintN(64, seed);
  let hi = Number(u >> 32n);
  let lo = Number(u & 0xffffffffn);
  for (let i = Number(n); i > 0; i--) {
    // z = x + gamma
    const sum = lo + GAMMA_LO;
    lo = sum >>> 0;
    hi = (hi + GAMMA_HI + (sum > 0xffffffff ? 1 : 0)) >>> 0;
    // z ^= z >> 30; z *= m1
    lo = (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0;
    hi = (hi ^ (hi >>> 30)) >>> 0;
    [hi, lo] = mul64(hi, lo, M1_HI, M1_LO);
    // z ^= z >> 27; z *= m2
    lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0;
    hi = (hi ^ (hi >>> 27)) >>> 0;
    [hi, lo] = mul64(hi, lo, M2_HI, M2_LO);
    // z ^= z >> 31
    lo = (lo ^ ((lo >>> 31) | (hi << 1))) >>> 0;
    hi = (hi ^ (hi >>> 31)) >>> 0;
  }
  return (BigInt(hi & 0x7fffffff) << 32n) | BigInt(lo);
}

/** (ah:al) * (bh:bl) mod 2^64, as [high, low] 32-bit halves. */
function mul64(ah: number, al: number, bh: number, bl: number): [number, number] {
  // al * bl in full from 16-bit pieces (each partial product is exact in a double).
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  const hi = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  return [hi, lo];
}
