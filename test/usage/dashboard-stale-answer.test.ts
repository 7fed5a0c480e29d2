/**
 * A viewer who picks another range (or key) while the page is still loading the previous one gets two
 * loads in flight. Whichever answered last was drawn: a slow answer for the old range drew over the
 * new one, under a selector showing the new range, until the next refresh (15 s, or up to an hour with
 * `?refresh=`). The page draws only its latest load.
 */
import { expect, it } from "vitest";
import type { UsageReport } from "../../src/usage/query.js";
import { emptyReport, emptySummary, openDashboard } from "./dashboard-page.js";

const report = (granularity: UsageReport["granularity"], requests: number): UsageReport => ({
  ...emptyReport(granularity),
  totals: { ...emptySummary(), requests },
});

interface PendingCall {
  url: string;
  settle(body: UsageReport): void;
  fail(error: Error): void;
}

/** Opens the page with every `/v1/usage` call held, then picks 30 days while the default range still loads. */
async function pickWhileLoading() {
  const pending: PendingCall[] = [];
  const page = await openDashboard("", undefined, (url) => new Promise((resolve, reject) => pending.push({ url, settle: resolve, fail: reject })));
  const until = async (count: number) => {
    for (let i = 0; i < 100 && pending.length < count; i++) await new Promise((r) => setImmediate(r));
    expect(pending).toHaveLength(count);
  };
  await until(2); // the default range's two reports (by route, by intent)
  page.chooseRange("30d");
  await until(4);
  // The 30-day answers come first, the 24-hour ones after them.
  for (const call of pending.slice(2)) call.settle(report("day", 300));
  await expect.poll(() => page.kpi("requests")).toBe("300");
  return { page, previous: pending.slice(0, 2) };
}

it("draws the range picked last, even when the previous range's answer arrives after it", async () => {
  const { page, previous } = await pickWhileLoading();
  for (const call of previous) call.settle(report("hour", 24));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  expect(page.kpi("requests")).toBe("300");
  expect(page.status.textContent).toContain("day buckets");
  // One poll is scheduled, by the load that was drawn.
  expect(page.timers).toHaveLength(1);
});

it("keeps the range picked last's status when the previous range's load fails after it", async () => {
  const { page, previous } = await pickWhileLoading();
  for (const call of previous) call.fail(new Error("upstream went away"));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  // The old range's failure is not this range's: no error under a page showing the new range's numbers.
  expect(page.kpi("requests")).toBe("300");
  expect(page.status.textContent).toContain("day buckets");
  expect(page.status.className).toBe("");
  expect(page.timers).toHaveLength(1);
});
