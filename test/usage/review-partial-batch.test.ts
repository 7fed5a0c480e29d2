/**
 * Redis runs the rest of a MULTI when one of its commands fails at run time (a key of the wrong
 * type): a batch that "failed" that way was mostly applied, so retrying it counts its records again.
 */
import { describe, expect, it, vi } from "vitest";
import { monthOf } from "../../src/usage/buckets.js";
import { UsageRecorder } from "../../src/usage/recorder.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { makeRecord } from "./fixtures.js";
import { usageRedisScope } from "./redis-scope.js";

const { redis, prefix } = usageRedisScope();

describe("review: a usage batch Redis applied in part", () => {
  it("is not retried (which would add its records again) and the failure is reported", async () => {
    const partial: Array<{ error: Error; failed: number }> = [];
    const store = new RedisUsageStore({ redis, prefix, onPartialWrite: (error, failed) => partial.push({ error, failed }) });
    const time = Date.now();
    // Something else wrote a string where this month's spend hash goes: HINCRBY fails with WRONGTYPE.
    await redis.set(store.spendKey(monthOf(time)), "not a hash");
    const recorder = new UsageRecorder({ store, flushIntervalMs: 5, maxRetryDelayMs: 20 });
    recorder.enqueue(makeRecord({ time, tenant: "acme" }));
    // Retried, the batch would stay buffered: the WRONGTYPE error comes back on every try.
    await vi.waitFor(() => expect(recorder.stats()).toMatchObject({ buffered: 0, written: 1 }), { timeout: 5_000 });
    expect(await redis.xlen(store.streamKey)).toBe(1);
    expect(partial).toHaveLength(1);
    expect(partial[0]?.error.message).toMatch(/WRONGTYPE/);
    expect(partial[0]?.failed).toBe(1);
    await recorder.close();
  });
});
