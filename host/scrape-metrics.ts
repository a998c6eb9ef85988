// Reads nodes' counters from their /metrics endpoints (the Prometheus text that node-host.ts
// serves on each node's port), for load reports and `dedc run`'s summary. A node that does not
// answer within the timeout is left out rather than failing the report.

import type { Cluster } from '../compiler/deploy/resolve-deployment.js';
import type { Endpoint } from './node-host.js';
import { endpointHost } from './protocol-client.js';

export interface NodeSample {
  readonly address: bigint;
  readonly cpuSeconds: number;
  readonly ticks: number;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly framesRejected: number;
  /** Every sample, by metric name with its labels (`dedc_tuples_total{...}`), for printing. */
  readonly samples: ReadonlyMap<string, number>;
}

/** Parses Prometheus text: `name{labels} value` lines, comments skipped. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const value = Number(line.slice(cut + 1));
    if (cut > 0 && Number.isFinite(value)) out.set(line.slice(0, cut), value);
  }
  return out;
}

/** Sums every sample of a metric, whatever its labels. */
export function metricSum(samples: ReadonlyMap<string, number>, name: string): number {
  let n = 0;
  for (const [key, v] of samples) if (key === name || key.startsWith(`${name}{`)) n += v;
  return n;
}

export async function scrapeNode(address: bigint, at: Endpoint, timeoutMs = 2000): Promise<NodeSample | undefined> {
  try {
    const response = await fetch(`http://${endpointHost(at.host)}:${at.port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const samples = parseMetrics(await response.text());
    return {
      address,
      cpuSeconds: metricSum(samples, 'dedc_cpu_seconds_total'),
      ticks: metricSum(samples, 'dedc_ticks_total'),
      framesIn: metricSum(samples, 'dedc_frames_in_total'),
      framesOut: metricSum(samples, 'dedc_frames_out_total'),
      framesRejected: metricSum(samples, 'dedc_frames_rejected_total'),
      samples,
    };
  } catch {
    return undefined;
  }
}

export async function scrapeNodes(cluster: Cluster, endpoints: ReadonlyMap<bigint, Endpoint>): Promise<NodeSample[]> {
  const got = await Promise.all(cluster.nodes.map((n) => scrapeNode(n.address, endpoints.get(n.address)!)));
  return got.filter((s): s is NodeSample => s !== undefined);
}
