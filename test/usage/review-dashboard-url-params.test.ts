/**
 * The dashboard reads `?refresh=<seconds>` and `?range=<1h|24h|7d|30d>` from its own URL, so anyone
 * can hand an operator a link with any value in them. A value that is not a sane number or range
 * must fall back to the default, not make the page poll `/v1/usage` in a tight loop (a NaN or
 * overflowing delay runs the timer at once) or stop it loading (a `range` naming an Object method).
 *
 * Runs the page's script in a small fake DOM (no browser needed): the script only uses a handful of
 * DOM calls, fetch, sessionStorage and setTimeout.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";

const SCRIPT = readFileSync(join(import.meta.dirname, "../../src/usage/dashboard/dashboard.js"), "utf8");
const RANGE_OPTIONS = ["1h", "24h", "7d", "30d"];
/** Largest delay setTimeout honours; beyond it browsers (and Node) fire the timer at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const report = (granularity: string) => ({
  object: "usage.report",
  from: "2025-06-01T00:00:00.000Z",
  to: "2025-06-02T00:00:00.000Z",
  granularity,
  group_by: "route",
  tenant: "acme",
  totals: { requests: 0, errors: 0, local_requests: 0, local_share: 0, fallbacks: 0, cost_usd: 0, savings_usd: 0, baseline_cost_usd: 0, latency_ms: null, ttft_ms: null, pii_actions: {} },
  groups: [],
  series: [],
});

/** Loads the dashboard script at `search` and waits for its first refresh to finish. */
async function openDashboard(search: string) {
  const fetched: string[] = [];
  const timers: number[] = [];
  const element = () => ({ value: "", textContent: "", className: "", dataset: {}, addEventListener: () => undefined });
  let rangeValue = "24h";
  const range = {
    ...element(),
    get value() {
      return rangeValue;
    },
    // Like a real <select>: a value that is no option's selects nothing.
    set value(v: string) {
      rangeValue = RANGE_OPTIONS.includes(v) ? v : "";
    },
  };
  const elements = new Map<string, object>([["#range", range]]);
  const document = {
    querySelector: (selector: string) => {
      if (!elements.has(selector)) elements.set(selector, element());
      return elements.get(selector);
    },
    body: { dataset: {} as Record<string, string> },
  };
  let settled!: () => void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const context = {
    location: { search },
    document,
    sessionStorage: { getItem: () => null, setItem: () => undefined },
    Chart: class {
      data = { labels: [], datasets: [] };
      update() {}
    },
    fetch: async (url: string) => {
      fetched.push(url);
      return { ok: true, status: 200, json: async () => report("hour") };
    },
    setTimeout: (_fn: unknown, ms: number) => {
      timers.push(ms);
      settled();
      return timers.length;
    },
    clearTimeout: () => undefined,
    URLSearchParams,
    Date,
    Math,
    Number,
    Object,
    Promise,
    Error,
    encodeURIComponent,
    console,
  };
  let thrown: unknown;
  try {
    runInNewContext(SCRIPT, context);
  } catch (error) {
    thrown = error;
  }
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 500))]);
  return { fetched, timers, thrown, status: document.querySelector("#status") as { textContent: string; className: string } };
}

describe("dashboard URL parameters", () => {
  it("a refresh that is not a number polls at the default pace, not in a loop", async () => {
    for (const refresh of ["abc", "NaN", "Infinity", "1e12", "-5"]) {
      const page = await openDashboard(`?refresh=${refresh}`);
      expect(page.timers, refresh).toHaveLength(1);
      const delay = page.timers[0]!;
      expect(Number.isFinite(delay) && delay >= 2000 && delay <= MAX_TIMER_MS, `refresh=${refresh}: next poll in ${delay} ms`).toBe(true);
    }
    expect((await openDashboard("?refresh=abc")).timers).toEqual([15_000]);
    expect((await openDashboard("?refresh=60")).timers).toEqual([60_000]);
  });

  it("a range that is not one of the page's loads the default range instead of stopping", async () => {
    for (const range of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      const page = await openDashboard(`?range=${range}`);
      expect(page.thrown, range).toBeUndefined();
      expect(page.fetched, range).toHaveLength(2);
      expect(page.status.className, range).toBe("");
      expect(page.timers, range).toHaveLength(1);
    }
    const week = await openDashboard("?range=7d");
    const from = Date.parse(decodeURIComponent(/from=([^&]+)/.exec(week.fetched[0]!)![1]!));
    expect(Date.now() - from).toBeGreaterThan(6.9 * 86_400_000);
  });
});
