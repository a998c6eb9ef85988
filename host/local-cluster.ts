// A cluster of `dedc node` processes on this machine, as `dedc run`, the tests and the bench
// start it: one child process per node of the deployment, each told its role, index and
// partition, the secret passed in the environment (not on the command line), every output line
// handed back with the node's name. Start waits (bounded) until every node says it listens;
// stop sends SIGTERM and waits for each to exit (SIGKILL after a grace period).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClusterNode } from '../compiler/deploy/resolve-deployment.js';

export interface LocalClusterOptions {
  /** The build directory. */
  readonly dir: string;
  readonly nodes: readonly ClusterNode[];
  readonly secret: string;
  /** Extra `dedc node` arguments every node gets (--deploy, --host, --base-port). */
  readonly nodeArgs?: readonly string[];
  /** Arguments for one node only, after the others (a test's --listen behind a proxy). */
  readonly nodeArgsFor?: (node: ClusterNode) => readonly string[];
  /** Durable logs go here (one file per node); none when absent. */
  readonly dataDir?: string;
  /** `.output` facts go here as JSON lines (one file per node); none when absent. */
  readonly outputsDir?: string;
  /** Every line a node prints (stdout and stderr), without its newline. */
  readonly onLine?: (node: ClusterNode, line: string) => void;
  /** A node that exits on its own (not through stop or kill). */
  readonly onExit?: (node: ClusterNode, code: number | null, signal: NodeJS.Signals | null) => void;
  /** How long a node may take to listen (default 20 s + 1 s per node of the cluster). */
  readonly startTimeoutMs?: number;
  /** The dedc CLI to run (default: this package's dist/cli/main.js). */
  readonly cli?: string;
}

export interface RunningNode {
  readonly node: ClusterNode;
  child: ChildProcess;
  /** Everything it printed, for error messages. */
  output: string;
  /** Set while stop() or kill() is ending it on purpose. */
  ending: boolean;
}

/** This package's CLI entry point, from these sources or from dist/. */
export function dedcCli(): string {
  const here = fileURLToPath(import.meta.url);
  const candidates = here.endsWith('.ts') ? [new URL('../dist/cli/main.js', import.meta.url)] : [new URL('../cli/main.js', import.meta.url)];
  for (const c of candidates) if (existsSync(c)) return fileURLToPath(c);
  throw new Error(`cannot find the dedc CLI next to ${here}: run \`npm run build\``);
}

/** A node's name as a file name: `participant[1].2` -> `participant_1_.2`. */
export function nodeFileName(node: ClusterNode): string {
  return node.name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export class LocalCluster {
  readonly running: RunningNode[] = [];

  private constructor(private readonly options: LocalClusterOptions) {}

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const cluster = new LocalCluster(options);
    try {
      await Promise.all(options.nodes.map((n) => cluster.startNode(n)));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  private args(node: ClusterNode): string[] {
    const o = this.options;
    return [
      o.cli ?? dedcCli(),
      'node',
      o.dir,
      '--role',
      node.role,
      '--index',
      String(node.index),
      '--partition',
      String(node.partition),
      ...(o.nodeArgs ?? []),
      ...(o.nodeArgsFor?.(node) ?? []),
      ...(o.dataDir ? ['--data', o.dataDir] : []),
      ...(o.outputsDir ? ['--outputs', `${o.outputsDir}/${nodeFileName(node)}.jsonl`] : []),
    ];
  }

  /** Starts (or restarts) one node and resolves once it listens. */
  startNode(node: ClusterNode): Promise<RunningNode> {
    const child = spawn(process.execPath, this.args(node), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEDC_CLUSTER_SECRET: this.options.secret } });
    const at = this.running.findIndex((r) => r.node.address === node.address);
    const running: RunningNode = { node, child, output: '', ending: false };
    if (at >= 0) this.running[at] = running;
    else this.running.push(running);
    let listening = false;
    const lines = (chunk: Buffer, rest: { text: string }) => {
      rest.text += chunk.toString('utf8');
      running.output += chunk.toString('utf8');
      if (running.output.length > 65_536) running.output = running.output.slice(-32_768);
      let cut: number;
      while ((cut = rest.text.indexOf('\n')) >= 0) {
        const line = rest.text.slice(0, cut);
        rest.text = rest.text.slice(cut + 1);
        if (!listening && line.includes('listening on')) listening = true;
        this.options.onLine?.(node, line);
      }
    };
    const out = { text: '' };
    const err = { text: '' };
    child.stdout!.on('data', (d: Buffer) => lines(d, out));
    child.stderr!.on('data', (d: Buffer) => lines(d, err));
    return new Promise((resolve, reject) => {
      // Every node starts at once and they share the machine's cores: allow more time for more nodes.
      const limit = this.options.startTimeoutMs ?? 30_000 + 2_500 * this.options.nodes.length;
      const timer = setTimeout(() => done(new Error(`${node.name} did not start listening within ${limit / 1000}s:\n${running.output}`)), limit);
      const poll = setInterval(() => {
        if (listening) done();
      }, 10);
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        if (!listening) done(new Error(`${node.name} exited (${signal ?? `code ${code}`}) before listening:\n${running.output}`));
        else if (!running.ending) this.options.onExit?.(node, code, signal);
      };
      child.once('exit', onExit);
      function done(error?: Error) {
        clearTimeout(timer);
        clearInterval(poll);
        if (error) reject(error);
        else resolve(running);
      }
    });
  }

  find(name: string): RunningNode {
    const r = this.running.find((x) => x.node.name === name);
    if (!r) throw new Error(`no node ${name}`);
    return r;
  }

  /** Sends a signal to one node and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const r = this.find(name);
    r.ending = true;
    return ended(r.child, signal, 5000);
  }

  /** Stops every node: SIGTERM, then SIGKILL after `graceMs`. Exit codes by node name. */
  async stop(graceMs = 5000): Promise<Map<string, number | null>> {
    for (const r of this.running) r.ending = true;
    const codes = await Promise.all(this.running.map((r) => ended(r.child, 'SIGTERM', graceMs)));
    return new Map(this.running.map((r, i) => [r.node.name, codes[i]!]));
  }
}

function ended(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(force);
      resolve(code);
    });
    child.kill(signal);
  });
}
