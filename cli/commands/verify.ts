// `dedc verify FILE --plan P`: rewrite, then simulate the original and the rewritten program
// on the same workload over many seeds and compare what clients see. Exit 1 on a divergence.

import type { Command } from 'commander';
import { verify, type SeedVerdict, type Side } from '../../rewrites/verify.js';
import { intOption } from '../input.js';
import { loadCluster, loadProgram } from '../load.js';
import { loadRewriteInput, runRewrite } from '../rewrite-input.js';

interface VerifyFlags {
  plan: string;
  deploy?: string;
  seed: string;
  seeds: string;
  unchecked?: boolean;
  json?: boolean;
  all?: boolean;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check by simulation that a rewrite plan changes nothing clients can see')
    .argument('<file>', 'a Dedalus file (.ded)')
    .requiredOption('--plan <file>', 'the rewrite plan (.plan.json)')
    .option('--deploy <file>', "deployment file (default: the program's <name>.deploy.json)")
    .option('--seed <n>', 'first seed', '1')
    .option('--seeds <n>', 'number of seeds to run', '20')
    .option('--unchecked', 'skip the precondition checks (to see what they protect against)')
    .option('--all', 'keep going after the first divergence')
    .option('--json', 'print the verdicts as JSON')
    .addHelpText(
      'after',
      '\nEach seed runs the original and the rewritten program on the same client workload with random\ndelays and reordering; the replies clients receive and the .output facts must be the same sets,\nand every request must be answered once. A relation listed under "verify": {"compare": ...} in\nthe deployment is compared as the multiset of its facts projected onto the listed columns.\n\nExit status: 0 no divergence, 1 a divergence or problems in the inputs, 2 usage.\n\nExample:\n  dedc verify protocols/voting.ded --plan protocols/voting-scalable.plan.json --seeds 200',
    )
    .action((file: string, flags: VerifyFlags) => {
      const first = intOption(flags.seed, '--seed', 0, 2 ** 31 - 1);
      const count = intOption(flags.seeds, '--seeds', 1, 1_000_000);
      const input = loadRewriteInput(file, flags.plan, flags.deploy);
      if (!input) return void (process.exitCode = 1);
      const result = runRewrite(input, flags.unchecked ? { unchecked: true } : {});
      if (!result.result) return void (process.exitCode = 1);
      const base = originalSide(file, flags.deploy);
      if (!base) return void (process.exitCode = 1);
      const seeds = Array.from({ length: count }, (_, i) => first + i);
      let done = 0;
      const verdicts = verify(base, { analysis: result.result.analysis, cluster: result.result.cluster }, {
        seeds,
        stopAtFirst: !flags.all,
        onSeed: (v) => {
          done++;
          if (!flags.json && process.stderr.isTTY) process.stderr.write(`\rseed ${v.seed}: ${v.ok ? 'same' : 'DIVERGED'} (${done}/${count})   `);
        },
      });
      if (!flags.json && process.stderr.isTTY) process.stderr.write('\n');
      const bad = verdicts.filter((v) => !v.ok);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ seeds: verdicts.length, diverged: bad.map(summary) }, null, 2)}\n`);
      } else {
        for (const v of bad) process.stdout.write(describe(v));
        process.stdout.write(
          bad.length
            ? `${bad.length} of ${verdicts.length} seed${verdicts.length === 1 ? '' : 's'} diverged${flags.all ? '' : ' (stopped at the first; --all to run every seed)'}\n`
            : `ok: ${verdicts.length} seed${verdicts.length === 1 ? '' : 's'}, the rewritten program's client-visible outputs equal the original's${projectionNote(base)}\n`,
        );
      }
      process.exitCode = bad.length ? 1 : 0;
    });
}

/** The original program and its cluster. */
function originalSide(file: string, deploy: string | undefined): Side | undefined {
  const analysis = loadProgram(file);
  if (!analysis) return undefined;
  const c = loadCluster(analysis, file, deploy);
  return c ? { analysis, cluster: c.cluster } : undefined;
}

/** ` (clientOut as multisets of (payload, verdict))`, when the deployment projects relations. */
function projectionNote(side: Side): string {
  const compare = [...(side.cluster.verify?.compare ?? [])];
  return compare.length ? ` (${compare.map(([r, cols]) => `${r} as multisets of (${cols.join(', ')})`).join('; ')})` : '';
}

function summary(v: SeedVerdict) {
  return { seed: v.seed, missing: v.missing, extra: v.extra, problems: v.problems };
}

function describe(v: SeedVerdict): string {
  const lines = [`seed ${v.seed}: the rewritten program diverges`];
  for (const p of v.problems) lines.push(`  ${p}`);
  for (const f of v.missing.slice(0, 10)) lines.push(`  only the original:  ${f}`);
  for (const f of v.extra.slice(0, 10)) lines.push(`  only the rewritten: ${f}`);
  const more = v.missing.length + v.extra.length - Math.min(10, v.missing.length) - Math.min(10, v.extra.length);
  if (more > 0) lines.push(`  ... and ${more} more`);
  lines.push(`  replay: dedc sim <rewritten program> --seed ${v.seed} --trace (write it with dedc rewrite -o)`);
  return `${lines.join('\n')}\n`;
}
