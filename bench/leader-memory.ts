// Bounded memory: the voting leader (protocols/voting.ded, statics from voting.deploy.json)
// driven directly through WasmNode for 1,000,000 commands with distinct payload strings, as its
// participants would answer; votes are garbage collected once answered. Wasm memory and host
// memory after 1,000,000 commands must be at most 2x what they were after 100,000. The role is
// built with `dedc build` and loaded from the build directory, as a host would, so the compiler
// is not in this process's memory.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RelationEntry } from '../compiler/ir/relation-table.js';
import type { Row } from '../compiler/values/value.js';
import { WasmNode } from '../engine/wasm/wasm-node.js';
import {
  atMost,
  collectGarbage,
  Deadline,
  loadProgram,
  progress,
  protocolNodes,
  protocolsDir,
  repoRoot,
  round,
  runIfMain,
  specOf,
  type BenchFlags,
  type Verdict,
} from './harness.js';

const TARGET_RATIO = 2;
/** Commands pushed per tick; the votes for them are pushed with the next tick's commands. */
const PER_TICK = 100;
const CLIENTS = [10n, 11n, 12n];
const STEP_LIMIT = 2_000_000;

export interface MemorySample {
  readonly commands: number;
  readonly ticks: number;
  readonly wasmBytes: number;
  readonly relationBytes: number;
  readonly stringBytes: number;
  readonly liveStrings: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface LeaderMemoryResult {
  readonly workload: string;
  readonly commands: number;
  readonly ticks: number;
  readonly seconds: number;
  readonly gcAvailable: boolean;
  readonly samples: readonly MemorySample[];
  readonly small: MemorySample;
  readonly large: MemorySample;
  readonly ratios: { readonly wasmBytes: number; readonly relationBytes: number; readonly stringBytes: number; readonly rss: number; readonly heapUsed: number };
  readonly verdicts: { readonly wasmBytes: Verdict; readonly rss: Verdict; readonly heapUsed: Verdict; readonly replies: Verdict };
  /** After the last command was answered and the node settled (strings are swept lazily). */
  readonly end: { readonly liveStrings: number; readonly stringBytes: number; readonly relationBytes: number };
  readonly errors: readonly string[];
  readonly verdict: Verdict;
}

/** Builds voting.ded with the CLI into a temporary directory and loads the leader's module. */
function buildLeader(): { module: WebAssembly.Module; relations: RelationEntry[] } {
  const dir = mkdtempSync(join(tmpdir(), 'dedc-bench-memory-'));
  try {
    const env = { ...process.env };
    delete env['DEDC_CACHE_DIR'];
    const r = spawnSync(process.execPath, ['dist/cli/main.js', 'build', 'protocols/voting.ded', '-o', dir, '--quiet'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`dedc build protocols/voting.ded failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { relations: RelationEntry[]; roles: { name: string; wasm: string }[] };
    const role = manifest.roles.find((x) => x.name === 'leader');
    if (!role) throw new Error('the build has no leader role');
    return { module: new WebAssembly.Module(readFileSync(join(dir, role.wasm))), relations: manifest.relations };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A 16-byte payload, distinct per command (the paper's clients send 16-byte commands). */
function payload(i: number): string {
  return `cmd-${i.toString().padStart(12, '0')}`;
}

export async function leaderMemory(flags: BenchFlags): Promise<LeaderMemoryResult> {
  const section = 'memory';
  const analysis = loadProgram(`${protocolsDir}voting.ded`);
  progress(section, 'dedc build protocols/voting.ded');
  const { module, relations } = buildLeader();
  const leader = protocolNodes('voting', analysis).find((n) => n.role === 'leader')!;
  const participants = (leader.statics.get('participants') ?? []).map((r) => r[0] as bigint);
  const node = new WasmNode(module, relations, specOf(analysis, 'leader', leader.statics, leader.address), { stepLimit: STEP_LIMIT });
  node.tick();

  const total = flags.quick ? 100_000 : 1_000_000;
  const checkpoints = Array.from({ length: 10 }, (_, i) => ((i + 1) * total) / 10);
  const replies = new Uint8Array(total);
  let voteReqs = 0;
  let badReplies = 0;
  const errors: string[] = [];
  const samples: MemorySample[] = [];
  const deadline = new Deadline(flags.quick ? 40 : 150);
  const started = performance.now();
  let ticks = 0;

  const sample = (commands: number): void => {
    const gc = collectGarbage();
    const m = node.memory();
    const h = process.memoryUsage();
    samples.push({ commands, ticks, ...m, rss: h.rss, heapUsed: h.heapUsed, external: h.external, arrayBuffers: h.arrayBuffers });
    progress(section, `${commands} commands: wasm ${(m.wasmBytes / 2 ** 20).toFixed(1)} MiB, relations ${(m.relationBytes / 1024).toFixed(0)} KiB, strings ${(m.stringBytes / 1024).toFixed(0)} KiB (${m.liveStrings} live), rss ${(h.rss / 2 ** 20).toFixed(0)} MiB, heap ${(h.heapUsed / 2 ** 20).toFixed(1)} MiB${gc ? '' : ' (no --expose-gc)'}`);
  };

  const tick = (): void => {
    const out = node.tick();
    ticks++;
    if (out.fault) throw new Error(`leader tick ${out.tick}: ${out.fault.message}`);
    for (const m of out.sends) {
      if (m.relation === 'voteReq') voteReqs++;
      else if (m.relation === 'clientOut') {
        const id = Number(m.row[0] as bigint);
        if (id < 0 || id >= total || m.to !== CLIENTS[id % CLIENTS.length] || m.row[1] !== payload(id)) badReplies++;
        else replies[id]!++;
      }
    }
  };

  let sent = 0;
  let previous: Row[] = [];
  while (sent < total && !deadline.expired()) {
    const commands: Row[] = [];
    for (let i = sent; i < sent + PER_TICK && i < total; i++) commands.push([CLIENTS[i % CLIENTS.length]!, BigInt(i), payload(i)]);
    node.push({ relation: 'clientIn', rows: commands });
    // The participants' votes on the previous tick's commands arrive with this tick's commands.
    node.push({ relation: 'vote', rows: previous.flatMap((c) => participants.map((p) => [p, c[0]!, c[1]!, c[2]!])) });
    tick();
    previous = commands;
    sent += commands.length;
    if (checkpoints.includes(sent)) sample(sent);
    else if (sent % (total / 20) === 0) progress(section, `${sent} commands`);
  }
  if (sent < total) errors.push(`only ${sent} of ${total} commands within the time limit`);
  node.push({ relation: 'vote', rows: previous.flatMap((c) => participants.map((p) => [p, c[0]!, c[1]!, c[2]!])) });
  tick();
  for (let settle = 0; settle < 10 && node.wantsTick(); settle++) tick();
  const seconds = (performance.now() - started) / 1000;

  let missing = 0;
  let duplicated = 0;
  for (let i = 0; i < sent; i++) {
    if (replies[i] === 0) missing++;
    else if (replies[i]! > 1) duplicated++;
  }
  if (missing || duplicated || badReplies) errors.push(`replies: ${missing} commands unanswered, ${duplicated} answered more than once, ${badReplies} wrong replies`);
  if (voteReqs !== sent * participants.length) errors.push(`${voteReqs} vote requests sent, expected ${sent * participants.length}`);
  const after = node.memory();

  if (samples.length < 2) throw new Error(`memory: ${errors.join('; ')}`);
  const [small, large] = [samples[0]!, samples[samples.length - 1]!];
  const ratio = (k: 'wasmBytes' | 'relationBytes' | 'stringBytes' | 'rss' | 'heapUsed') => round(large[k] / small[k], 3);
  const ratios = { wasmBytes: ratio('wasmBytes'), relationBytes: ratio('relationBytes'), stringBytes: ratio('stringBytes'), rss: ratio('rss'), heapUsed: ratio('heapUsed') };
  const verdicts = {
    wasmBytes: atMost(ratios.wasmBytes, TARGET_RATIO, 'x'),
    rss: atMost(ratios.rss, TARGET_RATIO, 'x'),
    heapUsed: atMost(ratios.heapUsed, TARGET_RATIO, 'x'),
    replies: { target: 'every command answered exactly once, 3 vote requests each', pass: !missing && !duplicated && !badReplies && voteReqs === sent * participants.length },
  };
  progress(section, `wasm ${ratios.wasmBytes}x, rss ${ratios.rss}x, heap ${ratios.heapUsed}x; ${ticks} ticks in ${seconds.toFixed(1)} s${errors.length ? `; ERRORS: ${errors.join('; ')}` : ''}`);
  return {
    workload: `protocols/voting.ded role leader, statics from voting.deploy.json (participants ${participants.join(', ')}); each tick pushes ${PER_TICK} clientIn commands (3 clients, distinct 16-byte payloads) and the ${participants.length} votes on each of the previous tick's commands; a sample is taken after a full GC (node --expose-gc)`,
    commands: sent,
    ticks,
    seconds: round(seconds, 1),
    gcAvailable: collectGarbage(),
    samples,
    small,
    large,
    ratios,
    verdicts,
    end: { liveStrings: after.liveStrings, stringBytes: after.stringBytes, relationBytes: after.relationBytes },
    errors,
    verdict: { target: `Wasm memory, rss and heap <= ${TARGET_RATIO}x at ${total} commands against ${total / 10}; every command answered once`, pass: errors.length === 0 && Object.values(verdicts).every((v) => v.pass) },
  };
}

runIfMain(import.meta.url, leaderMemory);
