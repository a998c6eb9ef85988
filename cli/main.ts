#!/usr/bin/env -S node --max-semi-space-size=32
// The `dedc` command line: one binary with a subcommand per job. Exit codes: 0 ok, 1
// diagnostics (problems in programs, plans or deployments), 2 usage (bad arguments, missing
// files). An unexpected exception is a bug in dedc: it says so, with the stack, and exits 70.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAnalyze } from './commands/analyze.js';
import { registerBuild } from './commands/build.js';
import { registerCheck } from './commands/check.js';
import { registerFmt } from './commands/fmt.js';
import { registerLoad } from './commands/load.js';
import { registerNode } from './commands/node.js';
import { registerProfile } from './commands/profile.js';
import { registerShow } from './commands/show.js';
import { registerRewrite } from './commands/rewrite.js';
import { registerRun } from './commands/run.js';
import { registerSim } from './commands/sim.js';
import { registerVerify } from './commands/verify.js';
import { UsageError } from './usage-error.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function buildProgram(): Command {
  const program = new Command('dedc')
    .description('dedc: a compiler toolchain for distributed protocols written in Dedalus')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride();
  registerCheck(program);
  registerFmt(program);
  registerShow(program);
  registerSim(program);
  registerAnalyze(program);
  registerRewrite(program);
  registerVerify(program);
  registerBuild(program);
  registerRun(program);
  registerNode(program);
  registerLoad(program);
  registerProfile(program);
  for (const c of program.commands) c.exitOverride().showHelpAfterError(`(run "dedc ${c.name()} --help" for usage)`);
  program.addHelpText('after', '\nDocs: docs/language.md (the language), README.md (a tour).');
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`dedc${e.command ? ` ${e.command}` : ''}: ${e.message}\n(run "dedc${e.command ? ` ${e.command}` : ''} --help" for usage)\n`);
      return 2;
    }
    process.stderr.write(`dedc: internal error (a bug in dedc, not in your input); please report it with the command you ran\n${(e as Error).stack ?? e}\n`);
    return 70;
  }
}

// `dedc sim --trace | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
