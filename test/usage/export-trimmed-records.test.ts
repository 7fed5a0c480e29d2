/**
 * The raw-record stream is capped (~200 000 records in Redis, ~100 000 in memory): past the cap the
 * oldest records are dropped, while the report's buckets keep their totals for months. An export whose
 * range reached back before the records still kept answered 200 with the rows that were left, a CSV
 * that looked whole but summed to less than `/v1/usage` for the same range, with nothing to tell
 * finance so. It is now a 400 naming the earliest `from` the export can answer in full, as a report
 * whose buckets have expired is.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
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

/** 300 records, one a second (written at once, as a replica's flush after an outage would), into a store that keeps about 100. */
async function overfilled(store: UsageStore, start: number): Promise<void> {
  for (let batch = 0; batch < 30; batch++) {
    await store.append(Array.from({ length: 10 }, (_, i) => makeRecord({ tenant: i % 2 ? "acme" : "globex", time: start + (batch * 10 + i) * 1000 })));
  }
}

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
    const now = Date.now();
    const start = now - 400_000;
    await overfilled(store, start);
    const exportOf = routes(store, now);
    for (const key of [ADMIN, ACME]) {
      const response = await exportOf(`from=${start}&to=${now}`, key);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { type: string; param: string; message: string } };
      expect(error).toMatchObject({ type: "invalid_request_error", param: "from" });
      const earliest = /at or after (\S+?Z)/.exec(error.message)?.[1];
      expect(earliest, error.message).toBeDefined();

      // From there on, every record of the range is in the file.
      const whole = await exportOf(`from=${encodeURIComponent(earliest!)}&to=${now}`, key);
      expect(whole.status).toBe(200);
      expect((await whole.text()).trim().split("\r\n").length).toBeGreaterThan(1);
    }
  });

  it("still answers a range the kept records cover", async () => {
    const store = makeStore();
    const now = Date.now();
    const start = now - 400_000;
    await overfilled(store, start);
    const response = await routes(store, now)(`from=${start + 290_000}&to=${now}`);
    expect(response.status).toBe(200);
    expect((await response.text()).trim().split("\r\n")).toHaveLength(1 + 10);
  });
});
