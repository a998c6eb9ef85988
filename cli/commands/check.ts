// `dedc check FILE...`: parse and analyse; print every diagnostic; exit 1 on errors.

import type { Command } from 'commander';
import { check } from '../../compiler/check.js';
import { countSummary } from '../../compiler/diagnostics/render.js';
import { readSource } from '../input.js';
import { diagnosticsAsJson, printDiagnostics } from '../report.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('parse and analyse Dedalus files; report every problem')
    .argument('<files...>', 'Dedalus files (.ded), or - for standard input')
    .option('--json', 'print the diagnostics as JSON on standard output')
    .option('--deny-warnings', 'fail (exit 1) on warnings too')
    .addHelpText('after', '\nExit status: 0 no errors, 1 errors (or warnings with --deny-warnings), 2 usage.\n\nExample:\n  dedc check protocols/voting.ded protocols/2pc.ded')
    .action((files: string[], opts: { json?: boolean; denyWarnings?: boolean }) => {
      let failed = false;
      const json: object[] = [];
      for (const file of files) {
        const source = readSource(file);
        const result = check(source);
        const fails = !result.ok || (opts.denyWarnings && result.diagnostics.length > 0);
        failed ||= Boolean(fails);
        if (opts.json) {
          json.push(...diagnosticsAsJson(result.diagnostics, source));
          continue;
        }
        printDiagnostics(result.diagnostics, source);
        if (result.analysis && result.ok) {
          const a = result.analysis;
          const extra = result.diagnostics.length ? `, ${countSummary(result.diagnostics)}` : '';
          process.stdout.write(`${source.name}: ok (${a.roles.length} role${a.roles.length === 1 ? '' : 's'}, ${a.rules.length} rule${a.rules.length === 1 ? '' : 's'}${extra})\n`);
        } else {
          process.stderr.write(`${source.name}: ${countSummary(result.diagnostics)}\n`);
        }
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      process.exitCode = failed ? 1 : 0;
    });
}
