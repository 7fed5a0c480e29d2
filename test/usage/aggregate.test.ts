/**
 * Batch aggregation: however records are grouped into batches, the dashboard's counters come out the
 * same — a batch of mixed tenants, models, routes, intents, minutes and outcomes adds up exactly to
 * its records added one at a time.
 */
import { describe, expect, it } from "vitest";
import { aggregateBatch, type BatchIncrements } from "../../src/usage/aggregate.js";
import { makeRecord } from "./fixtures.js";

function merged(batches: BatchIncrements[]): { buckets: Record<string, Record<string, number>>; spend: Record<string, number> } {
  const buckets: Record<string, Record<string, number>> = {};
  const spend: Record<string, number> = {};
  for (const batch of batches) {
    for (const [id, bucket] of batch.buckets) {
      const fields = (buckets[id] ??= {});
      for (const [name, amount] of bucket.fields) fields[name] = (fields[name] ?? 0) + amount;
    }
    for (const [month, tenants] of batch.spend) {
      for (const [tenant, nanos] of tenants) spend[`${month}|${tenant}`] = (spend[`${month}|${tenant}`] ?? 0) + nanos;
    }
  }
  return { buckets, spend };
}

describe("aggregateBatch", () => {
  it("counts a mixed batch exactly as the same records one by one", () => {
    const start = Date.UTC(2026, 10, 30, 23, 58, 30);
    const records = Array.from({ length: 300 }, (_, i) =>
      makeRecord({
        time: start + i * 1_000, // crosses minutes, an hour, a day and a month
        tenant: ["acme", "globex", "initech"][i % 3]!,
        route: i % 4 === 0 ? "local" : i % 17 === 0 ? null : "cloud",
        model: i % 4 === 0 ? "local-slm" : i % 17 === 0 ? null : i % 2 ? "gpt-4o-mini" : "gpt-4o",
        intent: i % 5 === 0 ? null : ["greeting", "code"][i % 2]!,
        status: i % 11 === 0 ? 502 : 200,
        fallback: i % 13 === 0,
        promptTokens: 10 + i,
        completionTokens: i % 7,
        ttftMs: i % 3 === 0 ? null : 5 + i,
        totalMs: 20 + i * 3,
        pii: i % 6 === 0 ? [{ type: "EMAIL_ADDRESS", action: "pseudonymize", count: 1 + (i % 2) }] : [],
      }),
    );
    const oneBatch = merged([aggregateBatch(records)]);
    const oneByOne = merged(records.map((record) => aggregateBatch([record])));
    expect(oneBatch).toEqual(oneByOne);
    expect(Object.keys(oneBatch.spend).some((k) => k.startsWith("2026-12"))).toBe(true);
    expect(oneBatch.buckets[Object.keys(oneBatch.buckets).find((id) => id.startsWith("day:all:"))!]!["total|n|"]).toBeGreaterThan(0);
  });
});
