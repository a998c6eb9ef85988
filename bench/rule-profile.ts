// Where a node's Wasm time goes, rule by rule: the profiling build of a protocol and plan (per-rule
// counters, as `dedc build --profile` and `dedc profile` compile it), run in the deterministic
// simulator at the paper's machine counts with the bench's clients and window (deployment
// clients changed in code), once to warm V8's tiers up and once measured. Per node: each rule's
// time, tuples read and added, counted by rule ordinal in the role plan's `ruleOrder`; the
// node's Wasm memory and stored bytes at the end. The simulator batches differently from the
// loopback cluster (no CPU time, its own delays), so the times rank rules; they are not the
// node's CPU per command.

import { SourceFile } from '../compiler/source.js';
import { ruleOrder } from '../assembly/codegen/generate-role.js';
import { lowerProgram } from '../compiler/ir/lower.js';
import { WasmNode } from '../engine/wasm/wasm-node.js';
import { loadCluster } from '../host/load-cluster.js';
import { simulate, type EngineFactory } from '../sim/simulator.js';
import { buildConfig } from './cluster-build.js';
import { planNames, type Plan, type Protocol } from './cluster-configs.js';
import { withClients } from './deployment-variants.js';
import { round } from './harness.js';

export interface RuleEntry {
  /** The rule's label, or its text shortened. */
  readonly label: string;
  readonly text: string;
  readonly ms: number;
  /** Of the node's time in all its rules. */
  readonly share: number;
  readonly microsPerCommand: number;
  readonly tuplesIn: number;
  readonly tuplesOut: number;
}

export interface RuleNode {
  readonly name: string;
  readonly role: string;
  readonly ticks: number;
  readonly rulesMs: number;
  readonly rulesMicrosPerCommand: number;
  readonly tuplesIn: number;
  readonly tuplesOut: number;
  /** At the end of the run: the module's memory, and the bytes of stored relations and strings in it. */
  readonly wasmBytes: number;
  readonly relationBytes: number;
  readonly stringBytes: number;
  /** The hottest rules, by time. */
  readonly top: readonly RuleEntry[];
}

export interface RuleProfileRun {
  readonly protocol: Protocol;
  readonly plan: Plan;
  readonly name: string;
  readonly error?: string;
  readonly clients: number;
  readonly window: number;
  readonly requests: number;
  readonly commands: number;
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
  readonly nodes: readonly RuleNode[];
}

const shorten = (text: string, max = 70) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

export async function profileRules(protocol: Protocol, plan: Plan, load: { readonly clients: number; readonly window: number; readonly commands: number }, top = 6): Promise<RuleProfileRun> {
  const started = performance.now();
  const requests = Math.ceil(load.commands / load.clients);
  const head = { protocol, plan, name: planNames[protocol][plan], clients: load.clients, window: load.window, requests };
  const fail = (error: string): RuleProfileRun => ({ ...head, error, commands: 0, simulatedSeconds: 0, wallSeconds: round((performance.now() - started) / 1000, 1), nodes: [] });
  try {
    const built = await buildConfig(protocol, plan, { profile: true });
    const deployment = withClients(built.deployment, { count: load.clients, requests, window: load.window });
    const loaded = loadCluster(built.dir, new SourceFile(`${built.deployFile} (clients ${load.clients} x window ${load.window})`, JSON.stringify(deployment)), {});
    if (!loaded.ok) return fail(loaded.problems.map((p) => p.diagnostic.message).join('; '));
    const { analysis, cluster, build } = loaded.loaded;
    const lowered = lowerProgram(analysis);
    const run = () => {
      const nodes = new Map<bigint, WasmNode>();
      const engine: EngineFactory = (_a, spec) => {
        const node = new WasmNode(build.modules.get(spec.role)!, build.manifest.relations, spec);
        nodes.set(spec.address, node); // a restarted node replaces its old engine (no faults here)
        return node;
      };
      return { result: simulate(analysis, { ...cluster, faults: [] }, { seed: 1, engine }), nodes };
    };
    run(); // V8 compiles Wasm lazily and tiers up: a first run warms the modules up
    const { result, nodes } = run();
    const commands = result.clients.reduce((n, c) => n + c.completed, 0);
    if (!commands) return fail(`the simulated run answered no command (${result.end.reason} at ${result.end.time} µs)`);
    const ticks = new Map(result.nodes.map((n) => [n.address, n.ticks]));
    const out: RuleNode[] = cluster.nodes.map((nd) => {
      const node = nodes.get(nd.address);
      const rp = lowered.plan.roles.find((r) => r.role === nd.role);
      const counters = node?.profile();
      const order = rp ? ruleOrder(rp) : [];
      if (!node || !counters || counters.length !== order.length) throw new Error(`${nd.name}: the profiling build has ${counters?.length ?? 'no'} rule counters, the plan ${order.length} rules`);
      const rulesMs = counters.reduce((t, c) => t + c.ms, 0);
      const mem = node.memory();
      return {
        name: nd.name,
        role: nd.role,
        ticks: ticks.get(nd.address) ?? 0,
        rulesMs: round(rulesMs, 3),
        rulesMicrosPerCommand: round((rulesMs * 1000) / commands, 3),
        tuplesIn: counters.reduce((t, c) => t + c.tuplesIn, 0),
        tuplesOut: counters.reduce((t, c) => t + c.tuplesOut, 0),
        wasmBytes: mem.wasmBytes,
        relationBytes: mem.relationBytes,
        stringBytes: mem.stringBytes,
        top: order
          .map((r, k) => ({ label: r.label ?? shorten(r.text), text: r.text, ms: counters[k]!.ms, tuplesIn: counters[k]!.tuplesIn, tuplesOut: counters[k]!.tuplesOut }))
          .sort((a, b) => b.ms - a.ms || b.tuplesIn - a.tuplesIn)
          .slice(0, top)
          .map((r) => ({ ...r, ms: round(r.ms, 3), share: rulesMs > 0 ? round(r.ms / rulesMs, 3) : 0, microsPerCommand: round((r.ms * 1000) / commands, 3) })),
      };
    });
    return { ...head, commands, simulatedSeconds: round(result.end.time / 1e6, 3), wallSeconds: round((performance.now() - started) / 1000, 1), nodes: out };
  } catch (e) {
    return fail((e instanceof Error ? e.message : String(e)).split('\n')[0]!);
  }
}
