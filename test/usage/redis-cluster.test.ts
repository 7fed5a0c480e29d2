/**
 * Usage on a real (three-master) Redis Cluster, as two gateway replicas record it: every usage key
 * carries one hash tag, so the batch script, the bucket reads (one pipeline), the exports and the
 * month's spend run in one slot, and a report from either replica counts every record once — the
 * same report the in-memory store gives. Checked in a bug bash of the Cluster paths; nothing was
 * wrong, this keeps it so.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient, type RedisClient } from "../../src/context/redis-client.js";
import { monthOf } from "../../src/usage/buckets.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { usdToNanos } from "../../src/usage/money.js";
import { parseUsageQuery, queryUsage } from "../../src/usage/query.js";
import type { UsageRecord } from "../../src/usage/record.js";
import { UsageRecorder } from "../../src/usage/recorder.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-server.js";
import { makeRecord } from "./fixtures.js";

const HOUR = 3_600_000;
/** Recent enough that no bucket is past its retention (Redis drops keys whose expiry has passed). */
const base = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;

describe("usage on a Redis Cluster shared by two gateway replicas", () => {
  let dir: string;
  let cluster: RedisCluster;
  const clients: RedisClient[] = [];
  const recorded: UsageRecord[] = [];
  let stores: RedisUsageStore[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-usage-cluster-"));
    cluster = await startRedisCluster(dir);
    stores = [0, 1].map(() => {
      // The client the gateway builds for a `redis.cluster` topology (app.ts).
      const client = createRedisClient({ kind: "cluster", nodes: cluster.nodes }, { timeoutMs: 2000, reconnectMaxDelayMs: 500, connectionName: "switchyard-usage" });
      clients.push(client);
      return new RedisUsageStore({ redis: client, prefix: "cluster:", maxRecordLagMs: 3 * HOUR });
    });
    await Promise.all(clients.map((client) => new Promise((resolve) => client.once("ready", resolve))));
    const recorders = stores.map((store) => new UsageRecorder({ store, flushIntervalMs: 5, batchSize: 7 }));
    for (let i = 0; i < 40; i++) {
      const record = makeRecord({ requestId: `c-${i}`, tenant: ["acme", "globex", "initech", "umbrella"][i % 4]!, intent: ["code", "chitchat"][i % 2]!, time: base + (i % 2) * HOUR + i * 1000 });
      recorded.push(record);
      recorders[i % 2]!.enqueue(record);
    }
    await Promise.all(recorders.map((r) => r.flush()));
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("reports every record once, from either replica, as the in-memory store does", async () => {
    const memory = new MemoryUsageStore({ now: () => base });
    await memory.append(recorded);
    for (const group_by of ["intent", "model", "key"]) {
      const query = parseUsageQuery({ from: String(base - HOUR), to: String(base + 3 * HOUR), group_by, granularity: "hour" }, base);
      const [fromA, fromB] = await Promise.all(stores.map((store) => queryUsage(store, query)));
      expect(fromA).toEqual(fromB);
      expect(fromA).toEqual(await queryUsage(memory, query));
    }
  });

  it("exports every record, all tenants' and one tenant's, and counts each tenant's month spend", async () => {
    const collect = async (range: { fromMs: number; toMs: number; tenant?: string }) => {
      const ids: string[] = [];
      for await (const r of stores[1]!.scanRecords(range)) ids.push(r.requestId);
      return ids.sort();
    };
    expect(await collect({ fromMs: base, toMs: base + 2 * HOUR })).toEqual(recorded.map((r) => r.requestId).sort());
    expect(await collect({ fromMs: base, toMs: base + 2 * HOUR, tenant: "initech" })).toEqual(recorded.filter((r) => r.tenant === "initech").map((r) => r.requestId).sort());
    for (const tenant of ["acme", "umbrella"]) {
      const spent = recorded.filter((r) => r.tenant === tenant && monthOf(r.time) === monthOf(base)).reduce((sum, r) => sum + usdToNanos(r.costUsd), 0);
      expect(await stores[0]!.monthSpendNanos(tenant, monthOf(base))).toBe(spent);
    }
  });
});
