/**
 * The `key` (tenant) dimension was written into the all-tenants bucket hash, ~7+ fields per active
 * tenant, and every all-tenant `/v1/usage` read (the dashboard polls one every 15 s) HGETALLed it:
 * with 50k tenants an hour bucket held 350k fields and one read blocked the shared Redis for 1.7 s.
 * The dimension now lives in a hash of its own per bucket, read only for `group_by=key`; buckets
 * written in the old layout still read correctly (nothing counted twice) until they expire.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { aggregateBatch, type BucketRef } from "../../src/usage/aggregate.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { parseUsageQuery, queryUsage } from "../../src/usage/query.js";
import type { UsageRecord } from "../../src/usage/record.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { makeRecord } from "./fixtures.js";
import { usageRedisScope } from "./redis-scope.js";

const HOUR = 3_600_000;
const { redis, prefix } = usageRedisScope();

/** Counts the hash fields each read brings back: what a read costs Redis. */
class CountingStore extends RedisUsageStore {
  fieldsRead = 0;
  override async readBuckets(refs: readonly BucketRef[]) {
    const buckets = await super.readBuckets(refs);
    for (const fields of buckets) this.fieldsRead += fields.size;
    return buckets;
  }
}

const base = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const tenantsAt = (start: number, count: number, perTenant = 2): UsageRecord[] =>
  Array.from({ length: count * perTenant }, (_, i) => makeRecord({ tenant: `tenant-${i % count}`, time: start + 60_000 + i, model: "gpt-4o-mini", route: "cloud", intent: "code" }));

const report = (store: RedisUsageStore | MemoryUsageStore, start: number, extra: Record<string, string> = {}) =>
  queryUsage(store, parseUsageQuery({ from: String(start), to: String(start + HOUR), granularity: "hour", ...extra }, start + HOUR));

describe("the per-tenant dimension of the usage aggregates", () => {
  const store = new CountingStore({ redis, prefix });
  const allHour = (start: number): BucketRef => ({ scope: "all", granularity: "hour", start });

  it("is not in the all-tenants hash: totals and model/route/intent reads cost the same for 1 or 50 tenants", async () => {
    const one = base;
    const fifty = base + HOUR;
    await store.append(tenantsAt(one, 1));
    await store.append(tenantsAt(fifty, 50));

    const fieldsOf = async (start: number) => Object.keys(await redis.hgetall(store.bucketKey(allHour(start))));
    expect((await fieldsOf(fifty)).filter((f) => f.startsWith("key|"))).toEqual([]);
    expect((await fieldsOf(fifty)).length).toBe((await fieldsOf(one)).length);

    for (const group_by of [undefined, "model", "route", "intent", "day"]) {
      const extra: Record<string, string> = group_by ? { group_by } : {};
      store.fieldsRead = 0;
      const small = await report(store, one, extra);
      const readForOne = store.fieldsRead;
      store.fieldsRead = 0;
      const large = await report(store, fifty, extra);
      expect(store.fieldsRead).toBe(readForOne);
      expect(small.totals.requests).toBe(2);
      expect(large.totals.requests).toBe(100);
    }

    const byKey = await report(store, fifty, { group_by: "key" });
    expect(byKey.groups).toHaveLength(50);
    expect(byKey.groups.every((g) => g.requests === 2)).toBe(true);
    expect(byKey.groups.reduce((sum, g) => sum + g.cost_usd, 0)).toBeCloseTo(byKey.totals.cost_usd, 9);
    const oneTenant = await report(store, fifty, { group_by: "key", tenant: "tenant-7" });
    expect(oneTenant.groups).toEqual([{ key: "tenant-7", ...oneTenant.totals }]);
  });

  it("reads buckets written in the old layout, and buckets written across the upgrade, without counting twice", async () => {
    const start = base + 2 * HOUR;
    // An old replica's writes: the `key` dimension inside the main hash of both scopes.
    const old = tenantsAt(start, 3);
    const pipeline = redis.pipeline();
    for (const { ref, fields } of aggregateBatch(old).buckets.values()) {
      const main = store.bucketKey({ scope: ref.scope, granularity: ref.granularity, start: ref.start });
      for (const [name, amount] of fields) pipeline.hincrby(main, name, amount);
      if (ref.scope !== "all") for (const [name, amount] of fields) if (name.startsWith("total|")) pipeline.hincrby(main, `key|${name.slice("total|".length)}${ref.scope.slice(2)}`, amount);
    }
    await pipeline.exec();
    const oldKeyFields = Object.keys(await redis.hgetall(store.bucketKey(allHour(start)))).filter((f) => f.startsWith("key|")).sort();
    expect(oldKeyFields.length).toBeGreaterThan(0);
    // A new replica adds to the same bucket.
    const fresh = tenantsAt(start, 4);
    await store.append(fresh);
    expect(Object.keys(await redis.hgetall(store.bucketKey(allHour(start)))).filter((f) => f.startsWith("key|")).sort()).toEqual(oldKeyFields);

    const memory = new MemoryUsageStore({ now: () => start });
    await memory.append([...old, ...fresh]);
    for (const extra of [{}, { group_by: "key" }, { group_by: "model" }, { group_by: "key", tenant: "tenant-1" }, { group_by: "key", tenant: "tenant-3" }] as Array<Record<string, string>>) {
      const fromRedis = await report(store, start, extra);
      expect(fromRedis).toEqual(await report(memory, start, extra));
    }
    const byKey = await report(store, start, { group_by: "key" });
    expect(byKey.totals.requests).toBe(old.length + fresh.length);
    expect(Object.fromEntries(byKey.groups.map((g) => [g.key, g.requests]))).toEqual({ "tenant-0": 4, "tenant-1": 4, "tenant-2": 4, "tenant-3": 2 });
    const tenant1 = await report(store, start, { group_by: "key", tenant: "tenant-1" });
    expect(tenant1.groups).toEqual([{ key: "tenant-1", ...tenant1.totals }]);
    expect(tenant1.totals.requests).toBe(4);
  });
});
