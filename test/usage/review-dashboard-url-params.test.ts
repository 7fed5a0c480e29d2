/**
 * The dashboard reads `?refresh=<seconds>` and `?range=<1h|24h|7d|30d>` from its own URL, so anyone
 * can hand an operator a link with any value in them. A value that is not a sane number or range
 * must fall back to the default, not make the page poll `/v1/usage` in a tight loop (a NaN or
 * overflowing delay runs the timer at once) or stop it loading (a `range` naming an Object method).
 *
 * Runs the page's script in a small fake DOM (dashboard-page.ts), no browser needed.
 */
import { describe, expect, it } from "vitest";
import { openDashboard } from "./dashboard-page.js";

/** Largest delay setTimeout honours; beyond it browsers (and Node) fire the timer at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
