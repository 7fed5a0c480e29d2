/**
 * The storage a context store writes encoded turns to. A backend sees only opaque strings and one
 * storage key per session; encoding, encryption and failure handling live in the store above it.
 */
export interface SessionLimits {
  /** Sliding: every load and save restarts it. */
  ttlMs: number;
  maxTurns: number;
  /** Sum of the stored turns' encoded sizes. */
  maxBytes: number;
}


export interface LoadOptions {
  /** Read only: no TTL restarted, nothing written (`ContextBackend.load`). */
  readOnly?: boolean;
}

export interface RawSession {
  turns: string[];
  instructions: string | null;
  state: string | null;
  /**
   * How many times the state, or turns that need it, were written (0: never); see
   * `RawWrite.ifStateVersion`.
   */
  stateVersion: number;
  /** The mark of the session's last erasure (null: none remembered); see `RawWrite.ifEpoch`. */
  epoch: string | null;
  /**
   * What was left of the session's TTL before this load restarted it (null: no session). A session
   * that turns out unreadable gets it back (`restoreTtl`): attempts to read it must not keep it alive.
   */
  ttlMs: number | null;
  /**
   * Turns found without the rest of their session (Redis evicted the hash holding its state and
   * instructions under maxmemory, one key at a time) and dropped: the session loads as new. Absent: 0.
   */
  orphanedTurns?: number;
}

/**
 * Values a load opened with an old key, each with the same value sealed with the current key: the
 * stored one is replaced only where it is still exactly the one read (sealed values are unique, a
 * random IV each), so whatever a save wrote since — a turn appended, the state rewritten, the session
 * erased — is left alone. A turn is found wherever it is now in the list (a trim moves them).
 */
export interface RawReseal {
  /** As `RawWrite.ifEpoch`: erased since the load, nothing is rewritten. */
  ifEpoch: string | null;
  turns: ReadonlyArray<readonly [read: string, resealed: string]>;
  instructions?: readonly [read: string, resealed: string];
  state?: readonly [read: string, resealed: string];
}

export interface RawWrite {
  turns: readonly string[];
  /** Drop every stored turn first (the client rewrote the history); see `SessionWrite.replace`. */
  replace: boolean;
  /**
   * The write ends with a call still waiting for its results (an assistant `tool_calls` or
   * `function_call`): the exchange it ends does not count against the limits until it is answered,
   * so older exchanges are not trimmed for it (docs/CONTEXT.md, "Limits").
   * Stored turns are opaque (sealed) to a backend, so the store says so.
   */
  awaitsResults?: boolean;
  /** Set when given; kept otherwise. */
  instructions?: string;
  /** undefined keeps the stored state, null erases it. */
  state?: string | null;
  /**
   * Write the state only if it is still at this version: it is written whole, so a save must not
   * overwrite what another request wrote since its load.
   */
  ifStateVersion?: number;
  /**
   * On a version mismatch write nothing, not even the turns and instructions: they need this state.
   * Stored, they count as a write of the state (its version goes up): they may name an entry that a
   * save which loaded the state before them would prune as named nowhere.
   */
  turnsNeedState?: boolean;
  /**
   * The `epoch` the write's load saw: when the session was erased since (its mark differs), write
   * nothing and report `erased`. Undefined writes whatever happened.
   */
  ifEpoch?: string | null;
}

export interface RawSaveResult {
  /** Turns stored after the write. */
  turns: number;
  /** Oldest turns removed to stay within the limits, in whole exchanges (see `opensExchange`). */
  trimmed: number;
  /**
   * The write's turns not stored: each belongs to an exchange (from its opening turn, stored or in the
   * write, to the next) over `maxBytes` or `maxTurns` on its own, so storing it would trim the whole
   * history away and still not fit. The write's other exchanges are stored, the history is kept.
   */
  notStored: number;
  /** The encoded size of the turns not stored. */
  notStoredBytes: number;
  /** As `RawSession.orphanedTurns`, found by this write (evicted after its load): dropped before it. */
  orphanedTurns?: number;
  /**
   * `ifStateVersion` did not match: the state was not written, and this is the one stored, with the
   * turns and instructions stored now (after this write, when it wrote its turns).
   */
  conflict?: { turnsWritten: boolean; state: string | null; stateVersion: number; turns: string[]; instructions: string | null };
}

/** `ifEpoch` did not match: the session was erased after the write's load, and nothing was written. */
export interface RawErasedResult {
  erased: true;
}

/**
 * Part of the backend does not answer while the rest does (Redis Cluster masters): the sessions stored
 * in that part go on without context, the others are served.
 */
export interface PartialOutage {
  /** Masters that do not answer, of how many. */
  unreachable: number;
  of: number;
  /** The hash slots they own (`5461-10922`, `0-99,12000`): what /readyz shows. */
  slots: string;
  /** Master (`host:port`) → the error its check met. For the log only: /readyz never names hosts. */
  reasons: Record<string, string>;
}

/** `partial`: with `up`, some of the backend does not answer (see `PartialOutage`). */
export type ConnectionListener = (event: { up: boolean; detail: string; partial?: PartialOutage }) => void;

export interface ContextBackend {
  readonly kind: "redis" | "memory";
  /**
   * Reads the session and restarts its TTL (`SessionLimits.ttlMs` is sliding); dropping turns found
   * orphaned. `readOnly` (a dry run) writes nothing: the TTL is left as it is, and orphaned turns are
   * read as none but left for the next load to drop.
   */
  load(key: string, options?: LoadOptions): Promise<RawSession>;
  save(key: string, write: RawWrite): Promise<RawSaveResult | RawErasedResult>;
  /**
   * True when something was erased. Either way leaves a new erasure mark (`RawSession.epoch`) with
   * the session's TTL, so saves of requests that loaded before it write nothing.
   */
  erase(key: string): Promise<boolean>;
  /** Rewrites what a load read with an old key (see `RawReseal`); resolves to how many values were. Never touches the TTL. */
  reseal(key: string, reseal: RawReseal): Promise<number>;
  /** Gives the session the TTL it had before a load restarted it (`RawSession.ttlMs`), minus nothing. */
  restoreTtl(key: string, ttlMs: number): Promise<void>;
  /** Whether the backend can serve commands now. */
  connected(): boolean;
  /** Connection transitions (Redis); the in-memory backend never calls it. */
  onConnection(listener: ConnectionListener): void;
  close(): Promise<void>;
}

/**
 * The backend answered and refused this one command (a Redis error reply such as WRONGTYPE, OOM or a
 * script error): the command failed, the backend is up. Any other error a backend throws (connection
 * lost, timeout, a server that cannot serve at all) means the backend is unavailable.
 */
export class CommandRefusedError extends Error {
  override name = "CommandRefusedError";
}

/** UTF-8 size, as Redis counts string lengths in the trim script. */
export const byteLength = (value: string): number => Buffer.byteLength(value, "utf8");
