/**
 * The raw-record stream is capped (~200 000 records in Redis, ~100 000 in memory): past the cap the
 * oldest records are dropped, while the report's buckets keep their totals for months. An export whose
 * range reached back before the records still kept answered 200 with the rows that were left, a CSV
 * that looked whole but summed to less than `/v1/usage` for the same range, with nothing to tell
 * finance so. It is now a 400 naming the earliest `from` the export can answer in full, as a report
 * whose buckets have expired is.
 */
import { Hono } from "hono";
import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { handleError } from "../../routes/errors.js";
import { usageRoutes } from "../../routes/usage.js";
import { keyDigest, parseApiKeys } from "../../src/auth/api-keys.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import type { UsageStore } from "../../src/usage/store.js";
import { makeRecord } from "./fixtures.js";
import { usageRedisScope } from "./redis-scope.js";

const ADMIN = "admin-key-0123456789abcdef";
const ACME = "sk-acme-123456";
const { redis, prefix } = usageRedisScope();

/**
 * 300 records finishing as they are written (a record's time is when its request ended; a replica
 * flushes within a second or so), into a store that keeps about 100. Returns their times.
 */
async function overfilled(store: UsageStore): Promise<number[]> {
  const times: number[] = [];
  for (let batch = 0; batch < 30; batch++) {
    const records = Array.from({ length: 10 }, (_, i) => makeRecord({ tenant: i % 2 ? "acme" : "globex", time: Date.now() }));
    times.push(...records.map((r) => r.time));
    await store.append(records);
  }
  return times;
}

const rowsOf = async (response: Response) => (await response.text()).trim().split("\r\n").length - 1;

function routes(store: UsageStore, now: number) {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.route("/", usageRoutes({ store, auth: { keys: parseApiKeys(`acme=${ACME}`), adminKeyDigest: keyDigest(ADMIN) }, now: () => now }));
  return (query: string, key = ADMIN) => app.request(`/v1/usage/export?${query}`, { headers: { authorization: `Bearer ${key}` } });
}

const stores: Array<[string, () => UsageStore]> = [
  ["memory", () => new MemoryUsageStore({ maxRecords: 100 })],
  ["redis", () => new RedisUsageStore({ redis, prefix: `${prefix}${Math.random().toString(36).slice(2)}:`, maxRecords: 100 })],
];

describe.each(stores)("an export of records the %s store no longer keeps", (_kind, makeStore) => {
  it("is a 400 naming the earliest from it can answer in full, not a shorter CSV", async () => {
    const store = makeStore();
    const times = await overfilled(store);
    const to = Date.now() + 1;
    const exportOf = routes(store, to);
    for (const key of [ADMIN, ACME]) {
      const response = await exportOf(`from=${times[0]}&to=${to}`, key);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { type: string; param: string; message: string } };
      expect(error).toMatchObject({ type: "invalid_request_error", param: "from" });
      const earliest = /at or after (\S+?Z)/.exec(error.message)?.[1];
      expect(earliest, error.message).toBeDefined();
      // No later than it must be: the newest 50 records are kept whatever the store trims.
      expect(Date.parse(earliest!)).toBeLessThanOrEqual(times.at(-50)!);

      // From there on, every record of the range is in the file.
      const whole = await exportOf(`from=${encodeURIComponent(earliest!)}&to=${to}`, key);
      expect(whole.status).toBe(200);
      const inRange = (time: number) => time >= Date.parse(earliest!) && time < to;
      expect(await rowsOf(whole)).toBe(times.filter((time, i) => inRange(time) && (key === ADMIN || i % 2 === 1)).length);
    }
  });

  it("says when the refused from is the default one", async () => {
    const store = makeStore();
    await overfilled(store);
    const response = await routes(store, Date.now() + 1)("");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("by default the 24 hours before 'to'");
  });

  it("answers in full from the time it names, also when a replica flushed older records late", async () => {
    // One replica writes on time, then another flushes its older records after an outage: the
    // records kept are older than some that were dropped, so the first one kept bounds nothing.
    const store = makeStore();
    const now = Date.now();
    const times: number[] = [];
    const write = async (time: number) => {
      times.push(time);
      await store.append([makeRecord({ tenant: "globex", time })]);
    };
    for (let i = 0; i < 200; i++) await write(now - 100_000 + i * 10);
    for (let i = 0; i < 300; i++) await write(now - 3_000_000 + i * 1000);
    // Then both replicas write on time again.
    for (let i = 0; i < 40; i++) await write(Date.now());
    const since = await store.recordsKeptSince();
    expect(since).toBeDefined();
    const to = Math.max(Date.now(), since!) + 1;
    const response = await routes(store, to)(`from=${since}&to=${to}`);
    expect(response.status).toBe(200);
    const expected = times.filter((time) => time >= since! && time < to).length;
    expect(expected).toBeGreaterThanOrEqual(40);
    expect(await rowsOf(response)).toBe(expected);
  });
});

it("a record with a replica's fast clock, kept or dropped, does not refuse exports of the time before it (memory)", async () => {
  for (const fastAt of [5, 20]) {
    const store = new MemoryUsageStore({ maxRecords: 100 });
    const now = Date.now();
    const old = Array.from({ length: 20 }, (_, i) => makeRecord({ tenant: "globex", time: now - 600_000 + i }));
    // At 5 the fast record is among the 20 the trim drops, at 20 the first one kept.
    old.splice(fastAt, 0, makeRecord({ tenant: "globex", time: now + 600_000 }));
    await store.append(old);
    await store.append(Array.from({ length: 99 }, (_, i) => makeRecord({ tenant: "globex", time: now - 300_000 + i * 1000 })));
    const later = now + 1000;
    expect((await routes(store, later)(`from=${later - 500}&to=${later}`)).status, `fast record at ${fastAt}`).toBe(200);
  }
});

it("a tenant's export from the bound has every record the all-tenant stream kept (Redis)", async () => {
  // A tenant with most of the records: its own stream must not lose entries the shared one kept.
  const store = new RedisUsageStore({ redis, prefix: `${prefix}tenant-cap:`, maxRecords: 100 });
  for (let i = 0; i < 37; i++) await store.append([makeRecord({ tenant: "globex", time: Date.now() })]);
  const acme: number[] = [];
  for (let i = 0; i < 400; i++) {
    const record = makeRecord({ tenant: "acme", time: Date.now() });
    acme.push(record.time);
    await store.append([record]);
  }
  const since = (await store.recordsKeptSince())!;
  const to = Date.now() + 1;
  const response = await routes(store, to)(`from=${since}&to=${to}`, ACME);
  expect(response.status).toBe(200);
  expect(await rowsOf(response)).toBe(acme.filter((time) => time >= since && time < to).length);
});

it("a Redis user without XINFO still gets its exports, bounded by nothing it can read", async () => {
  const user = `usage-no-xinfo-${Math.random().toString(36).slice(2)}`;
  await redis.call("ACL", "SETUSER", user, "on", ">pw", "~*", "+@all", "-xinfo");
  const limited = new Redis(inject("redisUrl"), { username: user, password: "pw" });
  try {
    const store = new RedisUsageStore({ redis: limited, prefix: `${prefix}acl:` });
    await store.append([makeRecord({ tenant: "globex", time: Date.now() - 1000 })]);
    const response = await routes(store, Date.now())(`from=${Date.now() - 60_000}`);
    expect(response.status).toBe(200);
    expect(await rowsOf(response)).toBe(1);
  } finally {
    limited.disconnect();
    await redis.call("ACL", "DELUSER", user);
  }
});
