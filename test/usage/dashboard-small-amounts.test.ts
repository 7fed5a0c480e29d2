/**
 * A tenant whose usage is a few short local requests spends well under a micro-dollar: the dashboard's
 * money KPIs printed such amounts with toPrecision, which switches to exponent form below 1e-6
 * (`$5.85e-7`), a number finance reads as a typo. They are plain decimals (as in the CSV export), with
 * three significant digits but none past the nano-dollar: amounts are whole nano-dollars, so
 * `$0.00000000100` showed precision the data does not have.
 */
import { expect, it } from "vitest";
import { emptyReport, emptySummary, openDashboard } from "./dashboard-page.js";

it("writes amounts under a micro-dollar as plain decimals", async () => {
  const report = emptyReport("minute");
  report.totals = { ...emptySummary(), requests: 2, local_requests: 2, local_share: 1, cost_usd: 0.000000585, baseline_cost_usd: 0.0000975, savings_usd: -0.000000012 };
  const page = await openDashboard("?range=1h", report);
  expect(page.thrown).toBeUndefined();
  expect(page.kpi("cost")).toBe("$0.000000585");
  expect(page.kpi("savings")).toBe("-$0.000000012");
});

it("stops at the nano-dollar, the precision amounts are kept to", async () => {
  const report = emptyReport("minute");
  report.totals = { ...emptySummary(), requests: 1, local_requests: 1, local_share: 1, cost_usd: 0.000000001, baseline_cost_usd: 0.000000021, savings_usd: 0.00000002 };
  const page = await openDashboard("?range=1h", report);
  expect(page.kpi("cost")).toBe("$0.000000001");
  expect(page.kpi("savings")).toBe("$0.00000002");
});

it("keeps three significant digits under a dollar and cents above it", async () => {
  const report = emptyReport("hour");
  report.totals = { ...emptySummary(), requests: 1, cost_usd: 0.00012, savings_usd: 1234.5 };
  const page = await openDashboard("", report);
  expect(page.kpi("cost")).toBe("$0.000120");
  expect(page.kpi("savings")).toBe("$1234.50");
  report.totals = { ...emptySummary() };
  expect((await openDashboard("", report)).kpi("cost")).toBe("$0.00");
});
