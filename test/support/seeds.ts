// How many seeds a differential test runs: its default, or DEDC_WASM_SEEDS for long runs.

export function seedCount(fallback: number): number {
  const n = Number(process.env['DEDC_WASM_SEEDS'] ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
