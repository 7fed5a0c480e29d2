/**
 * Builders shared by the context tests: stores over Redis or memory, turns, a captured logger, and
 * what a store that must not connect (TLS it cannot verify) looks like.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { afterEach, expect } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import type { ContextBackend, SessionLimits } from "../../src/context/backend.js";
import type { ContextCipher } from "../../src/context/cipher.js";
import { createMemoryBackend } from "../../src/context/memory-backend.js";
import { createRedisBackend } from "../../src/context/redis-backend.js";
import { createRedisClient } from "../../src/context/redis-client.js";
import type { SessionScope } from "../../src/context/session-id.js";
import { createContextStore, type ContextStore } from "../../src/context/store.js";
import type { TurnInput } from "../../src/context/turn.js";
import { createTurnCodec } from "../../src/context/turn-codec.js";
import { CONTEXT_DEFAULTS } from "../../src/context/config.js";

export const DEFAULT_LIMITS: SessionLimits = { ttlMs: 60_000, maxTurns: 1000, maxBytes: 1024 * 1024 };

export interface CapturedLog {
  log: Logger;
  lines: () => Array<Record<string, unknown>>;
}

export function capturedLog(): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { log: pino({ level: "debug" }, sink), lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Storage that several replicas (stores) can share, as gateway instances share one Redis. */
export interface SharedStorage {
  kind: "redis" | "memory";
  /** A new store over the shared storage, as another gateway replica would build it. */
  replica(options?: { cipher?: ContextCipher; log?: Logger; maxBytes?: number }): Promise<ContextStore>;
  close(): Promise<void>;
}

export type StorageFactory = (limits?: Partial<SessionLimits>) => SharedStorage;

export function memoryStorage(limits: Partial<SessionLimits> = {}, maxSessions = 1000, maxBytes: number = CONTEXT_DEFAULTS.memoryMaxBytes): SharedStorage {
  const full = { ...DEFAULT_LIMITS, ...limits };
  const backend = createMemoryBackend({ limits: full, maxSessions, maxBytes });
  // One in-process backend is the only way replicas can share memory; closing a replica must not wipe it.
  const shared: ContextBackend = { ...backend, close: async () => {} };
  return {
    kind: "memory",
    replica: async (o = {}) => storeOver(shared, full, o),
    close: () => backend.close(),
  };
}

/**
 * The command bound is generous: these tests assert what is stored, not how fast, and on a loaded
 * machine (load 20 on 2 cores) a 200 ms bound timed out and turned a load into "degraded".
 */
export function redisStorage(url: string, prefix: string, limits: Partial<SessionLimits> = {}, timeoutMs = 2000): SharedStorage {
  const full = { ...DEFAULT_LIMITS, ...limits };
  const stores: ContextStore[] = [];
  const keyPrefix = `${prefix}${randomUUID().slice(0, 8)}:`;
  return {
    kind: "redis",
    async replica(o = {}) {
      const client = createRedisClient({ kind: "url", url }, { timeoutMs, reconnectMaxDelayMs: 100 });
      const store = storeOver(createRedisBackend({ client, limits: full }), full, o, keyPrefix);
      stores.push(store);
      if (!(await store.ready(5000))) throw new Error(`Redis at ${url} is not reachable`);
      return store;
    },
    async close() {
      await Promise.all(stores.map((s) => s.close()));
    },
  };
}

function storeOver(backend: ContextBackend, limits: SessionLimits, o: { cipher?: ContextCipher; log?: Logger; maxBytes?: number }, keyPrefix = "test:"): ContextStore {
  return createContextStore({
    backend,
    codec: createTurnCodec(o.cipher),
    keyPrefix,
    maxBytes: o.maxBytes ?? limits.maxBytes,
    log: o.log ?? pino({ level: "silent" }),
  });
}

/**
 * For a describe block: the returned function opens a storage with `storage` for the running test,
 * and that storage is closed after the test.
 *
 * @example const open = storagePerTest(storage); it("…", async () => { const store = await open().replica(); });
 */
export function storagePerTest<A extends unknown[]>(storage: (...args: A) => SharedStorage): (...args: A) => SharedStorage {
  let opened: SharedStorage | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  return (...args) => (opened = storage(...args));
}

export const randomKey = (): Buffer => randomBytes(32);

export const user = (content: string): ChatMessage => ({ role: "user", content });
export const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
export const system = (content: string): ChatMessage => ({ role: "system", content });
export const toolCall = (id: string, name: string, args: string): ChatMessage => ({
  role: "assistant",
  content: null,
  tool_calls: [{ id, type: "function", function: { name, arguments: args } }],
});
export const toolResult = (id: string, content: string): ChatMessage => ({ role: "tool", tool_call_id: id, content });

export const turn = (message: ChatMessage, meta: Partial<TurnInput["meta"]> = {}): TurnInput => ({ message, meta: { at: 1_700_000_000_000, ...meta } });

export const contents = (turns: readonly { message: ChatMessage }[]) => turns.map((t) => t.message.content);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const DEGRADED = "context store degraded: requests continue without stored context";

/** Waits for the store's first connection outcome and gives the reason it went degraded, if it did. */
export async function refusal(store: ContextStore, captured: CapturedLog): Promise<string | undefined> {
  const deadline = Date.now() + 5000;
  for (;;) {
    if (await store.ready(50)) return undefined;
    const line = captured.lines().find((l) => l.msg === DEGRADED);
    if (line) return String(line.reason);
    if (Date.now() > deadline) throw new Error("the store neither connected nor reported why not");
    await sleep(20);
  }
}

/** The store never connected, logged `why`, and answers degraded: nothing is loaded or stored. */
export async function expectFailsClosed(store: ContextStore, captured: CapturedLog, scope: SessionScope, why: RegExp): Promise<void> {
  expect(await refusal(store, captured)).toMatch(why);
  expect(await store.load(scope)).toMatchObject({ status: "degraded", reason: "unavailable", turns: [] });
  expect(await store.save(scope, { turns: [turn(user("must not be stored"))] })).toEqual({ status: "degraded", reason: "unavailable" });
  expect(store.status().state).toBe("degraded");
}
