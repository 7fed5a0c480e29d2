/**
 * A read-only load (what a dry run, `POST /v1/route`, reads a session with) returns the session as a
 * load does but leaves its TTL where it was: a real load restarts it (sliding). Run against the real
 * Redis the test support starts and the in-memory store. The TTL left is read from the backend's own
 * next load (`RawSession.ttlMs`: what was left before that load restarted it).
 */
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { ContextBackend, SessionLimits } from "../../src/context/backend.js";
import { createCipher } from "../../src/context/cipher.js";
import { createMemoryBackend } from "../../src/context/memory-backend.js";
import { createRedisBackend } from "../../src/context/redis-backend.js";
import { createRedisClient } from "../../src/context/redis-client.js";
import { sessionKey, type SessionScope } from "../../src/context/session-id.js";
import { createContextStore } from "../../src/context/store.js";
import { createTurnCodec } from "../../src/context/turn-codec.js";
import { contents, randomKey, sleep, turn, user } from "./support.js";
import { CONTEXT_DEFAULTS } from "../../src/context/config.js";

const LIMITS: SessionLimits = { ttlMs: 600_000, maxTurns: 100, maxBytes: 1024 * 1024 };

interface Backend {
  make(): ContextBackend;
  /**
   * Leaves the session with a TTL well below a fresh one, and says at most how much is left. Redis:
   * a shorter TTL is set. Memory: time passes (a set TTL would stay the entry's own, which a load then
   * slides by), so at least that much is gone from it.
   */
  age(backend: ContextBackend, key: string): Promise<number>;
}

const REDIS_SHORT_TTL_MS = 30_000;
const MEMORY_AGE_MS = 200;

const backends: Array<[string, Backend]> = [
  [
    "memory",
    {
      make: () => createMemoryBackend({ limits: LIMITS, maxSessions: 100, maxBytes: CONTEXT_DEFAULTS.memoryMaxBytes }),
      age: async () => {
        await sleep(MEMORY_AGE_MS);
        return LIMITS.ttlMs - MEMORY_AGE_MS;
      },
    },
  ],
  [
    "redis",
    {
      make: () => createRedisBackend({ client: createRedisClient({ kind: "url", url: inject("redisUrl") }, { timeoutMs: 2000, reconnectMaxDelayMs: 100 }), limits: LIMITS }),
      age: async (backend, key) => {
        await backend.restoreTtl(key, REDIS_SHORT_TTL_MS);
        return REDIS_SHORT_TTL_MS;
      },
    },
  ],
];

describe.each(backends)("a read-only load of a session (%s store)", (_name, kind) => {
  let backend: ContextBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it("returns the stored turns and leaves the TTL as it was", async () => {
    backend = kind.make();
    const prefix = `test:ro-${randomUUID().slice(0, 8)}:`;
    const store = createContextStore({ backend, codec: createTurnCodec(undefined), keyPrefix: prefix, maxBytes: LIMITS.maxBytes, log: pino({ level: "silent" }) });
    expect(await store.ready(5000)).toBe(true);
    const scope: SessionScope = { tenantId: "acme", sessionId: "s" };
    expect((await store.save(scope, { turns: [turn(user("Remember the blue door."))] })).status).toBe("ok");
    const key = sessionKey(prefix, scope);
    const atMost = await kind.age(backend, key);

    const loaded = await store.load(scope, { readOnly: true });
    expect(loaded.status).toBe("ok");
    expect(contents(loaded.turns)).toEqual(["Remember the blue door."]);
    const left = (await backend.load(key)).ttlMs;
    expect(left).not.toBeNull();
    // The in-memory cache's clock rounds to a fraction of a millisecond.
    expect(left!).toBeLessThanOrEqual(atMost + 1);
  });

  it("is counted apart from the loads ops alert on, even of a session it cannot read", async () => {
    backend = kind.make();
    const prefix = `test:ro-${randomUUID().slice(0, 8)}:`;
    const storeWith = (key: Buffer) =>
      createContextStore({ backend: backend!, codec: createTurnCodec(createCipher(key)), keyPrefix: prefix, maxBytes: LIMITS.maxBytes, log: pino({ level: "silent" }) });
    const owner = storeWith(randomKey());
    const stranger = storeWith(randomKey());
    expect(await owner.ready(5000)).toBe(true);
    expect(await stranger.ready(5000)).toBe(true);
    const scope: SessionScope = { tenantId: "acme", sessionId: "sealed" };
    expect((await owner.save(scope, { turns: [turn(user("sealed with the owner's key"))] })).status).toBe("ok");

    expect(await stranger.load(scope, { readOnly: true })).toMatchObject({ status: "degraded", reason: "unreadable" });
    expect(stranger.status().counters).toMatchObject({ loads: 0, readOnlyLoads: 1, degradedLoads: 0 });
  });
});
