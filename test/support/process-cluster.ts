// A protocol as a real cluster for host tests: built into a temporary directory (through the
// shared compile cache), one `dedc node` process per node on 127.0.0.1 at a random fixed base
// port, durable logs and outputs in the directory, and closed-loop clients in the test process.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../assembly/build/build-program.js';
import { SourceFile } from '../../compiler/source.js';
import { runLoad, type LoadOptions, type LoadReport } from '../../host/closed-loop.js';
import { loadCluster, type LoadedCluster } from '../../host/load-cluster.js';
import { LocalCluster } from '../../host/local-cluster.js';
import { buildInput, tempDir } from './build-dir.js';

export interface ProcessCluster extends LoadedCluster {
  readonly dir: string;
  readonly local: LocalCluster;
  readonly secret: string;
  readonly dataDir: string;
  readonly outputsDir: string;
  load(options: Partial<LoadOptions>): Promise<LoadReport>;
  /** The JSON-lines outputs a node wrote, parsed. */
  outputs(nodeName: string): { tick: number; relation: string; row: (number | string)[] }[];
  stop(): Promise<Map<string, number | null>>;
}

let nextBase = 21_000 + Math.floor(Math.random() * 30_000);

/** Builds `program` (with `plan`) and starts it; `deploy` (a file's text) replaces the deployment at run time. */
export async function startProcessCluster(program: string, options: { plan?: string; deploy?: string; nodeArgs?: (name: string) => string[] } = {}): Promise<ProcessCluster> {
  const dir = tempDir('dedc-processes-');
  const built = await buildProgram(buildInput(program, options.plan ? { plan: options.plan } : {}), { outDir: dir });
  if (!built.ok) throw new Error(built.problems.map((p) => p.diagnostic.message).join('\n'));
  const basePort = nextBase;
  nextBase += 200;
  let deployPath: string | undefined;
  if (options.deploy) {
    deployPath = join(dir, 'run.deploy.json');
    writeFileSync(deployPath, options.deploy);
  }
  const loaded = loadCluster(dir, deployPath ? new SourceFile(deployPath, options.deploy!) : undefined, { basePort });
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.diagnostic.message).join('\n'));
  const secret = `test secret ${basePort}`;
  const dataDir = join(dir, 'data');
  const outputsDir = join(dir, 'outputs');
  mkdirSync(dataDir);
  mkdirSync(outputsDir);
  const common = ['--base-port', String(basePort), ...(deployPath ? ['--deploy', deployPath] : [])];
  const local = await LocalCluster.start({
    dir,
    nodes: loaded.loaded.cluster.nodes,
    secret,
    nodeArgs: common,
    ...(options.nodeArgs ? { nodeArgsFor: (n: { name: string }) => options.nodeArgs!(n.name) } : {}),
    dataDir,
    outputsDir,
  });
  const { cluster, build, endpoints } = loaded.loaded;
  return {
    ...loaded.loaded,
    dir,
    local,
    secret,
    dataDir,
    outputsDir,
    load: (o) => runLoad(cluster, build.manifest, endpoints, secret, { clients: cluster.clients.length, durationMs: 30_000, warmupMs: 0, timeoutMs: 10_000, ...o }),
    outputs(nodeName) {
      let text = '';
      try {
        text = readFileSync(join(outputsDir, `${nodeName.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`), 'utf8');
      } catch {
        return [];
      }
      return text.split('\n').filter((l) => l).map((l) => JSON.parse(l) as { tick: number; relation: string; row: (number | string)[] });
    },
    async stop() {
      const codes = await local.stop();
      rmSync(dir, { recursive: true, force: true });
      return codes;
    },
  };
}
