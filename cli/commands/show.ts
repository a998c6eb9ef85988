// `dedc show ast|analysis|cluster|plan|assembly FILE`: print an intermediate form of the
// compiler. `plan` and `assembly` lower the program (rewritten first when --plan is given) and
// print the plan IR or one role's generated AssemblyScript.

import type { Command } from 'commander';
import { generateRole } from '../../assembly/codegen/generate-role.js';
import type { Analysis } from '../../compiler/analyze/analysis.js';
import { printAnalysis } from '../../compiler/analyze/print-analysis.js';
import { check } from '../../compiler/check.js';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { lowerProgram } from '../../compiler/ir/lower.js';
import type { ProgramPlan, RolePlan } from '../../compiler/ir/plan.js';
import { printPlan, printRolePlan } from '../../compiler/ir/print-plan.js';
import { stripSpans } from '../../compiler/parse/ast.js';
import { dumpAst } from '../../compiler/parse/dump-ast.js';
import { parse } from '../../compiler/parse/parse.js';
import { formatTime, formatFact } from '../../sim/trace.js';
import { readSource } from '../input.js';
import { loadCluster, loadProgram } from '../load.js';
import { printDiagnostics } from '../report.js';
import { loadRewriteInput, runRewrite } from '../rewrite-input.js';
import { UsageError } from '../usage-error.js';

const forms = ['ast', 'analysis', 'cluster', 'plan', 'assembly'] as const;

interface ShowFlags {
  spans?: boolean;
  json?: boolean;
  deploy?: string;
  plan?: string;
  role?: string;
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('print an intermediate form: ast, analysis, cluster, plan or assembly')
    .argument('<form>', `one of: ${forms.join(', ')}`)
    .argument('<file>', 'a Dedalus file (.ded), or - for standard input')
    .option('--spans', 'ast: give each node its line:column range')
    .option('--json', 'ast: print the tree as JSON')
    .option('--deploy <file>', "cluster, and plan or assembly with --plan: the deployment file (default: the program's <name>.deploy.json)")
    .option('--plan <file>', 'plan, assembly: apply this rewrite plan (.plan.json) first')
    .option('--role <name>', 'plan: print only this role; assembly: the role to print (required)')
    .addHelpText(
      'after',
      [
        '',
        'Forms:',
        '  ast       the syntax tree',
        "  analysis  relations and types, each role's strata, inputs, outputs, and the channels",
        '  cluster   the nodes a deployment starts: addresses, static facts, timers, clients',
        "  plan      the Wasm back end's plan: per role, how each relation is stored and indexed, and each",
        '            rule\'s join trees (one per delta atom when it runs semi-naively), step by step',
        "  assembly  the AssemblyScript generated for one role (what `dedc build` compiles to .wasm)",
        '',
        'Examples:',
        '  dedc show ast --spans protocols/voting.ded',
        '  dedc show analysis protocols/2pc.ded',
        '  dedc show cluster protocols/voting.ded',
        '  dedc show plan protocols/voting.ded --role leader',
        '  dedc show plan protocols/voting.ded --plan protocols/voting-scalable.plan.json',
        '  dedc show assembly protocols/voting.ded --role participant',
      ].join('\n'),
    )
    .action((form: string, file: string, opts: ShowFlags) => {
      if (!(forms as readonly string[]).includes(form)) throw new UsageError(`unknown form "${form}"; the forms are ${forms.join(', ')}`, 'show');
      if (form === 'ast') {
        const source = readSource(file);
        const parsed = parse(source);
        printDiagnostics(parsed.diagnostics, source);
        if (hasErrors(parsed.diagnostics)) return void (process.exitCode = 1);
        const text = opts.json
          ? `${JSON.stringify(opts.spans ? parsed.program : stripSpans(parsed.program), (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`
          : dumpAst(parsed.program, opts.spans ? source : undefined);
        process.stdout.write(text);
      } else if (form === 'analysis') {
        const source = readSource(file);
        const result = check(source);
        printDiagnostics(result.diagnostics, source);
        if (!result.analysis || !result.ok) return void (process.exitCode = 1);
        process.stdout.write(printAnalysis(result.analysis));
      } else if (form === 'plan' || form === 'assembly') {
        const plan = loadPlan(file, opts);
        if (!plan) return void (process.exitCode = 1);
        if (form === 'plan') {
          process.stdout.write(opts.role === undefined ? printPlan(plan) : printRolePlan(plan, pickRole(plan, opts.role)));
        } else {
          if (opts.role === undefined) {
            throw new UsageError(`show assembly prints one role: pick one with --role (${plan.roles.map((r) => r.role).join(', ')})`, 'show');
          }
          process.stdout.write(generateRole(plan, pickRole(plan, opts.role).role));
        }
      } else {
        const analysis = loadProgram(file);
        if (!analysis) return void (process.exitCode = 1);
        const loaded = loadCluster(analysis, file, opts.deploy);
        if (!loaded) return void (process.exitCode = 1);
        const { cluster } = loaded;
        const ctx = { relations: analysis.relations, names: cluster.names };
        const out: string[] = [`deployment: ${loaded.path ?? '(default: one instance per role)'}`, ''];
        for (const n of cluster.nodes) {
          out.push(`${n.name}  address ${n.address}`);
          for (const [rel, rows] of n.statics) for (const row of rows) out.push(`  static ${formatFact(rel, row, ctx)}`);
          for (const t of n.timers) out.push(`  timer ${t.relation} every ${formatTime(t.periodMicros)}`);
        }
        for (const c of cluster.clients) out.push(`${c.name}  address ${c.address}  sends to ${cluster.names.get(c.target)}`);
        if (cluster.workload) {
          const w = cluster.workload;
          out.push('', `workload: ${w.requests} requests per client, window ${w.window}`);
          if (cluster.clients[0]) out.push(`  first request: ${formatFact(w.input, w.request(cluster.clients[0], 1), ctx)}`);
          out.push(`  replies: ${w.reply}, matched on column ${w.replySeqColumn}`);
        }
        process.stdout.write(`${out.join('\n')}\n`);
      }
    });
}

/** The program's plan, after the rewrites of --plan if given; undefined (problems printed) on errors. */
function loadPlan(file: string, opts: ShowFlags): ProgramPlan | undefined {
  let analysis: Analysis | undefined;
  if (opts.plan !== undefined) {
    const input = loadRewriteInput(file, opts.plan, opts.deploy);
    if (!input) return undefined;
    analysis = runRewrite(input, {}).result?.analysis;
  } else analysis = loadProgram(file);
  if (!analysis) return undefined;
  const lowered = lowerProgram(analysis);
  printDiagnostics(lowered.diagnostics, analysis.source);
  return hasErrors(lowered.diagnostics) ? undefined : lowered.plan;
}

function pickRole(plan: ProgramPlan, role: string): RolePlan {
  const found = plan.roles.find((r) => r.role === role);
  if (!found) throw new UsageError(`no role "${role}" in the program; its roles are ${plan.roles.map((r) => r.role).join(', ')}`, 'show');
  return found;
}
