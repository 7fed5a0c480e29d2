/**
 * A Redis under memory pressure (maxmemory with a volatile-* policy) evicts keys one by one, so a
 * session's turn list can disappear while its meta hash, holding the turns' byte count, stays. The
 * next turns must be kept, not trimmed away against the bytes of turns that no longer exist.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { contents, redisStorage, turn, user } from "./support.js";

const url = inject("redisUrl");
const prefix = "test:review-evicted:";
const admin = new Redis(url);

afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

describe("a session whose turn list was evicted", () => {
  it("keeps the turns saved after the eviction", async () => {
    const storage = redisStorage(url, prefix, { maxBytes: 2500 });
    const store = await storage.replica();
    const scope = { tenantId: "acme", sessionId: "evicted" };
    await store.save(scope, { turns: [turn(user("x".repeat(900))), turn(user("y".repeat(900)))] });
    const [list] = await admin.keys(`${prefix}*{acme:evicted}:t`);
    await admin.del(list!);

    const saved = await store.save(scope, { turns: [turn(user(`after eviction ${"z".repeat(600)}`))] });
    expect(saved).toMatchObject({ status: "ok", turns: 1, trimmed: 0 });
    const loaded = await store.load(scope);
    expect(loaded.status === "ok" && contents(loaded.turns)).toEqual([`after eviction ${"z".repeat(600)}`]);
    await storage.close();
  });
});
