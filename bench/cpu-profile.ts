// Where a node's CPU goes, from a V8 CPU profile (.cpuprofile, as `node --cpu-prof` or
// profiled-node.ts writes it): every sample is put in one category, by its stack. A leaf that
// writes into a socket (the syscall, with the kernel's loopback TCP work) is its own category;
// otherwise, from the leaf up, the first frame that belongs to a piece of the host (the frame codec, uWS, ws, the
// Wasm module, record walking, ...) names the category, so a builtin called from frame.js (an
// HMAC digest, a subarray) counts as the frame codec, and a socket write called from ws counts
// as ws. Samples whose stack has none of those pieces fall into GC, "(program)" (V8 and native
// code it could not attribute to a JavaScript frame) or Node internals. Idle samples are left out.

import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly category: string;
  /** CPU time in the category, ms (samples times their intervals). */
  readonly ms: number;
  /** Its share of the busy (non-idle) samples. */
  readonly share: number;
}

export interface ProfileFunction {
  readonly function: string;
  /** The script's file name (its last path component), or a V8 pseudo-entry. */
  readonly file: string;
  readonly category: string;
  readonly selfMs: number;
  readonly share: number;
}

export interface ProfileSummary {
  /** Busy (non-idle) time sampled, ms, and the wall time the samples kept cover, s. */
  readonly busyMs: number;
  readonly wallSeconds: number;
  /** Samples kept (idle ones included). */
  readonly samples: number;
  readonly categories: readonly ProfileShare[];
  /** The functions with the most self time (leaf frames), busy samples only. */
  readonly topFunctions: readonly ProfileFunction[];
}

/** Categories of the host's own pieces, tried from the leaf frame up; the first match wins. */
const pieces: readonly { readonly category: string; readonly test: (f: CallFrame) => boolean }[] = [
  { category: 'Wasm module (the tick)', test: (f) => f.url.startsWith('wasm://') || /^\$?wasm-function/.test(f.functionName) },
  { category: 'records in and out of Wasm (push, output copy, per-message split)', test: (f) => /\/engine\/wasm\//.test(f.url) },
  { category: 'record walking and tuple counters', test: (f) => /\/host\/(record-walk|relation-counters)\.js$/.test(f.url) },
  { category: 'frame codec: HMAC and CRC-32', test: (f) => /\/host\/frame\.js$/.test(f.url) || /\/crc-32\//.test(f.url) || f.url.startsWith('node:internal/crypto') },
  { category: 'durable log (append, fsync)', test: (f) => /\/host\/durable-log\.js$/.test(f.url) },
  { category: 'reliable sessions (sequence numbers, acks, dedup)', test: (f) => /\/host\/(reliable-link|inbound-sessions)\.js$/.test(f.url) },
  { category: 'ws: outbound links to peers (JS)', test: (f) => /\/node_modules\/ws\//.test(f.url) || /\/host\/peer-link\.js$/.test(f.url) },
  { category: 'uWS: inbound server (receiving, JS side)', test: (f) => /uWebSockets|uws/i.test(f.url) || /\/host\/inbound-server\.js$/.test(f.url) },
  { category: 'metrics (GET /metrics)', test: (f) => f.functionName === 'metrics' && /\/host\/node-host\.js$/.test(f.url) },
  { category: 'node host: tick loop, routing sends', test: (f) => /\/host\/node-host\.js$/.test(f.url) },
  { category: 'rest of dedc (CLI, loading the build, compiler checks)', test: (f) => /\/dist\/(cli|compiler|assembly|host|engine|rewrites)\//.test(f.url) },
];

/** Leaves that are a write into a socket: the syscall, where the kernel runs loopback TCP up to the receiver's wake-up. */
const socketWrite = (f: CallFrame) =>
  (['writeBuffer', 'writev', 'writeUtf8String', 'writeLatin1String'].includes(f.functionName) && (f.url === '' || f.url.startsWith('node:'))) ||
  (f.functionName === 'send' && /\/host\/inbound-server\.js$/.test(f.url));

function categoryOf(stack: readonly CallFrame[]): string {
  const leaf = stack[0]!;
  if (leaf.functionName === '(garbage collector)') return 'GC';
  if (socketWrite(leaf)) return 'socket writes (the syscall: ws writeBuffer to peers, uWS send of acks and replies)';
  for (const f of stack) for (const p of pieces) if (p.test(f)) return p.category;
  if (leaf.functionName === '(program)') return '(program): V8 and native code not attributed to a JS frame';
  if (leaf.url.startsWith('node:')) return 'Node internals (timers, streams, sockets) not under a host piece';
  return 'other JavaScript';
}

/**
 * Summarises a profile; with `window` ([from, to] in CLOCK_MONOTONIC µs, process.hrtime's clock),
 * only the samples taken in it.
 */
export function summariseProfile(path: string, window?: readonly [number, number], top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number): CallFrame[] => {
    const stack: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.functionName !== '(root)') stack.push(frame);
    }
    return stack;
  };
  const categoryById = new Map<number, string>();
  const categories = new Map<string, number>();
  const functions = new Map<string, { fn: CallFrame; category: string; micros: number }>();
  let busy = 0;
  // Sample i lasted until sample i + 1: its time is the next delta (the last one gets the mean).
  const deltas = profile.timeDeltas;
  const mean = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  let at = profile.startTime;
  let samples = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    at += deltas[i] ?? 0;
    if (window && (at < window[0] || at > window[1])) continue;
    samples++;
    first = Math.min(first, at);
    last = Math.max(last, at);
    const id = profile.samples[i]!;
    const leaf = byId.get(id)!.callFrame;
    if (leaf.functionName === '(idle)') continue;
    const micros = Math.max(0, i + 1 < deltas.length ? deltas[i + 1]! : mean);
    let category = categoryById.get(id);
    if (category === undefined) categoryById.set(id, (category = categoryOf(stackOf(id))));
    busy += micros;
    categories.set(category, (categories.get(category) ?? 0) + micros);
    const key = `${leaf.functionName}@${leaf.url}:${leaf.lineNumber}`;
    const entry = functions.get(key) ?? { fn: leaf, category, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
  }
  const file = (url: string) => (url ? url.slice(url.lastIndexOf('/') + 1) : '(native)');
  return {
    busyMs: busy / 1000,
    wallSeconds: samples ? (last - first) / 1e6 : 0,
    samples,
    categories: [...categories]
      .map(([category, micros]) => ({ category, ms: micros / 1000, share: busy ? micros / busy : 0 }))
      .sort((a, b) => b.ms - a.ms),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map((e) => ({ function: e.fn.functionName || '(anonymous)', file: file(e.fn.url), category: e.category, selfMs: e.micros / 1000, share: busy ? e.micros / busy : 0 })),
  };
}
