// Bad input never crashes dedc: mutants of protocols/voting.ded (tokens deleted, duplicated,
// swapped, replaced; text cut short) each give success or diagnostics, never an exception.

import { expect, it } from 'vitest';
import { fuzzProgram } from '../support/fuzz-programs.js';

const MUTANTS = Number(process.env['DEDC_MUTANTS'] ?? 1000);

it(`voting: ${MUTANTS} mutants give success or diagnostics, never an exception`, () => {
  const { failing, passing } = fuzzProgram('voting', MUTANTS);
  // Both kinds of mutant occurred in numbers.
  expect(failing).toBeGreaterThan(MUTANTS / 2);
  expect(passing).toBeGreaterThan(10);
});
