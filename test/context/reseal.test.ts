/**
 * Key rotation: a load that opens values sealed with an old key re-seals them with the current one, in
 * a rewrite conditional on each value still being the one it read. These tests run a save or an erasure
 * of another replica between the load and its re-seal, on both backends.
 */
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { ContextBackend, SessionLimits } from "../../src/context/backend.js";
import { createCipher, type ContextCipher } from "../../src/context/cipher.js";
import { createMemoryBackend } from "../../src/context/memory-backend.js";
import { createRedisBackend } from "../../src/context/redis-backend.js";
import { createRedisClient } from "../../src/context/redis-client.js";
import { createContextStore, type ContextStore } from "../../src/context/store.js";
import { createTurnCodec } from "../../src/context/turn-codec.js";
import { assistant, contents, DEFAULT_LIMITS, randomKey, system, turn, user } from "./support.js";
import { CONTEXT_DEFAULTS } from "../../src/context/config.js";

const url = inject("redisUrl");

const backends: [string, (limits: SessionLimits) => ContextBackend][] = [
  ["in-memory", (limits) => createMemoryBackend({ limits, maxSessions: 100, maxBytes: CONTEXT_DEFAULTS.memoryMaxBytes })],
  ["Redis", (limits) => createRedisBackend({ client: createRedisClient({ kind: "url", url }, { timeoutMs: 1000, reconnectMaxDelayMs: 100 }), limits })],
];

describe.each(backends)("%s context store re-sealing after a key rotation", (_name, backendOf) => {
  const closing: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((close) => close()));
  });

  /** One shared backend; `between` runs once, after the next load through `paused` read the session. */
  async function setup(limits: Partial<SessionLimits> = {}) {
    const backend = backendOf({ ...DEFAULT_LIMITS, ...limits });
    closing.push(() => backend.close());
    let between: (() => Promise<unknown>) | undefined;
    const paused: ContextBackend = {
      ...backend,
      async load(key) {
        const raw = await backend.load(key);
        const run = between;
        between = undefined;
        await run?.();
        return raw;
      },
    };
    const keyPrefix = `test:reseal:${randomUUID().slice(0, 8)}:`;
    const storeOver = async (over: ContextBackend, cipher: ContextCipher): Promise<ContextStore> => {
      const store = createContextStore({ backend: over, codec: createTurnCodec(cipher), keyPrefix, maxBytes: 1024 * 1024, log: pino({ level: "silent" }) });
      expect(await store.ready(5000)).toBe(true);
      return store;
    };
    return { backend, paused, storeOver, meanwhile: (work: () => Promise<unknown>) => (between = work) };
  }

  const scope = { tenantId: "acme", sessionId: "rotating" };

  it("keeps what another save wrote between the load and the re-seal, and re-seals what is still there", async () => {
    const { backend, paused, storeOver, meanwhile } = await setup({ maxTurns: 6 });
    const oldKey = randomKey();
    const newKey = randomKey();
    const before = await storeOver(backend, createCipher(oldKey));
    await before.save(scope, {
      instructions: [turn(system("be brief"))],
      turns: ["0", "1"].flatMap((n) => [turn(user(`q${n}`)), turn(assistant(`a${n}`))]),
      state: { n: 1 },
    });
    const rotating = await storeOver(paused, createCipher(newKey, [oldKey]));
    const other = await storeOver(backend, createCipher(newKey, [oldKey]));
    // Another replica appends two exchanges (trimming the oldest, so the rest moves) and writes the state.
    meanwhile(async () => {
      const loaded = await other.load(scope);
      const saved = await other.save(scope, {
        turns: ["2", "3"].flatMap((n) => [turn(user(`q${n}`)), turn(assistant(`a${n}`))]),
        state: { n: 2 },
        ifStateVersion: loaded.stateVersion,
        ifEpoch: loaded.epoch,
      });
      expect(saved).toEqual({ status: "ok", turns: 6, trimmed: 2 });
    });
    const read = await rotating.load(scope);
    expect(contents(read.turns)).toEqual(["q0", "a0", "q1", "a1"]);

    const after = await storeOver(backend, createCipher(newKey));
    const loaded = await after.load(scope);
    expect(loaded).toMatchObject({ status: "ok", state: { n: 2 } });
    expect(contents(loaded.instructions)).toEqual(["be brief"]);
    expect(contents(loaded.turns)).toEqual(["q1", "a1", "q2", "a2", "q3", "a3"]);
  });

  it("brings nothing back when the session is erased between the load and the re-seal", async () => {
    const { backend, paused, storeOver, meanwhile } = await setup();
    const oldKey = randomKey();
    const newKey = randomKey();
    const before = await storeOver(backend, createCipher(oldKey));
    await before.save(scope, { instructions: [turn(system("be brief"))], turns: [turn(user("forget me"))], state: { n: 1 } });
    const rotating = await storeOver(paused, createCipher(newKey, [oldKey]));
    const other = await storeOver(backend, createCipher(newKey, [oldKey]));
    meanwhile(async () => {
      expect(await other.erase(scope)).toEqual({ status: "erased" });
      const fresh = await other.load(scope);
      await other.save(scope, { turns: [turn(user("afresh"))], ifEpoch: fresh.epoch });
    });
    expect(contents((await rotating.load(scope)).turns)).toEqual(["forget me"]);

    const loaded = await (await storeOver(backend, createCipher(newKey))).load(scope);
    expect(loaded).toMatchObject({ status: "ok", instructions: [], state: undefined });
    expect(contents(loaded.turns)).toEqual(["afresh"]);
  });
});
