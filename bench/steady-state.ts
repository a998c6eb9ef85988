// The steady-state run (issue acceptance: "in a 60-second Paxos run the last 6 seconds keep at
// least 90% of the first 6 seconds' throughput, and memory stays bounded"): one long measured
// window under the main load, on the configuration's cluster after its other windows. Replies are
// counted per second of the window (from each reply's arrival); every few seconds, each node's
// resident memory (/proc/<pid>/status), Wasm memory and durable tuples (its /metrics) and its
// durable log's size on disk. Growth per command is (end - start) / commands answered between.
// What grows by design is named from the program: each role's `.persist` and `.durable` relations.

import type { ClusterConfig } from './cluster-configs.js';
import type { LoadSettings, RunRecord } from './cluster-results.js';
import { durableLogBytes, measureWindow, pidsOf, type Session } from './cluster-session.js';
import { progress, round } from './harness.js';
import { procOf } from './proc-readings.js';
import { metricSum, scrapeNodes } from '../host/scrape-metrics.js';

export interface SteadySample {
  /** Seconds since the measured window opened, and the replies counted by then. */
  readonly t: number;
  readonly completed: number;
  /** Per node, in `nodeNames` order: resident set, Wasm memory, durable log on disk (bytes); durable tuples logged so far. */
  readonly rss: readonly number[];
  readonly wasm: readonly number[];
  readonly log: readonly number[];
  readonly durableTuples: readonly number[];
}

export interface SteadyNode {
  readonly name: string;
  readonly role: string;
  readonly rssStart: number;
  readonly rssEnd: number;
  readonly wasmStart: number;
  readonly wasmEnd: number;
  readonly logStart: number;
  readonly logEnd: number;
  /** Bytes per command answered between the first and the last sample. */
  readonly rssPerCommand: number;
  readonly wasmPerCommand: number;
  readonly logPerCommand: number;
  readonly durableTuplesPerCommand: number;
}

export interface SteadyRun {
  readonly config: string;
  readonly name: string;
  readonly nodes: number;
  readonly clients: number;
  readonly window: number;
  readonly seconds: number;
  readonly error?: string;
  /** Windows the cluster ran before this one (the main comparison's and the curves'). */
  readonly windowsBefore: number;
  /** Replies in each second of the measured window. */
  readonly perSecond: readonly number[];
  readonly edgeSeconds: number;
  /** Commands per second over the first and the last `edgeSeconds`, and last / first. */
  readonly first: number;
  readonly last: number;
  readonly ratio: number;
  /** last / first >= 0.9. */
  readonly pass: boolean;
  readonly run: RunRecord;
  readonly nodeNames: readonly string[];
  readonly samples: readonly SteadySample[];
  readonly memory: readonly SteadyNode[];
  /** What each role keeps by design: its `.persist` and `.durable` relations. */
  readonly kept: readonly { readonly role: string; readonly persist: readonly string[]; readonly durable: readonly string[] }[];
}

async function sample(s: Session, t: number, completed: number): Promise<SteadySample> {
  const nodes = s.built.cluster.nodes;
  const scraped = new Map((await scrapeNodes(s.built.cluster, s.endpoints)).map((x) => [x.address, x]));
  const pids = new Map(pidsOf(s).map((p) => [p.name, p.pid]));
  const durable = (address: bigint) => {
    const m = scraped.get(address)?.samples;
    if (!m) return NaN;
    let n = 0;
    for (const [key, v] of m) if (key.startsWith('dedc_tuples_total{') && key.includes('direction="durable"')) n += v;
    return n;
  };
  return {
    t: round(t, 2),
    completed,
    rss: nodes.map((nd) => procOf(pids.get(nd.name))?.rss ?? NaN),
    wasm: nodes.map((nd) => {
      const m = scraped.get(nd.address)?.samples;
      return m ? metricSum(m, 'dedc_wasm_memory_bytes') : NaN;
    }),
    log: nodes.map((nd) => durableLogBytes(s, nd)),
    durableTuples: nodes.map((nd) => durable(nd.address)),
  };
}

/** The steady-state window on a running (warmed-up) cluster, which stays up afterwards. */
export async function steadyWindow(s: Session, config: ClusterConfig, load: LoadSettings): Promise<SteadyRun> {
  const seconds = load.steady.seconds;
  const { analysis, cluster } = s.built;
  const kept = analysis.roles.map((role) => ({
    role: role.name,
    persist: role.relations.filter((r) => analysis.relations.get(r)?.persistence === 'persist'),
    durable: role.relations.filter((r) => analysis.relations.get(r)?.persistence === 'durable'),
  }));
  const perSecond: number[] = Array.from({ length: seconds }, () => 0);
  const samples: Promise<SteadySample>[] = [];
  let t0: number | undefined;
  let replies = 0;
  let lastSample = 0;
  const now = () => (performance.now() - t0!) / 1000;
  progress('steady', `${config.name}: ${seconds} s measured, after ${s.windows} windows on this cluster`);
  const { record } = await measureWindow(s, {
    config,
    kind: 'steady',
    repetition: 0,
    clients: load.clients,
    window: load.window,
    warmupMs: load.steady.warmupMs,
    durationMs: seconds * 1000,
    timeoutMs: load.timeoutMs,
    onMeasure: () => {
      t0 = performance.now();
      // A moment after runLoad's own read of every node's /metrics, not at the same time.
      samples.push(new Promise((resolve) => setTimeout(resolve, 500)).then(() => sample(s, now(), replies)));
    },
    onReply: () => {
      if (t0 === undefined) return;
      replies++;
      const at = Math.floor(now());
      if (at < seconds) perSecond[at]!++;
    },
    onProgress: () => {
      if (t0 === undefined || now() - lastSample < load.steady.sampleSeconds || now() > seconds - 1) return;
      lastSample = now();
      samples.push(sample(s, lastSample, replies));
      progress('steady', `${config.name}: ${Math.round(lastSample)} s, ${replies} replies`);
    },
  });
  if (t0 !== undefined) samples.push(sample(s, now(), replies));
  const got = await Promise.all(samples);
  const full = Math.min(seconds, Math.floor(record.measuredSeconds));
  const counts = perSecond.slice(0, full);
  const edge = Math.min(load.steady.edgeSeconds, Math.floor(full / 2));
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const first = mean(counts.slice(0, edge));
  const last = mean(counts.slice(full - edge));
  const a = got[0];
  const b = got[got.length - 1];
  const commands = a && b ? b.completed - a.completed : 0;
  const memory: SteadyNode[] =
    a && b && commands > 0
      ? cluster.nodes.map((nd, i) => ({
          name: nd.name,
          role: nd.role,
          rssStart: a.rss[i]!,
          rssEnd: b.rss[i]!,
          wasmStart: a.wasm[i]!,
          wasmEnd: b.wasm[i]!,
          logStart: a.log[i]!,
          logEnd: b.log[i]!,
          rssPerCommand: round((b.rss[i]! - a.rss[i]!) / commands, 1),
          wasmPerCommand: round((b.wasm[i]! - a.wasm[i]!) / commands, 1),
          logPerCommand: round((b.log[i]! - a.log[i]!) / commands, 1),
          durableTuplesPerCommand: round((b.durableTuples[i]! - a.durableTuples[i]!) / commands, 3),
        }))
      : [];
  const ratio = round(last / first, 3);
  return {
    config: config.key,
    name: config.name,
    nodes: cluster.nodes.length,
    clients: load.clients,
    window: load.window,
    seconds,
    edgeSeconds: edge,
    nodeNames: cluster.nodes.map((n) => n.name),
    kept,
    ...(record.error ? { error: record.error } : {}),
    windowsBefore: s.windows - 1,
    perSecond: counts,
    first: round(first, 1),
    last: round(last, 1),
    ratio,
    pass: !record.error && ratio >= 0.9,
    run: record,
    samples: got,
    memory,
  };
}
