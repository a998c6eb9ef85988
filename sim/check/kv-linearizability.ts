// Linearizability of a key-value history with one register per key, after Wing & Gong and
// Lowe as in Porcupine and Knossos. Takes the operations clients observed (pending ones have
// no reply); gives ok, a violation with a small failing sub-history of one key, or unknown when
// the search budget runs out. Relies on P-compositionality: a history is linearizable iff each
// key's sub-history is, so keys are searched independently.

export interface KvOperation {
  /** Who issued it (for messages). */
  readonly client: string;
  /** The client's request id. */
  readonly id: number;
  readonly op: 'put' | 'get';
  readonly key: string;
  /** For put: the value written; for get: ignored. */
  readonly value: string;
  /** Time the request was sent (any monotone unit). */
  readonly invoke: number;
  /** Time the reply arrived; undefined = no reply: it may take effect at any time after invoke, or never. */
  readonly respond?: number;
  /** For a completed get: the value read ("" = never written). A get without one is unconstrained. */
  readonly result?: string;
}

export type LinearizabilityVerdict =
  | { readonly ok: true; readonly operations: number; readonly keys: number }
  | { readonly ok: false; readonly key: string; readonly explanation: string; readonly operations: readonly KvOperation[] }
  | { readonly ok: 'unknown'; readonly key: string; readonly reason: string };

export interface LinearizabilityOptions {
  /** Distinct (linearized set, value) states one key's search may visit before giving up. */
  readonly maxStatesPerKey?: number;
}

const DEFAULT_MAX_STATES_PER_KEY = 2_000_000;
/** Shrinking a violation is best effort: each candidate search and the whole shrink are bounded. */
const SHRINK_STATES_PER_CHECK = 50_000;
const SHRINK_STATES_TOTAL = 1_000_000;

/**
 * Checks that some total order of the operations, respecting real time (a before b when
 * a.respond < b.invoke) and with each pending operation placed after its invoke or dropped,
 * is a legal sequential run of a register per key starting at "". Throws on a malformed
 * history (a reply before its request): that is a bug in whoever recorded it.
 */
export function checkKvLinearizable(history: readonly KvOperation[], options: LinearizabilityOptions = {}): LinearizabilityVerdict {
  const maxStates = options.maxStatesPerKey ?? DEFAULT_MAX_STATES_PER_KEY;
  for (const o of history) assertWellFormed(o);
  const byKey = new Map<string, KvOperation[]>();
  for (const o of history) {
    const ops = byKey.get(o.key);
    if (ops) ops.push(o);
    else byKey.set(o.key, [o]);
  }
  let unknown: LinearizabilityVerdict | undefined;
  for (const [key, ops] of byKey) {
    const outcome = searchRegister(ops, maxStates);
    if (outcome.kind === 'violation') return explainViolation(key, ops, outcome.culprit);
    if (outcome.kind === 'budget' && !unknown) {
      unknown = { ok: 'unknown', key, reason: `the search of key ${key} (${ops.length} operations) visited ${maxStates} states without deciding; raise maxStatesPerKey` };
    }
  }
  // A definite violation on a later key outranks an undecided earlier one.
  return unknown ?? { ok: true, operations: history.length, keys: byKey.size };
}

function assertWellFormed(o: KvOperation): void {
  if (!Number.isFinite(o.invoke)) throw new RangeError(`${describe(o)}: invoke time ${o.invoke} is not a finite number`);
  if (o.respond !== undefined && !(o.respond >= o.invoke)) {
    throw new RangeError(`${describe(o)}: reply at ${o.respond} before its request at ${o.invoke}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The search over one key.
//
// Each relevant operation gives a call entry (at invoke) and a return entry (at respond, or +inf
// when pending), in one doubly linked list sorted by time, calls before returns on ties (so
// touching intervals count as concurrent). Walking from the head, a call may be linearized now
// if the register allows it: it and its return are lifted out of the list and the walk
// restarts. Reaching a return means that operation had to take effect by now and did not, so
// the last linearized call is unlifted and the walk goes on after it. A (linearized set, value)
// pair already explored is not explored again. Pending puts need no "never" branch: one placed
// after every completed operation is observed by nothing.

type SearchOutcome =
  | { readonly kind: 'linearizable'; readonly states: number }
  /** culprit: the index (into the operations searched) blocking the deepest partial linearization. */
  | { readonly kind: 'violation'; readonly culprit: number; readonly states: number }
  | { readonly kind: 'budget'; readonly states: number };

interface Entry {
  readonly call: boolean;
  readonly op: number;
  readonly time: number;
  /** On a call: its return entry. */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/** Called on every attempt to linearize a call; lets the explanation see what a get faced. */
type AttemptObserver = (op: number, value: number, allowed: boolean) => void;

/** Register values are interned: "" is 0. */
class ValueTable {
  private readonly ids = new Map<string, number>([['', 0]]);
  readonly names: string[] = [''];

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(value, id);
      this.names.push(value);
    }
    return id;
  }
}

function searchRegister(ops: readonly KvOperation[], maxStates: number, observe?: AttemptObserver, values = new ValueTable()): SearchOutcome {
  const n = ops.length;
  const isPut = new Uint8Array(n);
  const valueOf = new Int32Array(n);
  // Pending gets and gets without a result constrain nothing and change nothing.
  const relevant: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = ops[i]!;
    isPut[i] = o.op === 'put' ? 1 : 0;
    if (o.op === 'put') valueOf[i] = values.id(o.value);
    else if (o.respond !== undefined && o.result !== undefined) valueOf[i] = values.id(o.result);
    else continue;
    relevant.push(i);
  }

  const head = buildEntryList(ops, relevant);
  const words = Math.max(1, Math.ceil(n / 32));
  const linearized = new Uint32Array(words);
  const cache = new StateSet(words);
  const stackCalls: Entry[] = [];
  const stackValues: number[] = [];
  let value = 0;
  let setHash = 0;
  let deepest = -1;
  let culprit = -1;
  let entry = head.next;

  while (head.next !== null) {
    // The list always ends with a return, and returns are never walked past, so entry is set.
    const e = entry!;
    if (e.call) {
      const op = e.op;
      const next = isPut[op] ? valueOf[op]! : value === valueOf[op] ? value : -1;
      observe?.(op, value, next >= 0);
      if (next >= 0) {
        const h = setHash ^ opHash(op);
        linearized[op >>> 5]! |= 1 << (op & 31);
        if (cache.add(h ^ valueHash(next), linearized, next)) {
          if (cache.size > maxStates) return { kind: 'budget', states: cache.size };
          stackCalls.push(e);
          stackValues.push(value);
          value = next;
          setHash = h;
          lift(e);
          entry = head.next;
          continue;
        }
        linearized[op >>> 5]! &= ~(1 << (op & 31));
      }
      entry = e.next;
    } else {
      if (stackCalls.length > deepest) {
        deepest = stackCalls.length;
        culprit = e.op;
      }
      const undone = stackCalls.pop();
      if (undone === undefined) return { kind: 'violation', culprit, states: cache.size };
      value = stackValues.pop()!;
      setHash ^= opHash(undone.op);
      linearized[undone.op >>> 5]! &= ~(1 << (undone.op & 31));
      unlift(undone);
      entry = undone.next;
    }
  }
  return { kind: 'linearizable', states: cache.size };
}

function buildEntryList(ops: readonly KvOperation[], relevant: readonly number[]): Entry {
  const entries: Entry[] = [];
  for (const i of relevant) {
    const o = ops[i]!;
    const ret: Entry = { call: false, op: i, time: o.respond ?? Number.POSITIVE_INFINITY, match: null, prev: null, next: null };
    entries.push({ call: true, op: i, time: o.invoke, match: ret, prev: null, next: null }, ret);
  }
  entries.sort((a, b) => a.time - b.time || (a.call === b.call ? 0 : a.call ? -1 : 1) || a.op - b.op);
  const head: Entry = { call: false, op: -1, time: Number.NEGATIVE_INFINITY, match: null, prev: null, next: null };
  let last = head;
  for (const e of entries) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

/** Removes a call and its return from the list; they keep their own links for unlift. */
function lift(call: Entry): void {
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

/** Undoes lift, in reverse order. */
function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  call.next!.prev = call;
}

/** Zobrist-style: the linearized set's hash is the xor of its members' hashes. */
function opHash(op: number): number {
  return mix32(op + 0x632be5ab);
}

function valueHash(value: number): number {
  return mix32(value ^ 0x5bd1e995);
}

/** MurmurHash3's finaliser. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/**
 * The memo of explored (linearized set, value) states: open addressing over flat typed arrays,
 * so two million states of a few hundred operations fit in tens of megabytes, not objects.
 */
class StateSet {
  size = 0;
  private slots: Int32Array = new Int32Array(1024); // entry index + 1; 0 = empty
  private hashes: Int32Array = new Int32Array(512);
  private values: Int32Array = new Int32Array(512);
  private bits: Uint32Array;

  constructor(private readonly words: number) {
    this.bits = new Uint32Array(512 * words);
  }

  /** Adds the state; false if it was already there. */
  add(hash: number, set: Uint32Array, value: number): boolean {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let taken = this.slots[slot]!; taken !== 0; taken = this.slots[slot]!) {
      if (this.matches(taken - 1, hash, set, value)) return false;
      slot = (slot + 1) & mask;
    }
    if (this.size === this.hashes.length) this.grow();
    const index = this.size++;
    this.hashes[index] = hash;
    this.values[index] = value;
    this.bits.set(set, index * this.words);
    if (this.slots.length < this.size * 2) this.rehash();
    else this.slots[slot] = index + 1;
    return true;
  }

  private matches(index: number, hash: number, set: Uint32Array, value: number): boolean {
    if (this.hashes[index] !== hash || this.values[index] !== value) return false;
    const base = index * this.words;
    for (let w = 0; w < this.words; w++) if (this.bits[base + w] !== set[w]) return false;
    return true;
  }

  private grow(): void {
    const capacity = this.hashes.length * 2;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const values = new Int32Array(capacity);
    values.set(this.values);
    this.values = values;
    const bits = new Uint32Array(capacity * this.words);
    bits.set(this.bits);
    this.bits = bits;
  }

  /** Doubles the slot table (load at most a half), placing every entry, the new one included. */
  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = this.hashes[index]! & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = index + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Explaining a violation: shrink the key's history, then say what the blocking operation saw.

function explainViolation(key: string, ops: readonly KvOperation[], culprit: number): LinearizabilityVerdict {
  const minimal = shrink(ops, ops[culprit]!);
  // Name the minimal history's own blocking operation, then search again watching what values
  // the key held whenever that operation could have taken effect.
  const again = searchRegister(minimal, SHRINK_STATES_PER_CHECK);
  const watched = again.kind === 'violation' ? again.culprit : -1;
  const values = new ValueTable();
  const held = new Set<number>();
  let everAllowed = false;
  if (watched >= 0) {
    searchRegister(minimal, SHRINK_STATES_PER_CHECK, (op, value, allowed) => {
      if (op !== watched) return;
      held.add(value);
      everAllowed ||= allowed;
    }, values);
  }
  const blocking = watched >= 0 ? minimal[watched]! : ops[culprit]!;
  const heldValues = watched >= 0 && !everAllowed ? [...held].sort((a, b) => a - b).map((v) => values.names[v]!) : undefined;
  const listing = minimal.map((o) => `  ${describe(o)}`).join('\n');
  const scope = minimal.length === ops.length ? `all ${ops.length} operations` : `${minimal.length} of its ${ops.length} operations`;
  return {
    ok: false,
    key,
    explanation: `${blockingReason(key, blocking, ops, minimal, heldValues)}\nA history of key ${key} that is not linearizable (${scope}):\n${listing}`,
    operations: minimal,
  };
}

function blockingReason(key: string, o: KvOperation, all: readonly KvOperation[], minimal: readonly KvOperation[], heldValues: readonly string[] | undefined): string {
  const head = `${describe(o)} but no linearization allows it`;
  if (o.op !== 'get' || o.result === undefined) return `${head}: no order of the operations below is a legal run of a register`;
  const read = o.result;
  if (read !== '' && !all.some((p) => p.op === 'put' && p.value === read)) return `${head}: no put on ${key} wrote ${JSON.stringify(read)}`;
  const lastBefore = minimal
    .filter((p) => p.op === 'put' && p.respond !== undefined && p.respond < o.invoke)
    .sort((a, b) => b.respond! - a.respond!)[0];
  if (read === '' && lastBefore) return `${head}: ${describe(lastBefore)} had completed before the get was sent, and no put writes ""`;
  if (heldValues && heldValues.length > 0) {
    const held = heldValues.map((v) => JSON.stringify(v)).join(' or ');
    const after = lastBefore ? ` (the last put to complete before the get was sent is ${describe(lastBefore)})` : '';
    return `${head}: whenever it could take effect, ${key} held ${held}${after}`;
  }
  return `${head}: every order that lets it read ${JSON.stringify(read)} leaves another operation below unsatisfiable`;
}

/**
 * Best-effort shrink (delta debugging over subsets and complements), keeping only candidates a
 * bounded search proves non-linearizable, so the result always fails. A candidate always holds
 * the blocking operation and, with each get, the puts of the value it read, so that no get
 * fails merely because its writer was cut out. First drops what was sent after the blocking
 * operation's reply, which rarely matters.
 */
function shrink(ops: readonly KvOperation[], culprit: KvOperation): KvOperation[] {
  const writers = new Map<string, KvOperation[]>();
  for (const o of ops) if (o.op === 'put') writers.set(o.value, [...(writers.get(o.value) ?? []), o]);
  const close = (rest: readonly KvOperation[]): KvOperation[] => {
    const kept = new Set([culprit, ...rest]);
    for (const o of kept) if (o.op === 'get' && o.result !== undefined) for (const w of writers.get(o.result) ?? []) kept.add(w);
    return ops.filter((o) => kept.has(o));
  };
  let budget = SHRINK_STATES_TOTAL;
  const fails = (rest: readonly KvOperation[]): boolean => {
    if (budget <= 0) return false;
    const outcome = searchRegister(close(rest), Math.min(SHRINK_STATES_PER_CHECK, budget));
    budget -= outcome.states;
    return outcome.kind === 'violation';
  };
  if (fails([])) return close([]);
  let current = ops.filter((o) => o !== culprit);
  if (culprit.respond !== undefined) {
    const earlier = current.filter((o) => o.invoke <= culprit.respond!);
    if (earlier.length < current.length && fails(earlier)) current = earlier;
  }
  let parts = 2;
  while (current.length >= 2 && budget > 0) {
    const chunks = split(current, Math.min(parts, current.length));
    const subset = chunks.find((c) => fails(c));
    if (subset) {
      current = subset;
      parts = 2;
      continue;
    }
    const complement = chunks.length > 2 ? chunks.map((c) => without(current, c)).find((c) => fails(c)) : undefined;
    if (complement) {
      current = complement;
      parts = Math.max(parts - 1, 2);
      continue;
    }
    if (parts >= current.length) break;
    parts = Math.min(parts * 2, current.length);
  }
  return close(current);
}

function without<T>(items: readonly T[], removed: readonly T[]): T[] {
  const gone = new Set(removed);
  return items.filter((o) => !gone.has(o));
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < parts; i++) chunks.push(items.slice(Math.floor((i * items.length) / parts), Math.floor(((i + 1) * items.length) / parts)));
  return chunks;
}

function describe(o: KvOperation): string {
  const when = o.respond === undefined ? `[t=${o.invoke}.., no reply]` : `[t=${o.invoke}..${o.respond}]`;
  const who = `by client ${o.client} #${o.id} ${when}`;
  if (o.op === 'put') return `put ${o.key} ${JSON.stringify(o.value)} ${who}`;
  const result = o.result === undefined ? '' : ` returned ${JSON.stringify(o.result)}`;
  return `get ${o.key} ${who}${result}`;
}
