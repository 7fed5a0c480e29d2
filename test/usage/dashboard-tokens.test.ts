/**
 * The dashboard shows the prompt tokens of the range and how many of them the upstream served from
 * its prompt cache (`cached_prompt_tokens`, billed at a discount): a total each, and both per bucket.
 * The served page must hold the places the script writes them to, or a browser would show nothing.
 */
import { describe, expect, it } from "vitest";
import { dashboardRoutes } from "../../routes/dashboard.js";
import { emptyReport, emptySummary, openDashboard } from "./dashboard-page.js";

const bucket = (start: string, prompt: number, cached: number) => ({
  start,
  totals: { ...emptySummary(), requests: 1, prompt_tokens: prompt, cached_prompt_tokens: cached },
});

describe("the dashboard's prompt tokens", () => {
  it("shows the total and cached prompt tokens, and draws both per bucket", async () => {
    const report = {
      ...emptyReport("hour"),
      totals: { ...emptySummary(), requests: 3, prompt_tokens: 12_000, cached_prompt_tokens: 4_500 },
      series: [bucket("2025-06-01T00:00:00.000Z", 2_000, 0), bucket("2025-06-01T01:00:00.000Z", 4_000, 1_500), bucket("2025-06-01T02:00:00.000Z", 6_000, 3_000)],
    };
    const page = await openDashboard("", report);
    expect(page.thrown).toBeUndefined();
    expect(page.status.className).toBe("");
    expect(page.kpi("prompt-tokens")).toBe((12_000).toLocaleString());
    expect(page.kpi("cached-prompt-tokens")).toBe((4_500).toLocaleString());
    expect(page.chart("tokens")?.datasets.map((d) => [d.label, d.data])).toEqual([
      ["Prompt", [2_000, 4_000, 6_000]],
      ["Cached", [0, 1_500, 3_000]],
    ]);
  });

  it("is served a page with a place for each", async () => {
    const html = await (await dashboardRoutes().request("/dashboard")).text();
    expect(html).toContain('<output data-kpi="prompt-tokens">');
    expect(html).toContain('<output data-kpi="cached-prompt-tokens">');
    expect(html).toContain('<canvas data-chart="tokens">');
  });
});
