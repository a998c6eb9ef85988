// `dedc build FILE [--plan P] -o DIR`: check, rewrite, lower and compile every role to Wasm,
// writing DIR/<role>.wasm and DIR/manifest.json (assembly/build/build-program.ts does the
// work). Progress per role on stderr, a one-line summary on stdout.

import type { Command } from 'commander';
import type { BuildProblem, RoleProgress } from '../../assembly/build/build-program.js';
import type { OptimizeLevel } from '../../assembly/build/manifest.js';
import type { SourceFile } from '../../compiler/source.js';
import { intOption, readSource } from '../input.js';
import { siblingDeployment } from '../load.js';
import { printDiagnostics } from '../report.js';
import { UsageError } from '../usage-error.js';

interface BuildFlags {
  plan?: string;
  deploy?: string;
  output?: string;
  profile?: boolean;
  optimize: string;
  quiet?: boolean;
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('compile a program (rewritten by a plan, if given) to one WebAssembly module per role')
    .argument('<file>', 'a Dedalus file (.ded)')
    .option('-o, --output <dir>', 'the build directory to write (required)')
    .option('--plan <file>', 'a rewrite plan (.plan.json) to apply first')
    .option('--deploy <file>', "deployment file recorded in the manifest (default: the program's <name>.deploy.json)")
    .option('--profile', 'add per-rule counters (tuples in and out, time) the node can read out')
    .option('-O, --optimize <level>', 'optimisation level of the AssemblyScript compiler, 0 to 3', '3')
    .option('--quiet', 'print no progress lines')
    .addHelpText(
      'after',
      '\nWrites DIR/<role>.wasm, DIR/src/<role>.ts (the generated AssemblyScript), DIR/program.ded (the program built,\nafter rewrites) and DIR/manifest.json. Roles whose generated code did not change since the last build into DIR\nare not recompiled.\n\nExit status: 0 built, 1 problems in the program, plan or deployment, or DIR cannot be written, 2 usage.\n\nExamples:\n  dedc build protocols/voting.ded -o out/voting\n  dedc build protocols/voting.ded --plan protocols/voting-scalable.plan.json -o out/voting-scalable',
    )
    .action(async (file: string, flags: BuildFlags) => {
      if (!flags.output) throw new UsageError('missing -o DIR, the build directory to write', 'build');
      const optimizeLevel = intOption(flags.optimize, '-O', 0, 3) as OptimizeLevel;
      process.exitCode = (await buildFile(file, { ...flags, output: flags.output, optimizeLevel })) ? 0 : 1;
    });
}

/** Builds a program file into a directory as `dedc build` does, printing progress and problems; true if built. */
export async function buildFile(file: string, flags: { output: string; plan?: string; deploy?: string; profile?: boolean; optimizeLevel?: OptimizeLevel; quiet?: boolean }): Promise<boolean> {
  const program = readSource(file, 'program');
  const plan = flags.plan !== undefined ? readSource(flags.plan, 'plan') : undefined;
  const deployPath = flags.deploy ?? siblingDeployment(file);
  const deployment = deployPath !== undefined ? readSource(deployPath, 'deployment file') : undefined;
  // Loaded here, not at the top: the AssemblyScript compiler (and Binaryen) is only for building,
  // and every other command (dedc node above all) starts faster without it.
  const { buildProgram } = await import('../../assembly/build/build-program.js');
  const result = await buildProgram(
    { program, ...(plan ? { plan } : {}), ...(deployment ? { deployment } : {}) },
    {
      outDir: flags.output,
      optimizeLevel: flags.optimizeLevel ?? 3,
      profile: flags.profile ?? false,
      ...(flags.quiet ? {} : { onProgress: printProgress }),
    },
  );
  printProblems(result.problems);
  if (!result.ok) return false;
  const n = result.compiled + result.cached;
  process.stdout.write(`built ${n} role${n === 1 ? '' : 's'} into ${flags.output} (${result.compiled} compiled, ${result.cached} cached) in ${result.seconds.toFixed(1)}s\n`);
  return true;
}

function printProgress(p: RoleProgress): void {
  const count = `[${p.index}/${p.total}]`;
  process.stderr.write(`${count} ${p.role.padEnd(12)} ${p.status} ${p.seconds.toFixed(2)}s\n`);
}

/** Diagnostics grouped by the file they point into, in the order they came. */
function printProblems(problems: readonly BuildProblem[]): void {
  const groups = new Map<SourceFile | undefined, BuildProblem['diagnostic'][]>();
  for (const p of problems) groups.set(p.source, [...(groups.get(p.source) ?? []), p.diagnostic]);
  for (const [source, diagnostics] of groups) printDiagnostics(diagnostics, source);
}
