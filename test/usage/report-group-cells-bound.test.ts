/**
 * `group_by=key` (the admin's per-tenant view) puts one summary per tenant in every bucket of the
 * series: 400 active tenants over 2 000 minute buckets is 800 000 summaries, and the gateway process
 * died of heap exhaustion in JSON.stringify, taking every tenant's traffic with it (200 tenants × 500
 * buckets: a 35 MB answer and 1.3 s of CPU on the event loop). The series' groups are now bounded: past
 * the bound the report is a 400 saying how to narrow it, decided before the summaries are built.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { handleError } from "../../routes/errors.js";
import { usageRoutes } from "../../routes/usage.js";
import { parseApiKeys } from "../../src/auth/api-keys.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { GatewayError } from "../../src/errors.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { MAX_SERIES_GROUPS, parseUsageQuery, queryUsage } from "../../src/usage/query.js";
import { makeRecord } from "./fixtures.js";

const NOW = Date.UTC(2025, 5, 1, 12);
const MINUTE = 60_000;

/** `tenants` tenants, each with one request in each of the `minutes` minutes before NOW. */
async function storeWith(tenants: number, minutes: number): Promise<MemoryUsageStore> {
  const store = new MemoryUsageStore({ now: () => NOW });
  const like = makeRecord();
  for (let m = 1; m <= minutes; m++) {
    await store.append(Array.from({ length: tenants }, (_, t) => ({ ...like, tenant: `tenant-${t}`, time: NOW - m * MINUTE })));
  }
  return store;
}

const byKey = (minutes: number) =>
  parseUsageQuery({ from: String(NOW - minutes * MINUTE), to: String(NOW), granularity: "minute", group_by: "key" }, NOW);

describe("a usage report's per-bucket groups", () => {
  it("past the bound are a 400 on group_by that says how to narrow the report", async () => {
    const store = await storeWith(4, 5);
    let caught: unknown;
    try {
      await queryUsage(store, byKey(5), { maxSeriesGroups: 19 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({ status: 400, param: "group_by" });
    expect((caught as GatewayError).message).toMatch(/coarser granularity|shorter range/);
  });

  it("up to the bound are answered whole", async () => {
    const store = await storeWith(4, 5);
    const report = await queryUsage(store, byKey(5), { maxSeriesGroups: 20 });
    expect(report.groups).toHaveLength(4);
    expect(report.totals.requests).toBe(20);
  });

  it("read a chunk of buckets at a time still add up across the chunks", async () => {
    const store = await storeWith(3, 250);
    const report = await queryUsage(store, byKey(250));
    expect(report.series).toHaveLength(250);
    for (const point of report.series) expect(Object.keys(point.groups ?? {}).sort()).toEqual(["tenant-0", "tenant-1", "tenant-2"]);
    expect(report.groups.map((g) => [g.key, g.requests])).toEqual([
      ["tenant-0", 250],
      ["tenant-1", 250],
      ["tenant-2", 250],
    ]);
    expect(report.totals.requests).toBe(750);
  });

  it("are bounded by default, far below what a process can hold", async () => {
    expect(MAX_SERIES_GROUPS).toBeLessThanOrEqual(100_000);
    const store = await storeWith(2, 3);
    const app = new Hono<AppEnv>();
    app.onError(handleError);
    app.route("/", usageRoutes({ store, auth: { keys: parseApiKeys(undefined) }, now: () => NOW }));
    const res = await app.request(`/v1/usage?from=${NOW - 3 * MINUTE}&to=${NOW}&granularity=minute&group_by=key`);
    expect(res.status).toBe(200);
  });
});
