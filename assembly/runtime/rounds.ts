// The `rounds(v, n)` built-in: bit-exact with compiler/values/rounds.ts. Takes hash(v) (from
// stable-hash.ts) and n, already checked to be in [0, 1,000,000] by the generated code; gives
// the state after n splitmix64 steps, masked to 63 bits. Relies on u64 wrapping add and
// multiply. A loop the optimiser cannot shorten: each step depends on the last.

export function mixRounds(seed: i64, n: i64): i64 {
  let x = <u64>seed;
  for (let i: i64 = 0; i < n; i++) {
    let z = x + 0x9e3779b97f4a7c15;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    x = z ^ (z >> 31);
  }
  return <i64>(x & 0x7fffffffffffffff);
}
