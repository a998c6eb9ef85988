// `dedc fmt FILE...`: print files in the canonical layout (comments kept); --write rewrites
// them, --check only says which are not formatted (exit 1), for CI.

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { formatParsed } from '../../compiler/parse/format.js';
import { parse } from '../../compiler/parse/parse.js';
import { readSource } from '../input.js';
import { printDiagnostics } from '../report.js';
import { UsageError } from '../usage-error.js';

export function registerFmt(program: Command): void {
  program
    .command('fmt')
    .description('format Dedalus files in the canonical layout')
    .argument('<files...>', 'Dedalus files (.ded), or - for standard input')
    .option('--check', 'do not print; exit 1 if a file is not formatted')
    .option('-w, --write', 'rewrite the files in place')
    .addHelpText('after', '\nExit status: 0 ok, 1 syntax errors or (with --check) unformatted files, 2 usage.\n\nExamples:\n  dedc fmt protocols/voting.ded\n  dedc fmt --check protocols/*.ded\n  dedc fmt --write protocols/*.ded')
    .action((files: string[], opts: { check?: boolean; write?: boolean }) => {
      if (opts.check && opts.write) throw new UsageError('--check and --write cannot be used together', 'fmt');
      if (opts.write && files.includes('-')) throw new UsageError('--write needs files, not standard input', 'fmt');
      let failed = false;
      for (const file of files) {
        const source = readSource(file);
        const parsed = parse(source);
        if (hasErrors(parsed.diagnostics)) {
          printDiagnostics(parsed.diagnostics, source);
          failed = true;
          continue;
        }
        const formatted = formatParsed(parsed);
        if (!formatted.ok) {
          process.stderr.write(`${source.name}: ${formatted.reason}; the file was left as it is\n`);
          failed = true;
          continue;
        }
        if (opts.check) {
          if (formatted.text !== source.text) {
            process.stdout.write(`${source.name}: not formatted\n`);
            failed = true;
          }
        } else if (opts.write) {
          if (formatted.text !== source.text) writeFileSync(file, formatted.text);
        } else process.stdout.write(formatted.text);
      }
      process.exitCode = failed ? 1 : 0;
    });
}
