/**
 * A report's groups add up to its totals, over exactly the range the report covers, whatever the
 * grouping, granularity, tenant scope and store. `group_by=day` with hour or minute buckets used to
 * read each day group from the whole day's bucket: for 23:00–01:00 UTC the totals said 2 requests
 * and the two day groups 4, so a finance user summing the groups got a different number.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GRANULARITIES, type Granularity } from "../../src/usage/buckets.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { usdToNanos } from "../../src/usage/money.js";
import { GroupBySchema, parseUsageQuery, queryUsage, type UsageSummary } from "../../src/usage/query.js";
import type { UsageRecord } from "../../src/usage/record.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import type { UsageStore } from "../../src/usage/store.js";
import { makeRecord } from "./fixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The last UTC midnight: recent enough that Redis keeps even the minute buckets around it. */
const midnight = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR;
const at = (offsetMinutes: number) => midnight + offsetMinutes * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

/** Records either side of midnight, some outside every range asked for, some without a route or model. */
const records: UsageRecord[] = [
  makeRecord({ time: at(-150), tenant: "acme" }),
  makeRecord({ time: at(-90), tenant: "globex", route: "local", model: "local-slm", intent: "code" }),
  makeRecord({ time: at(-50), tenant: "acme", status: 502, route: null, model: null, totalMs: 30, ttftMs: null }),
  makeRecord({ time: at(-20), tenant: "globex", fallback: true, pii: [{ type: "EMAIL_ADDRESS", action: "redact", count: 2 }] }),
  makeRecord({ time: at(10), tenant: "acme", route: "local", model: "local-slm", intent: "chitchat" }),
  makeRecord({ time: at(40), tenant: "globex", model: "gpt-4o", totalMs: 4_000 }),
  makeRecord({ time: at(80), tenant: "acme", intent: "summarize" }),
  makeRecord({ time: at(150), tenant: "globex" }),
];

/** The additive fields of a summary, money in nano-dollars so sums are exact. */
function additive(s: UsageSummary) {
  return {
    requests: s.requests,
    errors: s.errors,
    local_requests: s.local_requests,
    fallbacks: s.fallbacks,
    prompt_tokens: s.prompt_tokens,
    completion_tokens: s.completion_tokens,
    cost_nanos: usdToNanos(s.cost_usd),
    baseline_nanos: usdToNanos(s.baseline_cost_usd),
    pii_actions: s.pii_actions,
  };
}

function sumOf(summaries: UsageSummary[]): ReturnType<typeof additive> {
  const total = additive({ ...summaries[0]!, pii_actions: {} });
  for (const key of Object.keys(total) as Array<keyof typeof total>) if (key !== "pii_actions") total[key] = 0;
  for (const summary of summaries) {
    const part = additive(summary);
    for (const key of Object.keys(total) as Array<keyof typeof total>) {
      if (key === "pii_actions") {
        for (const [name, count] of Object.entries(part.pii_actions)) total.pii_actions[name] = (total.pii_actions[name] ?? 0) + count;
      } else total[key] += part[key];
    }
  }
  return total;
}

/** Records inside [from, to), the range a report says it covers. */
const inside = (from: string, to: string, tenant?: string) =>
  records.filter((r) => r.time >= Date.parse(from) && r.time < Date.parse(to) && (tenant === undefined || r.tenant === tenant));

const ranges: Array<{ from: number; to: number }> = [
  { from: at(-60), to: at(60) },
  { from: at(-45), to: at(25) },
];

const redisClients: Redis[] = [];
const prefix = `test:${randomUUID()}:`;
const stores: Array<[string, () => UsageStore]> = [];

beforeAll(async () => {
  const memory = new MemoryUsageStore({ now: () => midnight });
  await memory.append(records);
  const client = new Redis(inject("redisUrl"));
  redisClients.push(client);
  const redis = new RedisUsageStore({ redis: client, prefix });
  await redis.append(records, { writer: randomUUID(), seq: 1 });
  stores.push(["memory", () => memory], ["redis", () => redis]);
});

afterAll(async () => {
  const client = redisClients[0];
  if (client) {
    const keys = await client.keys(`{${prefix}usage}*`);
    if (keys.length > 0) await client.del(...keys);
  }
  await Promise.all(redisClients.map((c) => c.quit()));
});

describe("usage report groups", () => {
  it("by day over 23:00–01:00 hold the four requests of that range, two on each day", async () => {
    for (const [name, store] of stores) {
      const query = parseUsageQuery({ from: iso(at(-60)), to: iso(at(60)), granularity: "hour", group_by: "day" }, at(60));
      const report = await queryUsage(store(), query);
      expect(report.totals.requests, name).toBe(4);
      expect(report.groups.map((g) => [g.key, g.requests]), name).toEqual([
        [day(at(-60)), 2],
        [day(at(0)), 2],
      ]);
    }
  });

  it("add up to the totals, which hold exactly the records of the range reported", async () => {
    for (const [name, store] of stores) {
      for (const granularity of GRANULARITIES as readonly Granularity[]) {
        for (const group_by of GroupBySchema.options) {
          for (const tenant of [undefined, "acme"]) {
            for (const range of ranges) {
              const params = { from: iso(range.from), to: iso(range.to), granularity, group_by, ...(tenant ? { tenant } : {}) };
              const label = `${name} ${JSON.stringify(params)}`;
              const report = await queryUsage(store(), parseUsageQuery(params, range.to));
              const expected = inside(report.from, report.to, tenant);
              expect(report.totals.requests, label).toBe(expected.length);
              expect(report.totals.requests, label).toBeGreaterThan(0);
              expect(sumOf(report.groups), label).toEqual(additive(report.totals));
              expect(sumOf(report.series.map((p) => p.totals)), label).toEqual(additive(report.totals));
              if (group_by === "day") {
                expect(report.groups.map((g) => g.key), label).toEqual([...new Set(expected.map((r) => day(r.time)))]);
              }
            }
          }
        }
      }
    }
  });
});
