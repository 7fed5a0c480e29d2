/**
 * An upstream that reports partial usage (e.g. `{"usage": {"total_tokens": 12}}`) gives the pipeline
 * undefined token counts. The record must still be written, and the batch around it must not be
 * applied half and retried (which counts every other record of the batch again on each retry).
 */
import { describe, expect, it, vi } from "vitest";
import { createUsageAccounting } from "../../src/usage/accounting.js";
import { BudgetGuard } from "../../src/usage/budgets/guard.js";
import { NO_BUDGETS } from "../../src/usage/budgets/schema.js";
import { monthOf } from "../../src/usage/buckets.js";
import { UsageRecorder } from "../../src/usage/recorder.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { testCostModel } from "./fixtures.js";
import { usageRedisScope } from "./redis-scope.js";

const { redis, prefix } = usageRedisScope();

describe("usage records with token counts an upstream did not report", () => {
  it("are written once, with the batch around them, and never counted twice", async () => {
    const store = new RedisUsageStore({ redis, prefix });
    const recorder = new UsageRecorder({ store, flushIntervalMs: 5, maxRetryDelayMs: 20 });
    const usage = createUsageAccounting({ costs: testCostModel(), recorder, budgets: new BudgetGuard({ store, policy: NO_BUDGETS }) });
    const now = Date.now();
    const base = { tenant: "acme", route: "cloud" as const, model: "gpt-4o-mini", status: 200, totalMs: 100, time: now };
    usage.record({ ...base, requestId: "good", promptTokens: 1000, completionTokens: 0 });
    usage.record({ ...base, requestId: "partial", promptTokens: undefined as unknown as number, completionTokens: 10.5 });
    // A failed write keeps the batch buffered, so an empty buffer means the first write succeeded.
    await vi.waitFor(() => expect(recorder.stats()).toMatchObject({ buffered: 0 }), { timeout: 5_000 });
    expect(recorder.stats()).toMatchObject({ failedWrites: 0 });
    // 1000 prompt tokens of gpt-4o-mini at $0.15 / 1M, plus the partial record's completion tokens.
    const spent = await store.monthSpendNanos("acme", monthOf(now));
    expect(Number.isInteger(spent)).toBe(true);
    expect(spent).toBeLessThan(200_000);
    expect(spent).toBeGreaterThanOrEqual(150_000);
    await recorder.close();
  });
});
