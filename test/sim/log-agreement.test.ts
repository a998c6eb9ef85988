// The replicated-log agreement checker (sim/check/log-agreement.ts): agreeing logs of different
// lengths, the first divergent slot named with both replicas and commands, a slot re-executed
// with another command, duplicate commands counted without failing, and random agreeing logs
// with one command changed.

import { describe, expect, it } from 'vitest';
import { checkLogAgreement, type LogExecution } from '../../sim/check/log-agreement.js';
import { Rng } from '../../sim/rng.js';

function run(replica: string, commands: readonly string[], from = 1): LogExecution[] {
  return commands.map((command, i) => ({ replica, slot: from + i, command }));
}

describe('log agreement', () => {
  it('accepts no executions', () => {
    expect(checkLogAgreement([])).toEqual({ ok: true, divergentSlots: 0, conflictingReexecutions: [], highestSlot: {}, duplicateCommands: 0 });
  });

  it('accepts identical logs and prefixes, interleaved, reporting each replica’s highest slot', () => {
    const a = run('r1', ['A', 'B', 'C', 'D']);
    const b = run('r2', ['A', 'B']);
    const c = run('r3', ['A', 'B', 'C']);
    const interleaved = [a[0]!, c[0]!, b[0]!, a[1]!, a[2]!, b[1]!, c[1]!, a[3]!, c[2]!];
    expect(checkLogAgreement(interleaved)).toEqual({
      ok: true,
      divergentSlots: 0,
      conflictingReexecutions: [],
      highestSlot: { r1: 4, r2: 2, r3: 3 },
      duplicateCommands: 0,
    });
  });

  it('accepts logs with gaps (a replica that skipped slots it learned later)', () => {
    const v = checkLogAgreement([...run('r1', ['A', 'B', 'C']), { replica: 'r2', slot: 3, command: 'C' }]);
    expect(v).toMatchObject({ ok: true, highestSlot: { r1: 3, r2: 3 } });
  });

  it('names the first slot where two replicas executed different commands, with both', () => {
    const execs = [...run('r1', ['A', 'B', 'C', 'X']), ...run('r2', ['A', 'B', 'D', 'Y'])];
    const v = checkLogAgreement(execs);
    expect(v.ok).toBe(false);
    expect(v.divergence).toEqual({ slot: 3, first: { replica: 'r1', command: 'C' }, second: { replica: 'r2', command: 'D' } });
    expect(v.divergentSlots).toBe(2);
    expect(!v.ok && v.explanation).toBe('logs diverge at slot 3: replica r1 executed "C" but replica r2 executed "D" (and 1 more divergent slot)');
  });

  it('reports the lowest divergent slot even when a higher one was executed first', () => {
    const v = checkLogAgreement([
      { replica: 'r1', slot: 9, command: 'P' },
      { replica: 'r2', slot: 9, command: 'Q' },
      { replica: 'r2', slot: 2, command: 'c1#1 put k1 v-1-1' },
      { replica: 'r3', slot: 2, command: 'c2#1 put k1 v-2-1' },
    ]);
    expect(v.divergence).toEqual({ slot: 2, first: { replica: 'r2', command: 'c1#1 put k1 v-1-1' }, second: { replica: 'r3', command: 'c2#1 put k1 v-2-1' } });
  });

  it('fails when one replica executes a slot twice with different commands', () => {
    const v = checkLogAgreement([...run('r1', ['A', 'B']), { replica: 'r1', slot: 2, command: 'C' }]);
    expect(v.ok).toBe(false);
    expect(v.divergence).toBeUndefined();
    expect(v.conflictingReexecutions).toEqual([{ replica: 'r1', slot: 2, first: 'B', second: 'C' }]);
    expect(!v.ok && v.explanation).toBe('replica r1 executed slot 2 twice with different commands: "B" then "C"');
  });

  it('finds divergence with a replica that also executed the slot with the other command', () => {
    // r1 executed both A and B in slot 1; r2 executed A. r1's B and r2's A differ.
    const v = checkLogAgreement([
      { replica: 'r1', slot: 1, command: 'A' },
      { replica: 'r1', slot: 1, command: 'B' },
      { replica: 'r2', slot: 1, command: 'A' },
    ]);
    expect(v.ok).toBe(false);
    expect(v.divergence).toEqual({ slot: 1, first: { replica: 'r1', command: 'B' }, second: { replica: 'r2', command: 'A' } });
    expect(v.conflictingReexecutions).toHaveLength(1);
  });

  it('accepts a slot executed twice with the same command', () => {
    expect(checkLogAgreement([...run('r1', ['A', 'B']), { replica: 'r1', slot: 2, command: 'B' }])).toMatchObject({ ok: true, duplicateCommands: 0 });
  });

  it('counts a command executed in several slots by one replica, without failing', () => {
    // Paxos may choose one command in two slots; replicas must not apply it twice, but the log has it.
    const v = checkLogAgreement([...run('r1', ['A', 'B', 'A', 'A']), ...run('r2', ['A', 'B', 'A'])]);
    expect(v).toMatchObject({ ok: true, duplicateCommands: 3, highestSlot: { r1: 4, r2: 3 } });
  });

  it('catches one changed command in random agreeing logs (200 seeds)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = new Rng(seed);
      const chosen = Array.from({ length: rng.int(1, 60) }, (_, i) => `c${rng.int(1, 8)}#${i} put k${rng.int(1, 5)} v-${i}`);
      const replicas = ['r1', 'r2', 'r3', 'r4', 'r5'].slice(0, rng.int(2, 5));
      const execs: LogExecution[] = [];
      const lengths = replicas.map(() => rng.int(1, chosen.length));
      // Replicas advance at their own pace: interleave their executions at random.
      const next = replicas.map(() => 1);
      while (next.some((s, r) => s <= lengths[r]!)) {
        const r = rng.int(0, replicas.length - 1);
        if (next[r]! > lengths[r]!) continue;
        execs.push({ replica: replicas[r]!, slot: next[r]!, command: chosen[next[r]! - 1]! });
        next[r]!++;
      }
      const agreed = checkLogAgreement(execs);
      expect(agreed.ok, `seed ${seed}`).toBe(true);
      expect(agreed.highestSlot, `seed ${seed}`).toEqual(Object.fromEntries(replicas.map((r, i) => [r, lengths[i]])));

      const shared = execs.filter((e) => execs.some((o) => o.replica !== e.replica && o.slot === e.slot));
      if (shared.length === 0) continue;
      const target = shared[rng.int(0, shared.length - 1)]!;
      const changed = execs.map((e) => (e === target ? { ...e, command: `${e.command} (forged)` } : e));
      const v = checkLogAgreement(changed);
      expect(v.ok, `seed ${seed}`).toBe(false);
      expect(v.divergence?.slot, `seed ${seed}`).toBe(target.slot);
      expect(v.divergentSlots, `seed ${seed}`).toBe(1);
      const named = [v.divergence!.first, v.divergence!.second];
      expect(named, `seed ${seed}`).toContainEqual({ replica: target.replica, command: `${target.command} (forged)` });
    }
  });
});
