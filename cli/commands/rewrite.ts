// `dedc rewrite FILE --plan P`: apply a plan's decoupling and partitioning steps and print the
// rewritten program (or write it, its deployment and its routing metadata with -o).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { printRouting } from '../../rewrites/routing.js';
import { intOption } from '../input.js';
import { loadRewriteInput, runRewrite } from '../rewrite-input.js';

interface RewriteFlags {
  plan: string;
  deploy?: string;
  output?: string;
  until?: string;
  routing?: boolean;
  unchecked?: boolean;
}

export function registerRewrite(program: Command): void {
  program
    .command('rewrite')
    .description('apply a rewrite plan (decoupling, partitioning) and print the rewritten program')
    .argument('<file>', 'a Dedalus file (.ded)')
    .requiredOption('--plan <file>', 'the rewrite plan (.plan.json)')
    .option('--deploy <file>', "deployment file to extend (default: the program's <name>.deploy.json)")
    .option('-o, --output <file>', 'write the program here, with <name>.deploy.json and <name>.routing.json beside it')
    .option('--until <n>', 'stop after the first n steps')
    .option('--routing', 'print the routing metadata instead of the program')
    .option('--unchecked', 'skip the precondition checks (unsafe: to see what they protect against)')
    .addHelpText(
      'after',
      '\nExit status: 0 the plan applied, 1 problems in the program, plan or deployment, 2 usage.\n\nExamples:\n  dedc rewrite protocols/voting.ded --plan protocols/voting-scalable.plan.json\n  dedc rewrite protocols/2pc.ded --plan protocols/2pc-scalable.plan.json -o out/2pc-scalable.ded\n  dedc rewrite protocols/micro/rset-scan.ded --plan protocols/micro/rset-scan.plan.json --routing\n\nA plan lists steps: {"decouple": role, "rules": [labels], "to": new role, "kind": "mutually-independent" | "functional" |\n"monotonic" | "state-machine" | "asymmetric" | "auto"} and {"partition": role, "partitions": n, "policy": "co-hashing" |\n"dependencies" | "partial" | "auto", "replicate": [relations], "sealing": [count channels]}. Plans are described in\ndocs/rewrites.md.',
    )
    .action((file: string, flags: RewriteFlags) => {
      const until = flags.until === undefined ? undefined : intOption(flags.until, '--until', 0, 1000);
      const input = loadRewriteInput(file, flags.plan, flags.deploy);
      if (!input) return void (process.exitCode = 1);
      const result = runRewrite(input, { ...(until !== undefined ? { until } : {}), ...(flags.unchecked ? { unchecked: true } : {}) });
      if (!result.result) return void (process.exitCode = 1);
      const text = result.result.source.text;
      const routingJson = `${JSON.stringify(result.routing, null, 2)}\n`;
      if (flags.output) {
        const base = flags.output.replace(/\.ded$/, '');
        mkdirSync(dirname(flags.output), { recursive: true });
        writeFileSync(flags.output, text);
        writeFileSync(`${base}.deploy.json`, `${JSON.stringify(result.result.deployment, null, 2)}\n`);
        writeFileSync(`${base}.routing.json`, routingJson);
        process.stderr.write(`wrote ${flags.output}, ${base}.deploy.json and ${base}.routing.json (${result.stages.length} step${result.stages.length === 1 ? '' : 's'})\n`);
      } else process.stdout.write(flags.routing ? printRouting(result.routing) : text);
      process.exitCode = 0;
    });
}
