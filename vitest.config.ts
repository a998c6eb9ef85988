// Test runner settings: unit and sample tests under test/, run against the TypeScript sources.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // Two workers on two cores: most test files are CPU-bound simulations, and one worker (the
    // default, cores - 1) leaves a core idle.
    maxWorkers: 2,
    hookTimeout: 120_000,
    // Ohm's parser allocates many short-lived objects; a larger young generation halves GC time.
    execArgv: ['--max-semi-space-size=32'],
    // Compiled Wasm modules are cached by content hash, so a module several tests need (and
    // the next run) is compiled once.
    env: { DEDC_CACHE_DIR: 'node_modules/.cache/dedc-test' },
  },
});
