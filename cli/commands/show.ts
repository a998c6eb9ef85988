// `dedc show ast|analysis|cluster FILE`: print an intermediate form of the compiler.

import type { Command } from 'commander';
import { printAnalysis } from '../../compiler/analyze/print-analysis.js';
import { check } from '../../compiler/check.js';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { stripSpans } from '../../compiler/parse/ast.js';
import { dumpAst } from '../../compiler/parse/dump-ast.js';
import { parse } from '../../compiler/parse/parse.js';
import { formatTime, formatFact } from '../../sim/trace.js';
import { readSource } from '../input.js';
import { loadCluster, loadProgram } from '../load.js';
import { printDiagnostics } from '../report.js';
import { UsageError } from '../usage-error.js';

const forms = ['ast', 'analysis', 'cluster'] as const;

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('print an intermediate form: ast, analysis or cluster')
    .argument('<form>', `one of: ${forms.join(', ')}`)
    .argument('<file>', 'a Dedalus file (.ded), or - for standard input')
    .option('--spans', 'ast: give each node its line:column range')
    .option('--json', 'ast: print the tree as JSON')
    .option('--deploy <file>', 'cluster: the deployment file (default: the program\'s <name>.deploy.json)')
    .addHelpText(
      'after',
      '\nForms:\n  ast       the syntax tree\n  analysis  relations and types, each role\'s strata, inputs, outputs, and the channels\n  cluster   the nodes a deployment starts: addresses, static facts, timers, clients\n\nExamples:\n  dedc show ast --spans protocols/voting.ded\n  dedc show analysis protocols/2pc.ded\n  dedc show cluster protocols/voting.ded',
    )
    .action((form: string, file: string, opts: { spans?: boolean; json?: boolean; deploy?: string }) => {
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
