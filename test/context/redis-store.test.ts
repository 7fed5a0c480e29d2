import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createCipher } from "../../src/context/cipher.js";
import { startRedisServer } from "../support/redis-server.js";
import { capturedLog, contents, randomKey, redisStorage, system, turn, user } from "./support.js";
import { describeStoreBehaviour } from "./store-behaviour.js";

const url = inject("redisUrl");
const prefix = "test:redis-store:";

describeStoreBehaviour("Redis", (limits) => redisStorage(url, prefix, limits));

describe("Redis context store at rest", () => {
  const admin = new Redis(url);
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it("keeps a session's keys in one Cluster slot, named by tenant and session", async () => {
    const storage = redisStorage(url, prefix);
    const store = await storage.replica();
    await store.save({ tenantId: "team:blue", sessionId: "chat-1" }, { turns: [turn(user("hi"))] });
    const keys = (await admin.keys(`${prefix}*team%3Ablue:chat-1*`)).sort();
    // Turns, the hash, and the erasure mark (empty: never erased).
    expect(keys).toHaveLength(3);
    expect(keys.every((k) => k.includes("{team%3Ablue:chat-1}"))).toBe(true);
    await storage.close();
  });

  it("leaves an erasure's mark in the session's Cluster slot, expiring with the session's TTL", async () => {
    const storage = redisStorage(url, prefix, { ttlMs: 60_000 });
    const store = await storage.replica();
    const scope = { tenantId: "team:blue", sessionId: "erased-1" };
    await store.save(scope, { turns: [turn(user("hi"))] });
    await store.erase(scope);
    const keys = await admin.keys(`${prefix}*team%3Ablue:erased-1*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\{team%3Ablue:erased-1\}:e$/);
    const ttl = await admin.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await storage.close();
  });

  it("continues a session an older replica wrote, which has no erasure mark", async () => {
    const storage = redisStorage(url, prefix);
    const store = await storage.replica();
    const scope = { tenantId: "acme", sessionId: "from-older" };
    await store.save(scope, { turns: [turn(user("written before the upgrade"))] });
    const [markKey] = (await admin.keys(`${prefix}*{acme:from-older}:t`)).map((k) => k.replace(/:t$/, ":e"));
    // An older replica's save leaves no mark (nor an empty one).
    await admin.del(markKey!);
    const loaded = await store.load(scope);
    expect(loaded.epoch).toBeNull();
    expect(await store.save(scope, { turns: [turn(user("after"))], ifEpoch: loaded.epoch })).toMatchObject({ status: "ok", turns: 2 });
    // Made again, empty: the session's keys are all there for a Cluster slot migration.
    expect(await admin.get(markKey!)).toBe("");
    await storage.close();
  });

  it("stores no plaintext content or state when encryption is on", async () => {
    const storage = redisStorage(url, prefix);
    const store = await storage.replica({ cipher: createCipher(randomKey()) });
    const scope = { tenantId: "acme", sessionId: "sealed" };
    await store.save(scope, {
      instructions: [turn(system("top secret instructions"))],
      turns: [turn(user("my card is 4111 1111 1111 1111"), { intent: "billing" })],
      state: { vault: { "<PERSON_1>": "Ada Lovelace" } },
    });
    const keys = await admin.keys(`${prefix}*{acme:sealed}*`);
    const dump = [];
    for (const key of keys) {
      const type = await admin.type(key);
      dump.push(...(type === "list" ? await admin.lrange(key, 0, -1) : type === "hash" ? Object.values(await admin.hgetall(key)) : [await admin.get(key)]));
    }
    const raw = dump.join("\n");
    expect(raw).toContain('"enc"');
    for (const secret of ["4111", "top secret", "Ada Lovelace", "billing"]) expect(raw).not.toContain(secret);
    expect(contents((await store.load(scope)).turns)).toEqual(["my card is 4111 1111 1111 1111"]);
    await storage.close();
  });
});

describe("Redis context store when a command is refused", () => {
  it("reports a save Redis answers with an error as failed, without flagging the store down", async () => {
    // An error reply is this one command failing on a server that is up: not an outage to show on
    // /readyz, nor to log as one.
    const captured = capturedLog();
    const storage = redisStorage(url, prefix);
    const admin = new Redis(url);
    try {
      const store = await storage.replica({ log: captured.log });
      const scope = { tenantId: "acme", sessionId: "refused" };
      await store.save(scope, { turns: [turn(user("hi"))] });
      const [list] = await admin.keys(`${prefix}*{acme:refused}:t`);
      await admin.del(list!);
      await admin.set(list!, "not a list"); // RPUSH now answers WRONGTYPE
      expect(await store.save(scope, { turns: [turn(user("again"))] })).toEqual({ status: "degraded", reason: "failed" });
      expect(store.status()).toMatchObject({ state: "ready", detail: "connected", counters: { degradedSaves: 1 } });
      const lines = captured.lines();
      expect(lines.some((l) => String(l.msg).startsWith("context store degraded"))).toBe(false);
      expect(lines.find((l) => l.msg === "context store command failed")).toMatchObject({ level: 50, operation: "save", tenant: "acme" });
      // Other sessions are served as before.
      const other = { tenantId: "acme", sessionId: "fine" };
      expect(await store.save(other, { turns: [turn(user("ok"))] })).toMatchObject({ status: "ok" });
    } finally {
      admin.disconnect();
      await storage.close();
    }
  });
});

describe("Redis context store ordering", () => {
  it("a load sent right after a save (not awaited) sees it, also on a server that has not seen the scripts yet", async () => {
    // The gateway answers once a save is sent, without waiting for its reply, so the session's next
    // load may follow on the same connection immediately. A fresh server knows neither script.
    const fresh = await startRedisServer();
    const storage = redisStorage(fresh.url, "test:ordering:");
    try {
      const store = await storage.replica();
      const scope = { tenantId: "acme", sessionId: "fresh" };
      expect((await store.load(scope)).turns).toEqual([]); // the load script is now cached, the save script not
      const saving = store.save(scope, { turns: [turn(user("first"))] });
      const loaded = await store.load(scope);
      expect(contents(loaded.turns)).toEqual(["first"]);
      expect((await saving).status).toBe("ok");
    } finally {
      await storage.close();
      await fresh.stop();
    }
  });
});
