// `dedc analyze FILE`: which rules of each role can be decoupled and how, and which
// partitioning keys exist, each with its reason (docs/rewrites.md explains the preconditions).

import type { Command } from 'commander';
import { explain, renderExplanation } from '../../rewrites/explain.js';
import { loadProgram } from '../load.js';
import { UsageError } from '../usage-error.js';

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('list, per role, the rule sets that can be decoupled and the partitioning keys, with reasons')
    .argument('<file>', 'a Dedalus file (.ded)')
    .option('--role <name>', 'only this role')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit status: 0 ok, 1 errors in the program, 2 usage.\n\nExample:\n  dedc analyze protocols/voting.ded')
    .action((file: string, flags: { role?: string; json?: boolean }) => {
      const analysis = loadProgram(file);
      if (!analysis) return void (process.exitCode = 1);
      let reports = explain(analysis);
      if (flags.role !== undefined) {
        reports = reports.filter((r) => r.role === flags.role);
        if (!reports.length) throw new UsageError(`the program has no role \`${flags.role}\` (its roles: ${analysis.roles.map((r) => r.name).join(', ')})`, 'analyze');
      }
      process.stdout.write(flags.json ? `${JSON.stringify(reports, null, 2)}\n` : renderExplanation(reports));
      process.exitCode = 0;
    });
}
