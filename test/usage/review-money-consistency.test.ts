/**
 * A finance user reconciles the three views of the same requests: `/v1/usage` totals (integer
 * nano-dollars summed in the store), the CSV export (one row per record) and the Prometheus counters.
 * They must agree: the sum of the CSV's rows is the report's total, whatever the size of each request.
 */
import { parse as parseCsv } from "csv-parse/sync";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { createUsageAccounting } from "../../src/usage/accounting.js";
import { BudgetGuard } from "../../src/usage/budgets/guard.js";
import { NO_BUDGETS } from "../../src/usage/budgets/schema.js";
import { csvHeader, recordToCsv } from "../../src/usage/csv.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { createMetrics } from "../../src/usage/metrics.js";
import { parseUsageQuery, queryUsage } from "../../src/usage/query.js";
import { UsageRecorder } from "../../src/usage/recorder.js";
import { testCostModel } from "./fixtures.js";

const HOUR = 3_600_000;

describe("the report, the CSV export and /metrics of the same requests", () => {
  it("show the same cost, baseline and savings, as whole nano-dollars in every row", async () => {
    const store = new MemoryUsageStore();
    const recorder = new UsageRecorder({ store, flushIntervalMs: 1 });
    const metrics = createMetrics({ processMetrics: false });
    const usage = createUsageAccounting({ costs: testCostModel(), recorder, budgets: new BudgetGuard({ store, policy: NO_BUDGETS }), metrics });
    const start = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    // 1 000 local answers: $0.36/h over 4 slots for 70.3 ms is 1757.5 nano-dollars each.
    for (let i = 0; i < 1000; i++) {
      usage.record({ requestId: `l${i}`, tenant: "acme", route: "local", model: "local-slm", status: 200, promptTokens: 20, completionTokens: 3, totalMs: 70.3, time: start + i });
    }
    // Cloud answers whose prices do not add up exactly in binary floating point.
    for (let i = 0; i < 50; i++) {
      usage.record({ requestId: `c${i}`, tenant: "acme", route: "cloud", model: "gpt-4o-mini", status: 200, promptTokens: 11 + i, completionTokens: 3 + i, totalMs: 300, time: start + 5000 + i });
    }
    await recorder.flush();

    const report = await queryUsage(store, parseUsageQuery({ from: String(start), to: String(start + HOUR), granularity: "hour" }, start));
    let csv = csvHeader();
    for await (const record of store.scanRecords({ fromMs: start, toMs: start + HOUR })) csv += recordToCsv(record);
    const rows = parseCsv(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(1050);
    const csvSum = (column: string) => rows.reduce((s, r) => s + Number(r[column]), 0);

    expect(csvSum("cost_usd")).toBeCloseTo(report.totals.cost_usd, 12);
    expect(csvSum("baseline_cost_usd")).toBeCloseTo(report.totals.baseline_cost_usd, 12);
    expect(csvSum("savings_usd")).toBeCloseTo(report.totals.savings_usd, 12);
    // Each row is an amount of whole nano-dollars, as the totals count it (not 0.0000034499999999999996),
    // and its savings are exactly its baseline minus its cost.
    const nanos = (text: string) => Math.round(Number(text) * 1e9);
    for (const row of rows) {
      for (const column of ["cost_usd", "baseline_cost_usd", "savings_usd"]) expect(Number(row[column]), `${column} ${row[column]}`).toBe(nanos(row[column]!) / 1e9);
      expect(nanos(row.savings_usd!)).toBe(nanos(row.baseline_cost_usd!) - nanos(row.cost_usd!));
    }

    const families = parsePrometheusTextFormat(await metrics.render());
    const promSum = (name: string) => families.find((f) => f.name === name)!.metrics.reduce((s, m) => s + Number(m.value), 0);
    expect(promSum("switchyard_cost_usd_total")).toBeCloseTo(report.totals.cost_usd, 12);
    expect(promSum("switchyard_baseline_cost_usd_total")).toBeCloseTo(report.totals.baseline_cost_usd, 12);
    expect(promSum("switchyard_savings_usd")).toBeCloseTo(report.totals.savings_usd, 12);
  });
});
