/**
 * Day buckets are UTC days (`/v1/usage?granularity=day`, `group_by=day`, the CSV's times), but the
 * dashboard labelled them with the viewer's local date: west of UTC every day's spend was drawn under
 * the day before (the bucket of 2025-06-10 read "Jun 9" in New York), so the page disagreed with the
 * report and the export finance reconciles it with. Day labels are now the UTC day they count.
 *
 * Runs the page's script in a small fake DOM (dashboard-page.ts), no browser needed.
 */
import { describe, expect, it } from "vitest";
import { inServerTimeZone } from "../support/time-zone.js";
import { emptyReport, emptySummary, openDashboard } from "./dashboard-page.js";

const dayReport = () => {
  const report = emptyReport("day");
  report.series = ["2025-06-10", "2025-06-11"].map((day, i) => ({ start: `${day}T00:00:00.000Z`, totals: { ...emptySummary(), requests: 1, cost_usd: i + 1 } }));
  return report;
};

for (const zone of ["America/New_York", "Pacific/Auckland"]) {
  describe(`the dashboard viewed in ${zone}`, () => {
    inServerTimeZone(zone);

    it("labels each day bucket with the UTC day it counts", async () => {
      const page = await openDashboard("?range=30d", dayReport());
      expect(page.thrown).toBeUndefined();
      const labels = page.chart("spend")!.labels as string[];
      expect(labels).toHaveLength(2);
      expect(labels[0]).toMatch(/\b10\b/);
      expect(labels[1]).toMatch(/\b11\b/);
    });
  });
}
