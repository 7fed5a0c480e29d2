/**
 * Savings are negative when the chosen model costs more than the baseline (docs/USAGE.md); the
 * dashboard's KPI wrote them `$-0.000120`, a format finance reads as a typo. The sign goes first.
 */
import { expect, it } from "vitest";
import { emptyReport, emptySummary, openDashboard } from "./dashboard-page.js";

it("writes negative savings with the sign before the dollar sign", async () => {
  const report = emptyReport("day");
  report.totals = { ...emptySummary(), requests: 3, cost_usd: 2.5, baseline_cost_usd: 0.00038, savings_usd: -0.00012 };
  const page = await openDashboard("?range=30d", report);
  expect(page.thrown).toBeUndefined();
  expect(page.kpi("savings")).toBe("-$0.000120");
  expect(page.kpi("cost")).toBe("$2.50");
});
