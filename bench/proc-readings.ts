// What the cluster bench reads from Linux's /proc around a measured window, besides the nodes'
// own /metrics: each node process's CPU times, context switches and resident memory
// (/proc/<pid>/stat and status), the machine's busy and stolen time (/proc/stat), and the bench
// process's own CPU (the clients). Two readings give how the cores were shared over the window.
// Off Linux every reading is undefined and the bench goes without.

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { round } from './harness.js';

export interface ProcSample {
  /** Seconds. */
  readonly user: number;
  readonly system: number;
  readonly voluntary: number;
  readonly involuntary: number;
  /** Resident set size, bytes. */
  readonly rss: number;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/** A process's CPU times, context switches and resident memory, when readable. */
export function procOf(pid: number | undefined): ProcSample | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const count = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { user: Number(fields[11]) / USER_HZ, system: Number(fields[12]) / USER_HZ, voluntary: count('voluntary_ctxt_switches'), involuntary: count('nonvoluntary_ctxt_switches'), rss: count('VmRSS') * 1024 };
  } catch {
    return undefined;
  }
}

/** The machine's CPU time counters (/proc/stat, in clock ticks), when there are some. */
function procStat(): { busy: number; steal: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
  } catch {
    return undefined;
  }
}

export interface Readings {
  readonly hrMicros: number;
  readonly wall: number;
  readonly stat: ReturnType<typeof procStat>;
  readonly cpu: NodeJS.CpuUsage;
  /** By node name. */
  readonly procs: ReadonlyMap<string, ProcSample | undefined>;
}

export function readings(pids: readonly { readonly name: string; readonly pid: number | undefined }[]): Readings {
  return {
    hrMicros: Number(process.hrtime.bigint() / 1000n),
    wall: performance.now(),
    stat: procStat(),
    cpu: process.cpuUsage(),
    procs: new Map(pids.map((p) => [p.name, procOf(p.pid)])),
  };
}

/** How the machine's cores were used over a window, in cores (CPU seconds per second). */
export interface CoreUse {
  readonly seconds: number;
  /** Every node process together (/proc/<pid>/stat), and the part of it spent in the kernel. */
  readonly nodes: number;
  readonly nodesSystem: number;
  /** This process: the closed-loop clients (and the bench itself). */
  readonly loadGenerator: number;
  /** The whole machine per /proc/stat (everything not idle or waiting for I/O), and time stolen by the hypervisor. */
  readonly machineBusy: number;
  readonly steal: number;
  /** Context switches of the node processes per second: voluntary (waiting for input) and involuntary (preempted: more runnable processes than cores). */
  readonly voluntarySwitches: number;
  readonly involuntarySwitches: number;
}

export function coreUse(first: Readings, last: Readings): CoreUse {
  const seconds = (last.wall - first.wall) / 1000;
  const ncores = Math.max(1, cpus().length);
  const ticks = first.stat && last.stat ? last.stat.total - first.stat.total : 0;
  let user = 0;
  let system = 0;
  let voluntary = 0;
  let involuntary = 0;
  for (const [name, b] of last.procs) {
    const a = first.procs.get(name);
    if (!a || !b) continue;
    user += b.user - a.user;
    system += b.system - a.system;
    voluntary += b.voluntary - a.voluntary;
    involuntary += b.involuntary - a.involuntary;
  }
  const cpu = { user: last.cpu.user - first.cpu.user, system: last.cpu.system - first.cpu.system };
  return {
    seconds: round(seconds, 2),
    nodes: round((user + system) / seconds, 3),
    nodesSystem: round(system / seconds, 3),
    loadGenerator: round((cpu.user + cpu.system) / 1e6 / seconds, 3),
    machineBusy: ticks ? round(((last.stat!.busy - first.stat!.busy) / ticks) * ncores, 3) : NaN,
    steal: ticks ? round(((last.stat!.steal - first.stat!.steal) / ticks) * ncores, 3) : NaN,
    voluntarySwitches: round(voluntary / seconds, 0),
    involuntarySwitches: round(involuntary / seconds, 0),
  };
}
