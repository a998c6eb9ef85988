// The key-value linearizability checker (sim/check/kv-linearizability.ts): classic linearizable
// and non-linearizable histories, pending operations, agreement with a brute-force checker on
// small random histories, histories linearizable by construction and mutants of them that are
// not, the search budget, and speed on a 2,000-operation history.

import { describe, expect, it } from 'vitest';
import { checkKvLinearizable, type KvOperation, type LinearizabilityVerdict } from '../../sim/check/kv-linearizability.js';
import { Rng } from '../../sim/rng.js';

let nextId = 0;

function put(client: string, key: string, value: string, invoke: number, respond?: number): KvOperation {
  return { client, id: ++nextId, op: 'put', key, value, invoke, ...(respond === undefined ? {} : { respond }) };
}

function get(client: string, key: string, result: string | undefined, invoke: number, respond?: number): KvOperation {
  return { client, id: ++nextId, op: 'get', key, value: '', invoke, ...(respond === undefined ? {} : { respond }), ...(result === undefined ? {} : { result }) };
}

function failure(verdict: LinearizabilityVerdict): Extract<LinearizabilityVerdict, { ok: false }> {
  if (verdict.ok !== false) throw new Error(`expected a violation, got ${JSON.stringify(verdict)}`);
  return verdict;
}

describe('linearizable histories', () => {
  it('accepts the empty history and a read of the initial value', () => {
    expect(checkKvLinearizable([])).toEqual({ ok: true, operations: 0, keys: 0 });
    expect(checkKvLinearizable([get('c1', 'k', '', 0, 1)])).toEqual({ ok: true, operations: 1, keys: 1 });
  });

  it('accepts a sequential run', () => {
    const h = [put('c1', 'k', 'a', 0, 1), get('c2', 'k', 'a', 2, 3), put('c2', 'k', 'b', 4, 5), get('c1', 'k', 'b', 6, 7)];
    expect(checkKvLinearizable(h)).toEqual({ ok: true, operations: 4, keys: 1 });
  });

  it('accepts a get concurrent with a put reading either the old or the new value', () => {
    for (const read of ['', 'a']) {
      expect(checkKvLinearizable([put('c1', 'k', 'a', 0, 10), get('c2', 'k', read, 5, 15)]).ok, read).toBe(true);
      expect(checkKvLinearizable([get('c2', 'k', read, 0, 10), put('c1', 'k', 'a', 5, 15)]).ok, read).toBe(true);
    }
  });

  it('treats intervals that touch (one replies when the other is sent) as concurrent', () => {
    expect(checkKvLinearizable([put('c1', 'k', 'a', 0, 10), get('c2', 'k', '', 10, 20)]).ok).toBe(true);
    expect(checkKvLinearizable([put('c1', 'k', 'a', 0, 9), get('c2', 'k', '', 10, 20)]).ok).toBe(false);
  });

  it('orders concurrent puts whichever way the reads need', () => {
    const h = [put('c1', 'k', 'a', 0, 10), put('c2', 'k', 'b', 0, 10), get('c3', 'k', 'b', 11, 12), get('c4', 'k', 'b', 13, 14)];
    expect(checkKvLinearizable(h).ok).toBe(true);
    const h2 = [put('c1', 'k', 'a', 0, 10), put('c2', 'k', 'b', 0, 10), get('c3', 'k', 'a', 11, 12)];
    expect(checkKvLinearizable(h2).ok).toBe(true);
  });

  it('lets a pending put take effect or not', () => {
    const never = [put('c1', 'k', 'a', 0), get('c2', 'k', '', 5, 6), get('c2', 'k', '', 100, 101)];
    expect(checkKvLinearizable(never).ok).toBe(true);
    const observed = [put('c1', 'k', 'a', 0), get('c2', 'k', '', 5, 6), get('c2', 'k', 'a', 100, 101), get('c3', 'k', 'a', 200, 201)];
    expect(checkKvLinearizable(observed).ok).toBe(true);
    // Its effect is observed long after it was sent: still fine, it has no reply to bound it.
    const late = [put('c1', 'k', 'a', 0), put('c2', 'k', 'b', 10, 20), get('c2', 'k', 'b', 30, 40), get('c3', 'k', 'a', 50, 60)];
    expect(checkKvLinearizable(late).ok).toBe(true);
  });

  it('leaves the result of a pending get unconstrained', () => {
    expect(checkKvLinearizable([put('c1', 'k', 'a', 0, 1), get('c2', 'k', 'nonsense', 5)]).ok).toBe(true);
  });

  it('checks keys independently', () => {
    const h = [put('c1', 'x', 'a', 0, 1), put('c1', 'y', 'b', 2, 3), get('c2', 'x', 'a', 4, 5), get('c2', 'y', 'b', 4, 5), get('c3', 'z', '', 0, 9)];
    expect(checkKvLinearizable(h)).toEqual({ ok: true, operations: 5, keys: 3 });
  });
});

describe('non-linearizable histories', () => {
  it('catches a stale read after a completed put, naming the read and what the key held', () => {
    const stale = get('c3', 'k1', 'v-1', 30, 40);
    const h = [put('c1', 'k1', 'v-1', 0, 10), put('c2', 'k1', 'v-2', 12, 20), stale];
    const v = failure(checkKvLinearizable(h));
    expect(v.key).toBe('k1');
    expect(v.operations).toContain(stale);
    expect(v.explanation).toContain(`get k1 by client c3 #${stale.id} [t=30..40] returned "v-1" but no linearization allows it`);
    expect(v.explanation).toContain('k1 held "v-2"');
    expect(v.explanation).toContain('put k1 "v-2" by client c2');
  });

  it('catches two reads that see two writes in opposite orders', () => {
    const h = [
      put('w1', 'k', '1', 0, 100),
      put('w2', 'k', '2', 0, 100),
      get('c3', 'k', '1', 10, 20),
      get('c3', 'k', '2', 30, 40),
      get('c4', 'k', '2', 10, 20),
      get('c4', 'k', '1', 30, 40),
    ];
    const v = failure(checkKvLinearizable(h));
    expect(v.key).toBe('k');
    expect(v.explanation).toContain('no linearization allows it');
    // Each read is needed: with any one of them gone, some order works.
    for (let i = 2; i < h.length; i++) expect(checkKvLinearizable(h.filter((_, j) => j !== i)).ok, `without ${i}`).toBe(true);
    expect(v.operations).toHaveLength(6);
  });

  it('catches a read of a value never written', () => {
    const bad = get('c2', 'k', 'ghost', 5, 6);
    const v = failure(checkKvLinearizable([put('c1', 'k', 'a', 0, 10), bad, put('c1', 'k', 'b', 20, 30)]));
    expect(v.operations).toEqual([bad]);
    expect(v.explanation).toContain('no put on k wrote "ghost"');
  });

  it('catches a read of "" after a completed put', () => {
    const v = failure(checkKvLinearizable([put('c1', 'k', 'a', 0, 10), get('c2', 'k', '', 11, 12)]));
    expect(v.explanation).toContain('returned ""');
    expect(v.explanation).toContain('had completed before the get was sent');
  });

  it('catches a value read back after a later write replaced it and nothing could restore it', () => {
    const h = [put('c1', 'k', 'a', 0, 10), get('c2', 'k', 'a', 11, 12), put('c1', 'k', 'b', 13, 14), get('c2', 'k', 'a', 15, 16)];
    expect(checkKvLinearizable(h).ok).toBe(false);
    // A concurrent pending put of "a" could restore it.
    expect(checkKvLinearizable([...h, put('c3', 'k', 'a', 14)]).ok).toBe(true);
  });

  it('catches a read that a pending put could explain only if it took effect twice', () => {
    // The pending put of "a" may take effect once: reading a, then b, then a again needs twice.
    const h = [put('c1', 'k', 'a', 0), get('c2', 'k', 'a', 10, 11), put('c2', 'k', 'b', 12, 13), get('c2', 'k', 'a', 14, 15)];
    expect(checkKvLinearizable(h).ok).toBe(false);
  });

  it('reports the failing key when others are fine, and shrinks to a failing sub-history', () => {
    const ok = [put('c1', 'x', 'a', 0, 1), get('c2', 'x', 'a', 2, 3)];
    const noise = Array.from({ length: 40 }, (_, i) => get('c4', 'y', '', 100 + 2 * i, 101 + 2 * i));
    const bad = [put('c1', 'y', 'b', 0, 1), ...noise, get('c3', 'y', '', 300, 301)];
    const v = failure(checkKvLinearizable([...ok, ...bad]));
    expect(v.key).toBe('y');
    expect(v.operations.length).toBeLessThanOrEqual(3);
    expect(checkKvLinearizable(v.operations).ok).toBe(false);
  });

  it('throws on a reply before its request', () => {
    expect(() => checkKvLinearizable([put('c1', 'k', 'a', 10, 5)])).toThrow(/before its request/);
  });
});

describe('agreement with a brute-force checker on small random histories', () => {
  /** Tries every order of the operations that respects real time, dropping pending ones at will. */
  function bruteForce(history: readonly KvOperation[]): boolean {
    const search = (remaining: readonly KvOperation[], state: ReadonlyMap<string, string>): boolean => {
      if (remaining.every((o) => o.respond === undefined)) return true;
      for (const o of remaining) {
        if (remaining.some((r) => r !== o && r.respond !== undefined && r.respond < o.invoke)) continue;
        const rest = remaining.filter((r) => r !== o);
        if (o.op === 'put') {
          if (search(rest, new Map(state).set(o.key, o.value))) return true;
        } else if (o.respond === undefined || o.result === undefined || (state.get(o.key) ?? '') === o.result) {
          if (search(rest, state)) return true;
        }
        // A pending operation may also never take effect.
        if (o.respond === undefined && search(rest, state)) return true;
      }
      return false;
    };
    return search(history, new Map());
  }

  function randomHistory(rng: Rng): KvOperation[] {
    const keys = ['x', 'y'].slice(0, rng.int(1, 2));
    const values = ['', 'a', 'b'];
    return Array.from({ length: rng.int(1, 7) }, (_, i) => {
      const invoke = rng.int(0, 12);
      const respond = rng.chance(0.2) ? undefined : invoke + rng.int(0, 6);
      const key = keys[rng.int(0, keys.length - 1)]!;
      return rng.chance(0.45)
        ? put(`c${i}`, key, values[rng.int(1, 2)]!, invoke, respond)
        : get(`c${i}`, key, values[rng.int(0, 2)]!, invoke, respond);
    });
  }

  it('gives the same answer on 3,000 random histories of up to 7 operations', () => {
    const rng = new Rng(20240611);
    let linearizable = 0;
    for (let n = 0; n < 3000; n++) {
      const h = randomHistory(rng);
      const expected = bruteForce(h);
      const verdict = checkKvLinearizable(h);
      expect(verdict.ok, JSON.stringify(h)).toBe(expected);
      if (verdict.ok === false) expect(bruteForce(verdict.operations), `shrunk ${JSON.stringify(h)}`).toBe(false);
      if (expected) linearizable++;
    }
    // Both outcomes are well represented.
    expect(linearizable).toBeGreaterThan(600);
    expect(linearizable).toBeLessThan(2400);
  });
});

/**
 * A history linearizable by construction: operations run one at a time against a real map at
 * linearization points 10 apart; each gets an interval around its point, and a client's next
 * request is sent only after its previous reply. A request may go unanswered (its client then
 * stops), and an unanswered put may or may not have taken effect.
 */
function linearizableHistory(rng: Rng, ops: number, clients: number, keys: number, spread: number): KvOperation[] {
  const store = new Map<string, string>();
  const free = Array.from({ length: clients }, () => 0);
  const stopped = new Set<number>();
  const history: KvOperation[] = [];
  for (let point = 10; history.length < ops && stopped.size < clients; point += 10) {
    const ready = free.map((t, c) => (t < point && !stopped.has(c) ? c : -1)).filter((c) => c >= 0);
    if (ready.length === 0) continue;
    const c = ready[rng.int(0, ready.length - 1)]!;
    const invoke = Math.max(free[c]! + 1, point - rng.int(0, spread));
    const pending = rng.chance(0.003);
    const respond = pending ? undefined : point + rng.int(0, spread);
    const key = `k${rng.int(1, keys)}`;
    const id = history.length + 1;
    if (rng.chance(0.5)) {
      const value = `v-${c}-${id}`;
      if (!pending || rng.chance(0.5)) store.set(key, value);
      history.push({ client: `c${c}`, id, op: 'put', key, value, invoke, ...(respond === undefined ? {} : { respond }) });
    } else {
      const result = pending ? 'unseen' : (store.get(key) ?? '');
      history.push({ client: `c${c}`, id, op: 'get', key, value: '', invoke, ...(respond === undefined ? {} : { respond, result }) });
    }
    if (pending) stopped.add(c);
    else free[c] = respond!;
  }
  return history;
}

/**
 * Replaces one completed get's result with a value it cannot read: one never written, "" after a
 * put completed before it, or the value of a put that a later put, completed before the get was
 * sent, overwrote (values are unique per put, so nothing can restore it).
 */
function impossibleRead(rng: Rng, history: readonly KvOperation[]): { history: KvOperation[]; mutated: KvOperation } | undefined {
  const gets = history.filter((o) => o.op === 'get' && o.respond !== undefined);
  if (gets.length === 0) return undefined;
  const g = gets[rng.int(0, gets.length - 1)]!;
  const puts = history.filter((p) => p.op === 'put' && p.key === g.key && p.respond !== undefined);
  const overwritten = puts.filter((p) => p.value !== g.result && puts.some((q) => q !== p && p.respond! < q.invoke && q.respond! < g.invoke));
  const choices = ['never-written'];
  if (g.result !== '' && puts.some((p) => p.respond! < g.invoke)) choices.push('initial');
  if (overwritten.length > 0) choices.push('overwritten');
  const choice = choices[rng.int(0, choices.length - 1)];
  const result =
    choice === 'initial' ? '' : choice === 'overwritten' ? overwritten[rng.int(0, overwritten.length - 1)]!.value : `never-${g.id}`;
  const mutated = { ...g, result };
  return { history: history.map((o) => (o === g ? mutated : o)), mutated };
}

describe('random histories linearizable by construction', () => {
  it('accepts them on 300 seeds (1 to 8 clients, 1 to 5 keys, overlapping intervals)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Rng(seed);
      const h = linearizableHistory(rng, rng.int(1, 120), rng.int(1, 8), rng.int(1, 5), rng.int(0, 80));
      const verdict = checkKvLinearizable(h);
      expect(verdict.ok, `seed ${seed}: ${verdict.ok === false ? verdict.explanation : JSON.stringify(verdict)}`).toBe(true);
    }
  });

  it('catches one impossible read in each of them on 300 seeds, with a failing shrunk history', () => {
    let caught = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Rng(seed);
      const h = linearizableHistory(rng, rng.int(5, 120), rng.int(1, 8), rng.int(1, 3), rng.int(0, 80));
      const mutant = impossibleRead(rng, h);
      if (!mutant) continue;
      const v = failure(checkKvLinearizable(mutant.history));
      expect(v.key, `seed ${seed}`).toBe(mutant.mutated.key);
      expect(v.operations.length, `seed ${seed}`).toBeGreaterThan(0);
      expect(v.operations.length, `seed ${seed}`).toBeLessThanOrEqual(mutant.history.filter((o) => o.key === v.key).length);
      expect(checkKvLinearizable(v.operations).ok, `seed ${seed}: shrunk history`).toBe(false);
      caught++;
    }
    expect(caught).toBeGreaterThan(250);
  });
});

describe('search budget and speed', () => {
  it('answers unknown when the budget runs out, naming the key', () => {
    const rng = new Rng(7);
    const h = linearizableHistory(rng, 200, 8, 1, 80);
    const verdict = checkKvLinearizable(h, { maxStatesPerKey: 10 });
    expect(verdict).toMatchObject({ ok: 'unknown', key: 'k1' });
    expect(verdict.ok === 'unknown' && verdict.reason).toContain('maxStatesPerKey');
    expect(checkKvLinearizable(h).ok).toBe(true);
  });

  it('prefers a violation on one key to unknown on another', () => {
    const rng = new Rng(8);
    const busy = linearizableHistory(rng, 200, 8, 1, 80);
    const bad = [put('c1', 'z', 'a', 0, 1), get('c2', 'z', '', 2, 3)];
    expect(checkKvLinearizable([...busy, ...bad], { maxStatesPerKey: 10 })).toMatchObject({ ok: false, key: 'z' });
  });

  it('checks 2,000 operations of 8 clients over 5 keys in well under a second', () => {
    const rng = new Rng(2000);
    const h = linearizableHistory(rng, 2000, 8, 5, 80);
    expect(h).toHaveLength(2000);
    const started = performance.now();
    expect(checkKvLinearizable(h)).toEqual({ ok: true, operations: 2000, keys: 5 });
    const linearizableMs = performance.now() - started;
    const mutant = impossibleRead(rng, h)!;
    const again = performance.now();
    expect(checkKvLinearizable(mutant.history).ok).toBe(false);
    const violationMs = performance.now() - again;
    expect(linearizableMs).toBeLessThan(1000);
    expect(violationMs).toBeLessThan(2000);
  });
});
