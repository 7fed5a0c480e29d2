/**
 * The conversation context store the chat pipeline talks to. It never throws for storage trouble:
 * when the backend is down, slow or returns something unreadable, a load answers with an empty,
 * `degraded` snapshot and a save reports that it did not happen, so the request goes on with only
 * what the client sent. Transitions are logged once each and counted for metrics.
 */
import type { Logger } from "pino";
import type { ChatMessage } from "../api/chat-request.js";
import { byteLength, CommandRefusedError, type ContextBackend, type LoadOptions, type PartialOutage, type RawReseal, type RawSession } from "./backend.js";
import { OneAtATime } from "./one-at-a-time.js";
import { sessionKey, type SessionScope } from "./session-id.js";
import type { StoredTurn, TurnInput } from "./turn.js";
import type { Field, TurnCodec } from "./turn-codec.js";

export interface SessionSnapshot {
  /** The stored system/developer messages that open the conversation. */
  instructions: StoredTurn[];
  /** The stored turns after the instructions, oldest first. */
  turns: StoredTurn[];
  /** The opaque per-session state last saved (PII vault, sticky routing), or undefined. */
  state: unknown;
  /** Which write of the state this is (0: none yet); a save passes it as `SessionWrite.ifStateVersion`. */
  stateVersion: number;
  /** The session's last erasure this load saw (null: none remembered); a save passes it as `SessionWrite.ifEpoch`. */
  epoch: string | null;
}

export type LoadResult =
  | ({ status: "ok"; exists: boolean } & SessionSnapshot)
  | ({ status: "degraded"; exists: false; reason: string } & SessionSnapshot);

export interface SessionWrite {
  /** New turns, appended in this order. */
  turns: readonly TurnInput[];
  /** Replaces the stored instructions when given. */
  instructions?: readonly TurnInput[];
  /**
   * Drop every stored turn first (the client rewrote the history), also those another request of the
   * session saved after this one's load: they continue the stored history the rewrite departs from,
   * so the session reads as if that request had finished just before this one was sent.
   */
  replace?: boolean;
  /** JSON-serialisable; undefined keeps the stored state, null erases it. */
  state?: unknown;
  /**
   * The `stateVersion` the new state was derived from: when another save has written the state since,
   * the state is not written and the result is a `conflict` carrying the stored one (redo the state
   * from it and save again).
   */
  ifStateVersion?: number;
  /** On a conflict, write the turns and instructions neither: they name pseudonyms of the state. */
  turnsNeedState?: boolean;
  /**
   * The caller will not redo this write after a conflict: one that leaves the turns unwritten is
   * counted as a degraded save, as any other write that did not store them.
   */
  lastTry?: boolean;
  /**
   * The `epoch` of the load this write continues: when the session was erased since that load, nothing
   * is written and the result is `erased` — the erasure wins over requests that were in flight. Leave
   * it out only for writes that continue no load.
   */
  ifEpoch?: string | null;
}

export type SaveResult =
  /**
   * `notStored` (only when not 0): turns of the write left out because their exchange alone is over
   * the size or turn limit; the write's other exchanges, the instructions and the state were written.
   */
  | { status: "ok"; turns: number; trimmed: number; notStored?: number }
  /**
   * `stored`: the turns and instructions stored now, which a redone write's state derives from with
   * the stored state; undefined when one of them could not be decoded (a key this replica lacks).
   */
  | { status: "conflict"; turnsSaved: boolean; state: unknown; stateVersion: number; stored: StoredText | undefined }
  /** The session was erased after the write's load (`SessionWrite.ifEpoch`): nothing was written. */
  | { status: "erased" }
  | { status: "degraded"; reason: string };

/** What a session stores besides its state, as stored (placeholders, not values, when sanitized). */
export interface StoredText {
  turns: StoredTurn[];
  instructions: StoredTurn[];
}

export type EraseResult = { status: "erased" | "absent" } | { status: "degraded"; reason: string };

export interface ContextStoreCounters {
  /** Loads of requests to answer, and of session reads (`GET /v1/sessions/{id}`). */
  loads: number;
  /** Read-only loads (a dry run's): counted apart, in neither `loads` nor `degradedLoads`. */
  readOnlyLoads: number;
  saves: number;
  degradedLoads: number;
  degradedSaves: number;
  trimmedTurns: number;
  /** Sessions found half evicted by Redis (turns without their state) and dropped. */
  evictedSessions: number;
}

export interface ContextStoreStatus {
  backend: "redis" | "memory";
  /**
   * `degraded`: requests go on without stored context until the backend is back — all of them, or
   * (`partial`) those whose sessions are on the part that does not answer.
   */
  state: "ready" | "degraded";
  /** Shown unauthenticated on /readyz, so never an error's text, nor a host. */
  detail: "in memory" | "connecting" | "connected" | "unreachable" | PartlyUnreachable;
  /** Redis Cluster: masters that do not answer the health check while the others do. */
  partial?: { unreachable: number; of: number; slots: string };
  counters: Readonly<ContextStoreCounters>;
}

/** `1 of 3 masters unreachable (slots 5461-10922)`. */
export type PartlyUnreachable = `${number} of ${number} masters unreachable (slots ${string})`;

export interface ContextStore {
  /**
   * The session as stored. Restarts its TTL (sliding) and may write (re-seal values read with an old
   * key, drop turns orphaned by an eviction); `readOnly` (a dry run) does neither: the session is left
   * exactly as it was, its expiry included.
   */
  load(scope: SessionScope, options?: LoadOptions): Promise<LoadResult>;
  save(scope: SessionScope, write: SessionWrite): Promise<SaveResult>;
  /**
   * Runs `task` once no other task of the session handed to this store is running. Saves redone after
   * a conflict run through it (a first try is sent at once): a queued redo then meets at most one more
   * conflict from this replica, instead of each request redoing its turn once per request saved
   * before it.
   */
  oneAtATime<T>(scope: SessionScope, task: () => Promise<T>): Promise<T>;
  /** Erases the session's turns, instructions and state (right to be forgotten). */
  erase(scope: SessionScope): Promise<EraseResult>;
  status(): ContextStoreStatus;
  /** Resolves when the backend is connected or `timeoutMs` passed, whichever is first; never rejects. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ContextStoreOptions {
  backend: ContextBackend;
  codec: TurnCodec;
  keyPrefix: string;
  /** Largest instructions + state a session may hold (their encoded size). */
  maxBytes: number;
  log: Logger;
}

/** An assistant message calling tools (or the deprecated function): its results have yet to come. */
const awaitsResults = (message: ChatMessage | undefined): boolean =>
  message?.role === "assistant" && ((message.tool_calls?.length ?? 0) > 0 || (message.function_call ?? undefined) !== undefined);

const EMPTY: SessionSnapshot = Object.freeze({ instructions: [], turns: [], state: undefined, stateVersion: 0, epoch: null }) as SessionSnapshot;

export function createContextStore(options: ContextStoreOptions): ContextStore {
  const { backend, codec, log } = options;
  const counters: ContextStoreCounters = { loads: 0, readOnlyLoads: 0, saves: 0, degradedLoads: 0, degradedSaves: 0, trimmedTurns: 0, evictedSessions: 0 };
  // Redis starts degraded until its first `ready`: enableOfflineQueue is off, so commands sent
  // before the connection is up fail fast.
  let healthy = backend.kind === "memory";
  // Until the first transition is logged, so a Redis unreachable at start-up is reported too.
  let announced = healthy;
  let closing = false;
  let detail: ContextStoreStatus["detail"] = healthy ? "in memory" : "connecting";
  const waiters = new Set<() => void>();

  // `detail` shows on the unauthenticated /readyz: a fixed word, never the error text (it can name
  // internal hosts and ports). The reason is logged instead, once per transition.
  const markDown = (reason: string) => {
    detail = "unreachable";
    if ((!healthy && announced) || closing) return;
    healthy = false;
    announced = true;
    log.warn({ backend: backend.kind, reason }, "context store degraded: requests continue without stored context");
  };
  const markUp = () => {
    detail = "connected";
    if (healthy) return;
    healthy = true;
    announced = true;
    log.info({ backend: backend.kind }, "context store connected");
  };
  // Set and cleared by the health check alone: a session command that succeeds on a master that
  // answers says nothing of the others, nor does one that fails on the master that does not.
  let partial: PartialOutage | undefined;
  const setPartial = (next: PartialOutage | undefined) => {
    const before = partial;
    partial = next;
    if (closing) return;
    if (before && !next) log.info({ backend: backend.kind }, "context store: every master answers again");
    if (next && next.slots !== before?.slots) {
      log.warn(
        { backend: backend.kind, unreachable: next.reasons, slots: next.slots },
        `context store partly degraded: ${next.unreachable} of ${next.of} masters unreachable; sessions in their slots continue without stored context`,
      );
    }
  };
  backend.onConnection(({ up, detail: why, partial: part }) => {
    if (up) {
      setPartial(part);
      markUp();
      for (const wake of waiters) wake();
    } else {
      // Down as a whole says more than down in part; the first check once it is back finds what answers.
      partial = undefined;
      markDown(why);
    }
  });

  const keyOf = (scope: SessionScope) => sessionKey(options.keyPrefix, scope);
  const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
  /**
   * A command the backend refused (an error reply) failed on its own: the backend answered, so it is
   * up, and other sessions are served. Only an unreachable or silent backend marks the store down.
   */
  const failed = (error: unknown, operation: "load" | "save" | "erase", scope: SessionScope): "failed" | "unavailable" => {
    if (!(error instanceof CommandRefusedError)) {
      markDown(reasonOf(error));
      return "unavailable";
    }
    markUp();
    log.error({ err: error, operation, tenant: scope.tenantId }, "context store command failed");
    return "failed";
  };

  /**
   * After a key rotation, a session read with an old key is sealed anew with the current one, so it
   * stays readable once the old key is removed — also when its instructions, state or older turns
   * never change again. Only values still as read are replaced: a save since wins. A failure is
   * logged, and the next load tries again.
   */
  async function resealStale(scope: SessionScope, key: string, raw: RawSession): Promise<void> {
    try {
      await resealWith(scope, key, raw);
    } catch (error) {
      log.warn({ err: error, tenant: scope.tenantId }, "conversation context read with an old key could not be re-sealed; the next load tries again");
    }
  }

  async function resealWith(scope: SessionScope, key: string, raw: RawSession): Promise<void> {
    const pair = (field: Field, stored: string): [string, string] | undefined => {
      const resealed = codec.reseal(scope, field, stored);
      return resealed === undefined ? undefined : [stored, resealed];
    };
    const turns: Array<[string, string]> = [];
    for (const stored of raw.turns) {
      const resealed = pair("turn", stored);
      if (resealed) turns.push(resealed);
    }
    const instructions = raw.instructions === null ? undefined : pair("instructions", raw.instructions);
    const state = raw.state === null ? undefined : pair("state", raw.state);
    if (turns.length === 0 && !instructions && !state) return;
    const reseal: RawReseal = { ifEpoch: raw.epoch, turns, ...(instructions ? { instructions } : {}), ...(state ? { state } : {}) };
    const rewritten = await backend.reseal(key, reseal);
    log.debug({ tenant: scope.tenantId, rewritten }, "conversation context re-sealed with the current key");
  }

  /**
   * Redis evicted the session's state and instructions but not its turns, which named what only that
   * state could read: the backend dropped them, and the session starts afresh. Only a Redis that
   * evicts (any maxmemory-policy but noeviction) does this, so it is worth an operator's attention.
   */
  const orphaned = (scope: SessionScope, turns: number | undefined) => {
    if (!turns) return;
    counters.evictedSessions++;
    log.warn({ tenant: scope.tenantId, turns }, "session's stored state was evicted by Redis; its orphaned turns were dropped");
  };

  const queue = new OneAtATime();
  return {
    oneAtATime: (scope, task) => queue.run(keyOf(scope), task),

    async load(scope, options = {}) {
      const key = keyOf(scope);
      const started = Date.now();
      const readOnly = options.readOnly === true;
      // A dry run answers no conversation: its reads must not move what ops alert on.
      if (readOnly) counters.readOnlyLoads++;
      else counters.loads++;
      let raw: RawSession;
      try {
        raw = await backend.load(key, options);
      } catch (error) {
        if (!readOnly) counters.degradedLoads++;
        return { status: "degraded", exists: false, reason: failed(error, "load", scope), ...EMPTY };
      }
      markUp();
      orphaned(scope, raw.orphanedTurns);
      let snapshot: SessionSnapshot & { exists: boolean };
      try {
        const turns = raw.turns.map((t) => codec.decodeTurn(scope, t));
        const instructions = raw.instructions === null ? [] : codec.decodeInstructions(scope, raw.instructions);
        const state = raw.state === null ? undefined : codec.decodeState(scope, raw.state);
        const exists = turns.length > 0 || instructions.length > 0 || raw.state !== null;
        snapshot = { exists, instructions, turns, state, stateVersion: raw.stateVersion, epoch: raw.epoch };
      } catch (error) {
        // Unreadable is not the same as absent: answer degraded so the stored data is left for an operator.
        if (!readOnly) counters.degradedLoads++;
        log.error({ err: error, tenant: scope.tenantId }, "stored conversation context could not be decoded");
        // ...but not kept alive by attempts to read it: it expires when it would have without them.
        if (raw.ttlMs !== null && !readOnly) await backend.restoreTtl(key, raw.ttlMs - (Date.now() - started)).catch((e: unknown) => log.warn({ err: e, tenant: scope.tenantId }, "context session TTL not restored"));
        return { status: "degraded", exists: false, reason: "unreadable", ...EMPTY };
      }
      if (!readOnly) await resealStale(scope, key, raw);
      return { status: "ok", ...snapshot };
    },

    async save(scope, write) {
      counters.saves++;
      const turns = write.turns.map((t) => codec.encodeTurn(scope, t));
      const instructions = write.instructions === undefined ? undefined : codec.encodeInstructions(scope, write.instructions);
      const state = write.state === undefined ? undefined : write.state === null ? null : codec.encodeState(scope, write.state);
      const extra = byteLength(instructions ?? "") + byteLength(state ?? "");
      if (extra > options.maxBytes) {
        counters.degradedSaves++;
        log.warn({ tenant: scope.tenantId, bytes: extra, maxBytes: options.maxBytes }, "session instructions and state exceed the context size limit; not saved");
        return { status: "degraded", reason: "too_large" };
      }
      let result;
      try {
        result = await backend.save(keyOf(scope), {
          turns,
          replace: write.replace ?? false,
          ...(awaitsResults(write.turns.at(-1)?.message) ? { awaitsResults: true } : {}),
          ...(instructions !== undefined ? { instructions } : {}),
          ...(state !== undefined ? { state } : {}),
          ...(write.ifStateVersion !== undefined ? { ifStateVersion: write.ifStateVersion, turnsNeedState: write.turnsNeedState ?? false } : {}),
          ...(write.ifEpoch !== undefined ? { ifEpoch: write.ifEpoch } : {}),
        });
      } catch (error) {
        counters.degradedSaves++;
        return { status: "degraded", reason: failed(error, "save", scope) };
      }
      markUp();
      if ("erased" in result) return { status: "erased" };
      orphaned(scope, result.orphanedTurns);
      counters.trimmedTurns += result.trimmed;
      const { notStored } = result;
      if (notStored > 0) {
        // No response header can say so: the client has the answer by now.
        counters.degradedSaves++;
        log.warn({ tenant: scope.tenantId, messages: notStored, bytes: result.notStoredBytes, maxBytes: options.maxBytes }, "conversation turn larger than the context size limit; not stored");
      }
      if (!result.conflict) return { status: "ok", turns: result.turns, trimmed: result.trimmed, ...(notStored > 0 ? { notStored } : {}) };
      const { turnsWritten, state: stored, stateVersion } = result.conflict;
      if (write.lastTry && !turnsWritten && write.turns.length > 0) counters.degradedSaves++;
      let text: StoredText | undefined;
      try {
        const { turns: rawTurns, instructions: rawInstructions } = result.conflict;
        text = { turns: rawTurns.map((t) => codec.decodeTurn(scope, t)), instructions: rawInstructions === null ? [] : codec.decodeInstructions(scope, rawInstructions) };
      } catch (error) {
        // The redo then keeps every vault entry: it cannot tell what the unreadable turns name.
        log.warn({ err: error, tenant: scope.tenantId }, "stored session history could not be decoded after a conflict; the vault is not pruned");
      }
      try {
        const state = stored === null ? undefined : codec.decodeState(scope, stored);
        return { status: "conflict", turnsSaved: turnsWritten, state, stateVersion, stored: text };
      } catch (error) {
        counters.degradedSaves++;
        log.error({ err: error, tenant: scope.tenantId }, "stored session state could not be decoded");
        return { status: "degraded", reason: "unreadable" };
      }
    },

    async erase(scope) {
      try {
        const erased = await backend.erase(keyOf(scope));
        markUp();
        return { status: erased ? "erased" : "absent" };
      } catch (error) {
        return { status: "degraded", reason: failed(error, "erase", scope) };
      }
    },

    status: () => ({
      backend: backend.kind,
      state: healthy && !partial ? "ready" : "degraded",
      detail: partial ? `${partial.unreachable} of ${partial.of} masters unreachable (slots ${partial.slots})` : detail,
      ...(partial ? { partial: { unreachable: partial.unreachable, of: partial.of, slots: partial.slots } } : {}),
      counters: { ...counters },
    }),

    ready(timeoutMs) {
      if (backend.connected()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve(backend.connected());
        }, timeoutMs);
        waiters.add(wake);
      });
    },

    close() {
      closing = true;
      return backend.close();
    },
  };
}
