/**
 * A dry run (`POST /v1/route`) in a session reads the session's stored context to decide, and has no
 * side effects: the session's expiry is left as it was (a load by a real request restarts it), and
 * nothing stored changes. Against the real Redis the test support starts.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway({ gateway: { env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" }, waitForModels: false } });
let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject("redisUrl"));
});
afterAll(async () => {
  redis?.disconnect();
});

/** A TTL far below the configured one (24 h): a load that restarts it is plain to see. */
const SHORT_TTL_MS = 30_000;

const post = (path: string, session: string, content: string) =>
  fetch(`${cloud.gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content }] }),
  });

/** The session's keys (turns, the hash of instructions and state, the erasure mark when there is one). */
async function keysOf(session: string): Promise<string[]> {
  return (await redis.keys(`*${session}*`)).sort();
}

/** What is stored for the session, and each key's TTL. */
async function stored(keys: readonly string[]) {
  return Promise.all(
    keys.map(async (key) => {
      const type = await redis.type(key);
      const value = type === "list" ? await redis.lrange(key, 0, -1) : type === "hash" ? await redis.hgetall(key) : await redis.get(key);
      return { key, value, ttl: await redis.pttl(key) };
    }),
  );
}

describe("a dry run in a session stored in Redis", () => {
  it("leaves the session's TTL and its stored context as they were; a real request restarts the TTL", async () => {
    const session = `dry-run-ttl-${randomUUID()}`;
    const first = await post("/v1/chat/completions", session, "Remember the blue door.");
    expect(first.status).toBe(200);
    await first.text();
    const keys = await keysOf(session);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) await redis.pexpire(key, SHORT_TTL_MS);
    const before = await stored(keys);

    const dry = await post("/v1/route", session, "Which door?");
    expect(dry.status).toBe(200);
    await dry.text();

    const after = await stored(await keysOf(session));
    expect(after.map(({ key, value }) => ({ key, value }))).toEqual(before.map(({ key, value }) => ({ key, value })));
    for (const { key, ttl } of after) {
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(SHORT_TTL_MS);
    }

    // The observation holds: a real request's load restarts the TTL.
    const real = await post("/v1/chat/completions", session, "Which door?");
    expect(real.status).toBe(200);
    await real.text();
    for (const { key, ttl } of await stored(keys)) expect(ttl, key).toBeGreaterThan(SHORT_TTL_MS);
  });
});
