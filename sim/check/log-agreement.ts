// Agreement of replicated logs: takes every (replica, slot, command) execution a run reported
// and gives a verdict that fails when two replicas executed different commands in one slot, or
// one replica executed a slot twice with different commands. Alongside, facts that are not
// failures: each replica's highest executed slot, and how often a replica executed a command it
// had already executed in another slot (replicas deduplicate on execution, so this is allowed).

export interface LogExecution {
  readonly replica: string;
  readonly slot: number;
  /** Opaque identity of the command, e.g. "c3#7 put k1 v-3-7". */
  readonly command: string;
}

export interface ExecutedCommand {
  readonly replica: string;
  readonly command: string;
}

/** Two replicas that executed different commands in one slot; first is the earlier execution. */
export interface LogDivergence {
  readonly slot: number;
  readonly first: ExecutedCommand;
  readonly second: ExecutedCommand;
}

/** One replica that executed a slot twice with different commands. */
export interface SlotReexecution {
  readonly replica: string;
  readonly slot: number;
  readonly first: string;
  readonly second: string;
}

export interface LogAgreementReport {
  /** The lowest slot where two replicas executed different commands. */
  readonly divergence?: LogDivergence;
  /** How many slots have a divergence. */
  readonly divergentSlots: number;
  /** Every slot a replica executed twice with different commands (the first such pair each). */
  readonly conflictingReexecutions: readonly SlotReexecution[];
  /** Per replica, the highest slot it executed. */
  readonly highestSlot: Readonly<Record<string, number>>;
  /** Executions of a command by a replica in a slot other than the first it executed it in. */
  readonly duplicateCommands: number;
}

export type LogAgreementVerdict = LogAgreementReport & ({ readonly ok: true } | { readonly ok: false; readonly explanation: string });

export function checkLogAgreement(executions: readonly LogExecution[]): LogAgreementVerdict {
  // Per slot, the distinct (replica, command) pairs in the order they were first seen.
  const bySlot = new Map<number, ExecutedCommand[]>();
  const divergences = new Map<number, LogDivergence>();
  const reexecutions = new Map<string, SlotReexecution>();
  const highest = new Map<string, number>();
  const firstSlotOf = new Map<string, Map<string, number>>();
  let duplicateCommands = 0;

  for (const { replica, slot, command } of executions) {
    highest.set(replica, Math.max(highest.get(replica) ?? Number.NEGATIVE_INFINITY, slot));

    let slots = firstSlotOf.get(replica);
    if (!slots) firstSlotOf.set(replica, (slots = new Map()));
    const firstSlot = slots.get(command);
    if (firstSlot === undefined) slots.set(command, slot);
    else if (firstSlot !== slot) duplicateCommands++;

    let seen = bySlot.get(slot);
    if (!seen) bySlot.set(slot, (seen = []));
    if (seen.some((s) => s.replica === replica && s.command === command)) continue;
    const ownEarlier = seen.find((s) => s.replica === replica);
    const where = `${replica}\u0000${slot}`;
    if (ownEarlier && !reexecutions.has(where)) reexecutions.set(where, { replica, slot, first: ownEarlier.command, second: command });
    const other = seen.find((s) => s.replica !== replica && s.command !== command);
    if (other && !divergences.has(slot)) divergences.set(slot, { slot, first: other, second: { replica, command } });
    seen.push({ replica, command });
  }

  const divergence = [...divergences.values()].sort((a, b) => a.slot - b.slot)[0];
  const conflictingReexecutions = [...reexecutions.values()].sort((a, b) => a.slot - b.slot || compareText(a.replica, b.replica));
  const report: LogAgreementReport = {
    ...(divergence ? { divergence } : {}),
    divergentSlots: divergences.size,
    conflictingReexecutions,
    highestSlot: Object.fromEntries(highest),
    duplicateCommands,
  };
  if (!divergence && conflictingReexecutions.length === 0) return { ok: true, ...report };
  return { ok: false, explanation: explain(divergence, divergences.size, conflictingReexecutions), ...report };
}

function explain(divergence: LogDivergence | undefined, divergentSlots: number, reexecutions: readonly SlotReexecution[]): string {
  const lines: string[] = [];
  if (divergence) {
    const { slot, first, second } = divergence;
    const more = divergentSlots > 1 ? ` (and ${divergentSlots - 1} more divergent slot${divergentSlots > 2 ? 's' : ''})` : '';
    lines.push(`logs diverge at slot ${slot}: replica ${first.replica} executed ${JSON.stringify(first.command)} but replica ${second.replica} executed ${JSON.stringify(second.command)}${more}`);
  }
  const r = reexecutions[0];
  if (r) {
    const more = reexecutions.length > 1 ? ` (and ${reexecutions.length - 1} more)` : '';
    lines.push(`replica ${r.replica} executed slot ${r.slot} twice with different commands: ${JSON.stringify(r.first)} then ${JSON.stringify(r.second)}${more}`);
  }
  return lines.join('\n');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
