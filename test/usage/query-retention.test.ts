/**
 * Reports over past ranges: minute buckets are kept for 2 days and hour buckets for 90, so the
 * automatic granularity is the finest that still holds the range's start — a report on last week
 * shows last week's numbers, not zeros — and an explicit granularity whose buckets are gone is a 400
 * naming it rather than a silently empty report.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { handleError } from "../../routes/errors.js";
import { usageRoutes } from "../../routes/usage.js";
import { parseApiKeys } from "../../src/auth/api-keys.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { makeRecord } from "./fixtures.js";

const DAY = 86_400_000;
const RECORDED_AT = Date.UTC(2025, 0, 2, 12);

/** A gateway's usage API whose store holds three requests from 2025-01-02 12:01–12:03, read `daysLater`. */
async function usageApiAfter(daysLater: number) {
  let clock = RECORDED_AT;
  const store = new MemoryUsageStore({ now: () => clock });
  await store.append([1, 2, 3].map((i) => makeRecord({ time: RECORDED_AT + i * 60_000, tenant: "anonymous" })));
  clock = RECORDED_AT + daysLater * DAY;
  // Any write prunes expired buckets, as Redis expires them.
  await store.append([makeRecord({ time: clock, tenant: "anonymous" })]);
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.route("/", usageRoutes({ store, auth: { keys: parseApiKeys(undefined) }, now: () => clock }));
  return async (query: string) => {
    const res = await app.request(`/v1/usage?${query}`);
    return { status: res.status, body: (await res.json()) as { granularity: string; totals: { requests: number }; error?: { param: string; message: string } } };
  };
}

describe("usage reports over past ranges", () => {
  it("reads an 8-hour window from 3 days ago by the hour: its minute buckets are gone", async () => {
    const usage = await usageApiAfter(3);
    const { status, body } = await usage("from=2025-01-02T09:00Z&to=2025-01-02T17:00Z");
    expect(status).toBe(200);
    expect(body.granularity).toBe("hour");
    expect(body.totals.requests).toBe(3);
  });

  it("reads a 3-day window from 120 days ago by the day: its hour buckets are gone", async () => {
    const usage = await usageApiAfter(120);
    const { body } = await usage("from=2025-01-01&to=2025-01-04");
    expect(body.granularity).toBe("day");
    expect(body.totals.requests).toBe(3);
  });

  it("still reads a recent window by the minute", async () => {
    const usage = await usageApiAfter(0.5);
    const { body } = await usage("from=2025-01-02T09:00Z&to=2025-01-02T17:00Z");
    expect(body.granularity).toBe("minute");
    expect(body.totals.requests).toBe(3);
  });

  it("refuses an explicit granularity whose buckets for the range have expired, naming it", async () => {
    const usage = await usageApiAfter(3);
    const { status, body } = await usage("from=2025-01-02T09:00Z&to=2025-01-02T17:00Z&granularity=minute");
    expect(status).toBe(400);
    expect(body.error?.param).toBe("granularity");
    expect(body.error?.message).toContain("2 days");
  });

  it("accepts an explicit minute granularity for a range starting right at the edge of what minute buckets keep", async () => {
    const usage = await usageApiAfter(2 + 30 / 86_400);
    const { status, body } = await usage("from=2025-01-02T12:00Z&to=2025-01-02T18:00Z&granularity=minute");
    expect(status).toBe(200);
    expect(body.totals.requests).toBe(3);
  });
});

/**
 * Day buckets are the coarsest, kept 800 days. A range starting before that read as zeros when the
 * granularity was left out (a finance user's "January 2024" answered $0, as if nothing had been
 * spent), and an explicit `day` was told to "use a coarser granularity", which does not exist.
 */
describe("usage reports over ranges older than every bucket's retention", () => {
  it("are a 400 naming 'from' and the 800 days, not a report of zeros", async () => {
    const usage = await usageApiAfter(900);
    const { status, body } = await usage("from=2025-01-01&to=2025-01-04");
    expect(status).toBe(400);
    expect(body.error?.param).toBe("from");
    expect(body.error?.message).toContain("800 days");
  });

  it("with an explicit day granularity, do not advise a coarser one", async () => {
    const usage = await usageApiAfter(900);
    const { status, body } = await usage("from=2025-01-01&to=2025-01-04&granularity=day");
    expect(status).toBe(400);
    expect(body.error?.message).toContain("800 days");
    expect(body.error?.message).not.toContain("coarser");
  });

  it("still read a range starting within the 800 days by the day", async () => {
    const usage = await usageApiAfter(790);
    const { status, body } = await usage("from=2025-01-01&to=2025-01-04");
    expect(status).toBe(200);
    expect(body.granularity).toBe("day");
    expect(body.totals.requests).toBe(3);
  });
});
