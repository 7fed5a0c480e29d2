/**
 * An instant beyond what a Date can hold (±8.64e15 ms) passed the query validation, and the report
 * (or the export's file name) then failed on `toISOString`: a 503 "usage store unavailable" or a 500
 * for what is a bad parameter.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { parseUsageExportQuery, parseUsageQuery, queryUsage } from "../../src/usage/query.js";

const badRequest = (run: () => unknown, param: string) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400, param });
    return;
  }
  throw new Error("expected a 400");
};

describe("usage query instants out of the Date range", () => {
  it("are a 400 naming the parameter", () => {
    const now = Date.UTC(2025, 5, 1);
    badRequest(() => parseUsageQuery({ from: "9000000000000000", to: "9000000000060000", granularity: "minute" }, now), "from");
    badRequest(() => parseUsageExportQuery({ to: "99999999999999999" }, now), "to");
  });

  it("at the edge of the range still answer", async () => {
    const query = parseUsageQuery({ from: "8639999913540000", to: "8639999913600000", granularity: "minute" }, 0);
    const report = await queryUsage(new MemoryUsageStore(), query);
    expect(report.totals.requests).toBe(0);
  });
});
