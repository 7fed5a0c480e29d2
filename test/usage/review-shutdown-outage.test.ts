/**
 * A replica shut down while Redis is briefly unavailable (a restart, a failover). Its recorder made
 * one write attempt on close and gave up: every buffered record was lost — billing rows, aggregates
 * and the tenants' budget spend (a deny budget got the money back). Close now retries with the
 * recorder's backoff until the buffer is empty or the shutdown deadline passes, counts what is still
 * unwritten then as dropped, and logs it.
 */
import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../src/config/models-schema.js";
import { createRedisClient, type RedisClient } from "../../src/context/redis-client.js";
import { NO_BUDGETS } from "../../src/usage/budgets/schema.js";
import { monthOf } from "../../src/usage/buckets.js";
import { createUsage } from "../../src/usage/create-usage.js";
import { parseUsageQuery, queryUsage } from "../../src/usage/query.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { MODELS, testRegistry } from "./fixtures.js";

const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: RedisServer | undefined;
let redis: RedisClient | undefined;
afterEach(async () => {
  redis?.disconnect();
  await server?.stop();
  server = redis = undefined;
});

async function setUp() {
  server = await startRedisServer();
  // The gateway's usage client (fails at once while disconnected, reconnects quickly here).
  redis = createRedisClient({ kind: "url", url: server.url }, { timeoutMs: 200, reconnectMaxDelayMs: 50 });
  redis.on("error", () => {});
  if (redis.status !== "ready") await new Promise((resolve) => redis!.once("ready", resolve));
  const prefix = `test:${randomUUID()}:`;
  const logged: Array<Record<string, unknown>> = [];
  const log = pino({ level: "error" }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  const usage = createUsage({
    registry: testRegistry(),
    providers: MODELS.providers as Record<string, ProviderConfig>,
    budgetPolicy: NO_BUDGETS,
    log,
    redis,
    redisPrefix: prefix,
    recorder: { flushIntervalMs: 5, batchSize: 10 },
  });
  const store = new RedisUsageStore({ redis, prefix });
  return { usage, store, logged };
}

const record = (usage: ReturnType<typeof createUsage>, i: number, time: number) =>
  usage.accounting.record({ requestId: `r-${i}`, tenant: "globex", route: "cloud", model: "gpt-4o", status: 200, promptTokens: 1000, completionTokens: 500, totalMs: 300, time });

describe("a replica shutting down during a short Redis outage", () => {
  it("writes its buffered records, exactly once, when Redis is back before the shutdown deadline", async () => {
    const { usage, store, logged } = await setUp();
    const port = server!.port;
    await server!.stop();
    const now = Date.now();
    const costs = Array.from({ length: 30 }, (_, i) => record(usage, i, now).costUsd);
    const closing = usage.close({ deadlineAt: Date.now() + 10_000 });
    await sleep(300);
    server = await startRedisServer(port);
    await closing;

    expect(usage.recorder.stats()).toMatchObject({ buffered: 0, dropped: 0, written: 30 });
    expect(logged.filter((l) => l.msg === "usage records could not be written before shutdown")).toEqual([]);
    expect(await redis!.xlen(store.streamKey)).toBe(30);
    const report = await queryUsage(store, parseUsageQuery({ from: String(now - HOUR), to: String(now + HOUR), granularity: "hour" }, now));
    expect(report.totals.requests).toBe(30);
    const nanos = costs.reduce((sum, usd) => sum + Math.round(usd * 1e9), 0);
    expect(await store.monthSpendNanos("globex", monthOf(now))).toBe(nanos);
  });

  it("counts a batch once when its write timed out in a stall and close retried it", async () => {
    const { usage, store } = await setUp();
    const now = Date.now();
    await redis!.ping();
    server!.process.kill("SIGSTOP");
    for (let i = 0; i < 5; i++) record(usage, i, now);
    const closing = usage.close({ deadlineAt: Date.now() + 10_000 });
    await sleep(500);
    server!.process.kill("SIGCONT");
    await closing;
    expect(usage.recorder.stats()).toMatchObject({ buffered: 0, dropped: 0 });
    expect(usage.recorder.stats().failedWrites).toBeGreaterThan(0);
    expect(await redis!.xlen(store.streamKey)).toBe(5);
    const report = await queryUsage(store, parseUsageQuery({ from: String(now - HOUR), to: String(now + HOUR), granularity: "hour" }, now));
    expect(report.totals.requests).toBe(5);
  });

  it("counts and logs what is still unwritten when the deadline passes", async () => {
    const { usage, logged } = await setUp();
    await server!.stop();
    for (let i = 0; i < 12; i++) record(usage, i, Date.now());
    const started = Date.now();
    await usage.close({ deadlineAt: started + 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(usage.recorder.stats()).toMatchObject({ buffered: 0, dropped: 12, written: 0 });
    expect(usage.recorder.stats().failedWrites).toBeGreaterThan(1);
    expect(logged.find((l) => l.msg === "usage records could not be written before shutdown")).toMatchObject({ lost: 12 });
  });
});
