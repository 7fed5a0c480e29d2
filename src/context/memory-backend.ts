/**
 * The embedded default: sessions in this process's memory, bounded by a session count and by the
 * bytes they hold between them (least recently used evicted first), with the same sliding TTL and
 * trim rules as Redis. Nothing is shared
 * between replicas, and nothing survives a restart. An erased session stays an empty entry holding
 * its erasure mark, so the mark ages and is evicted exactly as a session would be.
 */
import { LRUCache } from "lru-cache";
import { byteLength, type ContextBackend, type LoadOptions, type RawErasedResult, type RawReseal, type RawSaveResult, type RawSession, type RawWrite, type SessionLimits } from "./backend.js";
import { isResultTurn, opensExchange } from "./turn-codec.js";

interface Entry {
  turns: string[];
  bytes: number;
  instructions: string | null;
  state: string | null;
  stateVersion: number;
  /** See `RawSession.epoch`. */
  epoch: string | null;
}

export interface MemoryBackendOptions {
  limits: SessionLimits;
  maxSessions: number;
  /** What the sessions may hold between them (their stored text); at least what one session can hold (`largestEntry`). */
  maxBytes: number;
}

/** What an entry costs beside its text (its object, arrays, the cache's node), counted so marks and empty sessions weigh something. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * The most one session can weigh: its turns within `maxBytes`, an exchange still waiting for its call
 * results on top (`trim`), and its instructions and its state, each up to `maxBytes` (the store bounds
 * what one save writes, so two saves may write one each).
 */
const largestEntry = (limits: SessionLimits) => 4 * limits.maxBytes + ENTRY_OVERHEAD_BYTES;

/** An entry's weight against `maxBytes`: its text (as the per-session limit counts it) and its overhead. */
function entrySize(entry: Entry): number {
  return ENTRY_OVERHEAD_BYTES + entry.bytes + byteLength(entry.instructions ?? "") + byteLength(entry.state ?? "");
}

export function createMemoryBackend(options: MemoryBackendOptions): ContextBackend {
  const { limits } = options;
  // Without a bound on bytes, clients opening sessions up to `maxSessions` at the per-session limit
  // each could hold gigabytes of the gateway's heap. An entry's size is taken when it is set (each save).
  const sessions = new LRUCache<string, Entry>({
    max: options.maxSessions,
    // lru-cache deletes an entry bigger than maxSize when it is set: no session may weigh more.
    maxSize: Math.max(options.maxBytes, largestEntry(limits)),
    sizeCalculation: entrySize,
    ttl: limits.ttlMs,
    updateAgeOnGet: true,
  });
  // Marks come from one counter for the backend's life, so a mark is never handed out twice: one
  // counted per session would restart at 1 once an erased session's entry expired or was evicted,
  // and a request holding the old "1" would then write into the next erasure's session.
  let erasures = 0;
  const empty = (epoch: string | null): Entry => ({ turns: [], bytes: 0, instructions: null, state: null, stateVersion: 0, epoch });

  return {
    kind: "memory",
    async load(key: string, options: LoadOptions = {}): Promise<RawSession> {
      const remaining = sessions.getRemainingTTL(key);
      // `peek` leaves the entry's age (its TTL) and recency as they are.
      const entry = options.readOnly ? sessions.peek(key) : sessions.get(key);
      if (!entry) return { turns: [], instructions: null, state: null, stateVersion: 0, epoch: null, ttlMs: null };
      const live = entry.turns.length > 0 || entry.instructions !== null || entry.state !== null;
      return { turns: entry.turns.slice(), instructions: entry.instructions, state: entry.state, stateVersion: entry.stateVersion, epoch: entry.epoch, ttlMs: live ? remaining : null };
    },
    async save(key: string, write: RawWrite): Promise<RawSaveResult | RawErasedResult> {
      const entry = sessions.get(key) ?? empty(null);
      if (write.ifEpoch !== undefined && entry.epoch !== write.ifEpoch) return { erased: true };
      const conflict = write.ifStateVersion !== undefined && entry.stateVersion !== write.ifStateVersion;
      if (conflict && write.turnsNeedState) {
        return { turns: entry.turns.length, trimmed: 0, notStored: 0, notStoredBytes: 0, conflict: { turnsWritten: false, state: entry.state, stateVersion: entry.stateVersion, turns: entry.turns.slice(), instructions: entry.instructions } };
      }
      if (write.replace) {
        entry.turns = [];
        entry.bytes = 0;
      }
      const fitted = fitExchanges(entry.turns, write.turns, limits);
      const { notStored, notStoredBytes, storedDropped } = fitted;
      for (const turn of entry.turns.splice(entry.turns.length - storedDropped)) entry.bytes -= byteLength(turn);
      for (const turn of fitted.kept) {
        entry.turns.push(turn);
        entry.bytes += byteLength(turn);
      }
      // An exchange still waiting for its call results does not count yet (see `trim`).
      const pending = write.awaitsResults === true && fitted.lastKept ? fitted.last : NONE;
      const trimmed = trim(entry, limits, pending) + storedDropped;
      if (write.instructions !== undefined) entry.instructions = write.instructions;
      if (!conflict && write.state !== undefined) entry.state = write.state;
      // Turns that need the state count as a write of it (see the Redis script).
      if (!conflict && (write.state !== undefined || (write.turnsNeedState === true && fitted.kept.length > 0))) entry.stateVersion++;
      // A new object: the cache takes an entry's size only when the value set is not the one it holds.
      sessions.set(key, { ...entry });
      const current = conflict ? { conflict: { turnsWritten: true, state: entry.state, stateVersion: entry.stateVersion, turns: entry.turns.slice(), instructions: entry.instructions } } : {};
      return { turns: entry.turns.length, trimmed, notStored, notStoredBytes, ...current };
    },
    async erase(key: string): Promise<boolean> {
      const entry = sessions.get(key);
      sessions.set(key, empty(String(++erasures)));
      return entry !== undefined && (entry.turns.length > 0 || entry.instructions !== null || entry.state !== null);
    },
    async reseal(key: string, reseal: RawReseal): Promise<number> {
      const entry = sessions.peek(key);
      if (!entry || entry.epoch !== reseal.ifEpoch) return 0;
      let rewritten = 0;
      if (reseal.instructions && entry.instructions === reseal.instructions[0]) {
        entry.instructions = reseal.instructions[1];
        rewritten++;
      }
      if (reseal.state && entry.state === reseal.state[0]) {
        entry.state = reseal.state[1];
        rewritten++;
      }
      const wanted = new Map(reseal.turns);
      entry.turns = entry.turns.map((turn) => {
        const resealed = wanted.get(turn);
        if (resealed === undefined) return turn;
        entry.bytes += byteLength(resealed) - byteLength(turn);
        rewritten++;
        return resealed;
      });
      return rewritten;
    },
    async restoreTtl(key: string, ttlMs: number): Promise<void> {
      const entry = sessions.peek(key);
      if (entry) sessions.set(key, entry, { ttl: Math.max(1, ttlMs) });
    },
    connected: () => true,
    onConnection: () => {},
    async close() {
      sessions.clear();
    },
  };
}

interface Span {
  turns: number;
  bytes: number;
}

const NONE: Span = { turns: 0, bytes: 0 };

/**
 * The same rule as the Redis script: oldest first until within limits, then on to the next turn that
 * opens an exchange, so no answer, call or call result is kept without what it answers; and never a
 * call result at the head (a replaced history may start with one).
 *
 * `pending` is the newest exchange when it ends with a call still waiting for its results: it is not
 * counted, and older exchanges are not trimmed to make room for it. Its results may still make it
 * too large to keep on its own; it then goes (no call may stay unanswered), and the history before it
 * must still be there. Until then the session may be over the limits by that one exchange, itself
 * within them.
 */
function trim(entry: Entry, limits: SessionLimits, pending: Span): number {
  const turns = entry.turns;
  const end = turns.length - pending.turns;
  let drop = 0;
  let freed = 0;
  while (drop < end && (end - drop > limits.maxTurns || entry.bytes - pending.bytes - freed > limits.maxBytes)) {
    freed += byteLength(turns[drop]!);
    drop++;
  }
  const partial = drop > 0 ? (turn: string) => !opensExchange(turn) : isResultTurn;
  while (drop < turns.length && partial(turns[drop]!)) {
    freed += byteLength(turns[drop]!);
    drop++;
  }
  if (drop > 0) entry.turns = turns.slice(drop);
  entry.bytes -= freed;
  return drop;
}

/**
 * Which of the write's turns can be stored: each exchange of the write is checked on its own, and
 * one over a limit by itself is left out — storing it would trim the whole history away and still
 * not fit (a full-history client resends such an exchange with every later turn, in front of turns
 * that do fit). The exchanges around it are stored. An exchange runs from a turn that opens one to
 * the next; the write's turns before its first opening turn continue the exchange the stored history
 * ends with, whose stored turns (`storedDropped`, from the tail) go too when that exchange is over a
 * limit: kept, they would end the history with a call no result ever answers. `last` is the size of
 * the write's last exchange (its stored part included), `lastKept` whether it is stored. The Redis
 * save script does the same.
 */
function fitExchanges(
  stored: readonly string[],
  added: readonly string[],
  limits: SessionLimits,
): { kept: string[]; notStored: number; notStoredBytes: number; storedDropped: number; last: Span; lastKept: boolean } {
  const over = (span: Span) => span.turns > limits.maxTurns || span.bytes > limits.maxBytes;
  const kept: string[] = [];
  let notStored = 0;
  let notStoredBytes = 0;
  let storedDropped = 0;
  let last: Span = NONE;
  let lastKept = false;
  let from = 0;
  while (from < added.length) {
    let to = from + 1;
    while (to < added.length && !opensExchange(added[to]!)) to++;
    const own = added.slice(from, to);
    const span = { turns: own.length, bytes: own.reduce((sum, turn) => sum + byteLength(turn), 0) };
    const ownBytes = span.bytes;
    let storedPart = 0;
    if (from === 0 && !opensExchange(added[0]!)) {
      // Continues the stored tail's exchange: count its stored part, back to the turn that opened it.
      for (let start = stored.length - 1; start >= 0; start--) {
        storedPart++;
        span.turns++;
        span.bytes += byteLength(stored[start]!);
        if (opensExchange(stored[start]!)) break;
      }
    }
    last = span;
    lastKept = !over(span);
    if (lastKept) kept.push(...own);
    else {
      notStored += own.length;
      notStoredBytes += ownBytes;
      storedDropped += storedPart;
    }
    from = to;
  }
  return { kept, notStored, notStoredBytes, storedDropped, last, lastKept };
}
