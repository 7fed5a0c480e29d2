import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createUsageAccounting } from "../../src/usage/accounting.js";
import { BudgetGuard } from "../../src/usage/budgets/guard.js";
import { NO_BUDGETS } from "../../src/usage/budgets/schema.js";
import { monthOf } from "../../src/usage/buckets.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { queryUsage, parseUsageQuery } from "../../src/usage/query.js";
import { UsageRecorder } from "../../src/usage/recorder.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import type { UsageRecord } from "../../src/usage/record.js";
import type { UsageStore } from "../../src/usage/store.js";
import { freePort, startRedisServer } from "../support/redis-server.js";
import { makeRecord, testCostModel } from "./fixtures.js";

const HOUR = 3_600_000;
const prefix = `test:${randomUUID()}:`;
const clients: Redis[] = [];
const connect = () => {
  const client = new Redis(inject("redisUrl"), { lazyConnect: false });
  clients.push(client);
  return client;
};

afterAll(async () => {
  const cleaner = connect();
  const keys = await cleaner.keys(`{${prefix}usage}*`);
  if (keys.length > 0) await cleaner.del(...keys);
  await Promise.all(clients.map((c) => c.quit()));
});

/** A gateway replica's usage stack: its own Redis connection, store, recorder and accounting. */
function replica(tenantPrefix: string) {
  // The test writes records that finished up to 3 h ago; the export scan must look that far back.
  const store = new RedisUsageStore({ redis: connect(), prefix: `${prefix}${tenantPrefix}`, maxRecordLagMs: 4 * HOUR });
  const recorder = new UsageRecorder({ store, flushIntervalMs: 5 });
  const budgets = new BudgetGuard({ store, policy: NO_BUDGETS });
  const usage = createUsageAccounting({ costs: testCostModel(), recorder, budgets });
  return { store, recorder, usage };
}

/** Recent enough that no bucket is past its retention (Redis drops keys whose expiry has passed). */
const base = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;

describe("usage in Redis shared by two gateway replicas", () => {
  const a = replica("shared:");
  const b = replica("shared:");
  const recorded: UsageRecord[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 30; i++) {
      const local = i % 3 === 0;
      const input = {
        requestId: `r-${i}`,
        tenant: i % 2 === 0 ? "acme" : "globex",
        route: local ? ("local" as const) : ("cloud" as const),
        model: local ? "local-slm" : "gpt-4o-mini",
        intent: ["chitchat", "code", "summarize"][i % 3]!,
        status: i === 7 ? 502 : 200,
        promptTokens: 100 + i,
        cachedPromptTokens: local ? 0 : 2 * i,
        completionTokens: 50 + i,
        totalMs: 200 + i * 40,
        ttftMs: 50 + i,
        fallback: i === 7,
        pii: i % 5 === 0 ? [{ type: "EMAIL_ADDRESS", action: "redact", count: 2 }] : [],
        time: base + (i % 3) * HOUR + i * 1000,
      };
      recorded.push((i < 15 ? a : b).usage.record(input));
    }
    await Promise.all([a.recorder.flush(), b.recorder.flush()]);
  });

  const sum = (records: UsageRecord[], pick: (r: UsageRecord) => number) => records.reduce((s, r) => s + pick(r), 0);

  it("adds both replicas' records into one view that either replica reads the same", async () => {
    const query = parseUsageQuery({ from: new Date(base).toISOString(), to: new Date(base + 3 * HOUR).toISOString(), granularity: "hour", group_by: "route" }, base);
    const [fromA, fromB] = await Promise.all([queryUsage(a.store, query), queryUsage(b.store, query)]);
    expect(fromA).toEqual(fromB);
    expect(fromA.totals.requests).toBe(30);
    expect(fromA.totals.errors).toBe(1);
    expect(fromA.totals.fallbacks).toBe(1);
    expect(fromA.totals.local_requests).toBe(10);
    expect(fromA.totals.prompt_tokens).toBe(sum(recorded, (r) => r.promptTokens));
    expect(fromA.totals.cached_prompt_tokens).toBe(sum(recorded, (r) => r.cachedPromptTokens));
    expect(fromA.totals.cached_prompt_tokens).toBeGreaterThan(0);
    expect(fromA.totals.cost_usd).toBeCloseTo(sum(recorded, (r) => r.costUsd), 9);
    expect(fromA.totals.savings_usd).toBeCloseTo(sum(recorded, (r) => r.savingsUsd), 9);
    expect(fromA.totals.pii_actions).toEqual({ "EMAIL_ADDRESS:redact": 12 });
    expect(fromA.series.map((p) => p.totals.requests)).toEqual([10, 10, 10]);
    expect(fromA.groups.map((g) => [g.key, g.requests])).toEqual([
      ["cloud", 20],
      ["local", 10],
    ]);
  });

  it("scopes a report to one tenant", async () => {
    const query = parseUsageQuery({ from: String(base), to: String(base + 3 * HOUR), group_by: "intent", tenant: "acme" }, base);
    const report = await queryUsage(b.store, query);
    const acme = recorded.filter((r) => r.tenant === "acme");
    expect(report.tenant).toBe("acme");
    expect(report.totals.requests).toBe(acme.length);
    expect(report.totals.cost_usd).toBeCloseTo(sum(acme, (r) => r.costUsd), 9);
    expect(Object.fromEntries(report.groups.map((g) => [g.key, g.requests]))).toEqual({ chitchat: 5, code: 5, summarize: 5 });
  });

  it("answers the same as the in-memory store for the same records", async () => {
    const memory = new MemoryUsageStore({ now: () => base });
    await memory.append(recorded);
    for (const group_by of ["model", "key", "day"]) {
      const query = parseUsageQuery({ from: String(base - HOUR), to: String(base + 5 * HOUR), group_by, granularity: "minute" }, base);
      expect(await queryUsage(a.store, query)).toEqual(await queryUsage(memory, query));
    }
  });

  it("keeps raw records in the capped stream for exports, filtered by time and tenant", async () => {
    const collect = async (store: UsageStore, range: { fromMs: number; toMs: number; tenant?: string }) => {
      const out: UsageRecord[] = [];
      for await (const r of store.scanRecords(range)) out.push(r);
      return out;
    };
    const all = await collect(a.store, { fromMs: base, toMs: base + 3 * HOUR });
    expect(all.map((r) => r.requestId).sort()).toEqual(recorded.map((r) => r.requestId).sort());
    expect(all.find((r) => r.requestId === "r-7")).toEqual(recorded[7]);
    const globexFirstHour = await collect(b.store, { fromMs: base, toMs: base + HOUR, tenant: "globex" });
    expect(globexFirstHour.map((r) => r.requestId).sort()).toEqual(
      recorded.filter((r) => r.tenant === "globex" && r.time < base + HOUR).map((r) => r.requestId).sort(),
    );
  });

  it("reads a record written before cached prompt tokens were counted as having none", async () => {
    const store = new RedisUsageStore({ redis: connect(), prefix: `${prefix}old:`, maxRecordLagMs: 4 * HOUR });
    const { cachedPromptTokens: _, ...older } = makeRecord({ requestId: "older", time: base });
    // The entry id is the record's own time: an id from Redis's clock would fall outside the scan's
    // lag window when the test ran just before the top of an hour.
    await connect().xadd(store.streamKey, `${base}-1`, "r", JSON.stringify(older));
    const read: UsageRecord[] = [];
    for await (const r of store.scanRecords({ fromMs: base, toMs: base + 1 })) read.push(r);
    expect(read).toEqual([{ ...older, cachedPromptTokens: 0 }]);
  });

  it("tracks each tenant's monthly spend across replicas", async () => {
    const month = monthOf(base);
    const acme = sum(recorded.filter((r) => r.tenant === "acme" && monthOf(r.time) === month), (r) => r.costUsd);
    expect((await a.store.monthSpendNanos("acme", month)) / 1e9).toBeCloseTo(acme, 9);
    expect(await b.store.monthSpendNanos("nobody", month)).toBe(0);
  });

  it("expires minute buckets after their retention and keeps day buckets far longer", async () => {
    const redis = connect();
    const minuteKey = a.store.bucketKey({ scope: "all", granularity: "minute", start: Math.floor(base / 60_000) * 60_000 });
    const dayStart = Math.floor(base / 86_400_000) * 86_400_000;
    const dayKey = a.store.bucketKey({ scope: "all", granularity: "day", start: dayStart });
    const minuteExpiry = await redis.pexpiretime(minuteKey);
    const dayExpiry = await redis.pexpiretime(dayKey);
    expect(minuteExpiry).toBe(Math.floor(base / 60_000) * 60_000 + 2 * 86_400_000);
    expect(dayExpiry).toBe(dayStart + 800 * 86_400_000);
  });

  it("writes one record's aggregates as a single script, run by Redis as one step", async () => {
    const spy = connect();
    const store = new RedisUsageStore({ redis: spy, prefix: `${prefix}tx:` });
    const monitor = await connect().monitor();
    const commands: Array<{ command: string; source: string }> = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      const command = String(args[0]).toLowerCase();
      if (args.some((a) => String(a).includes(`${prefix}tx:`))) commands.push({ command, source });
    });
    await store.append([makeRecord({ time: base })], { writer: "w", seq: 1 });
    await new Promise((r) => setTimeout(r, 50));
    monitor.disconnect();
    const fromClient = commands.filter((c) => c.source !== "lua");
    expect(fromClient.map((c) => c.command)).toEqual([expect.stringMatching(/^eval(sha)?$/)]);
    // The record goes to the all-tenant stream and to its tenant's.
    expect(commands.filter((c) => c.command === "xadd")).toHaveLength(2);
  });
});

describe("recording when Redis is unreachable", () => {
  it("never blocks or throws on the request path, keeps what fits, and writes it once Redis is back", async () => {
    const port = await freePort();
    const redis = new Redis({ host: "127.0.0.1", port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 20 });
    redis.on("error", () => {});
    const store = new RedisUsageStore({ redis, prefix: `${prefix}outage:` });
    const errors: unknown[] = [];
    const recorder = new UsageRecorder({ store, maxBuffered: 5, flushIntervalMs: 1, maxRetryDelayMs: 20, onError: (e) => errors.push(e) });
    const started = performance.now();
    const accepted = Array.from({ length: 8 }, (_, i) => recorder.enqueue(makeRecord({ requestId: `down-${i}`, time: base })));
    // Microseconds of work; the bound only has to tell "did not wait for Redis" apart on a loaded CI machine.
    expect(performance.now() - started).toBeLessThan(250);
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    await expect.poll(() => recorder.stats().failedWrites).toBeGreaterThan(1);
    expect(recorder.stats()).toMatchObject({ buffered: 5, dropped: 3, written: 0 });
    expect(errors.length).toBeGreaterThan(0);

    const server = await startRedisServer(port);
    try {
      await expect.poll(() => recorder.stats().written, { timeout: 5000 }).toBe(5);
      const report = await queryUsage(store, parseUsageQuery({ from: String(base - HOUR), to: String(base + HOUR) }, base));
      expect(report.totals.requests).toBe(5);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});

