/**
 * Redis briefly unavailable while a usage batch is being written. The gateway's client gives up on a
 * command after its timeout (2 s) without knowing whether Redis ran it: a Redis that stalls (a fork, a
 * slow disk, a failover) runs the batch once it resumes, and the recorder, told the write failed,
 * writes the batch again. Every record and dollar of that batch would then be counted twice.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient, type RedisClient } from "../../src/context/redis-client.js";
import { createUsageAccounting } from "../../src/usage/accounting.js";
import { BudgetGuard } from "../../src/usage/budgets/guard.js";
import { NO_BUDGETS } from "../../src/usage/budgets/schema.js";
import { monthOf } from "../../src/usage/buckets.js";
import { parseUsageQuery, queryUsage } from "../../src/usage/query.js";
import { UsageRecorder } from "../../src/usage/recorder.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { testCostModel } from "./fixtures.js";

const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: RedisServer;
let redis: RedisClient;
beforeAll(async () => {
  server = await startRedisServer();
  // The gateway's usage client, with a shorter command timeout so the test stalls Redis briefly.
  redis = createRedisClient({ kind: "url", url: server.url }, { timeoutMs: 200, reconnectMaxDelayMs: 200 });
  redis.on("error", () => {});
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("a usage batch whose write timed out while Redis stalled", () => {
  it("is counted once when Redis resumes and the recorder writes it again", async () => {
    const store = new RedisUsageStore({ redis, prefix: `test:${randomUUID()}:` });
    const errors: unknown[] = [];
    const recorder = new UsageRecorder({ store, flushIntervalMs: 5, maxRetryDelayMs: 50, onError: (error) => errors.push(error) });
    const usage = createUsageAccounting({ costs: testCostModel(), recorder, budgets: new BudgetGuard({ store, policy: NO_BUDGETS }) });
    await redis.ping();

    const now = Date.now();
    server.process.kill("SIGSTOP");
    const records = [0, 1, 2].map((i) =>
      usage.record({ requestId: `stalled-${i}`, tenant: "acme", route: "cloud", model: "gpt-4o-mini", status: 200, promptTokens: 1000, completionTokens: 500, totalMs: 300, time: now }),
    );
    await sleep(500);
    server.process.kill("SIGCONT");
    const deadline = Date.now() + 5000;
    while (recorder.stats().buffered > 0 && Date.now() < deadline) await sleep(20);
    expect(errors.length).toBeGreaterThan(0);
    expect(recorder.stats().buffered).toBe(0);
    // Later records are written normally, after the stalled batch.
    usage.record({ requestId: "after", tenant: "acme", route: "cloud", model: "gpt-4o-mini", status: 200, promptTokens: 1000, completionTokens: 500, totalMs: 300, time: now });
    await recorder.flush();

    const costNanos = Math.round(records[0]!.costUsd * 1e9);
    expect(await store.monthSpendNanos("acme", monthOf(now))).toBe(4 * costNanos);
    const report = await queryUsage(store, parseUsageQuery({ from: String(now - HOUR), to: String(now + HOUR), granularity: "hour" }, now));
    expect(report.totals.requests).toBe(4);
    const exported: string[] = [];
    for await (const record of store.scanRecords({ fromMs: now - HOUR, toMs: now + HOUR })) exported.push(record.requestId);
    expect(exported.sort()).toEqual(["after", "stalled-0", "stalled-1", "stalled-2"]);
    await recorder.close();
  });
});
