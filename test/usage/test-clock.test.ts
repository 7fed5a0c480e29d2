/**
 * Test gateways read usage and budgets through a clock held within the month they started in, so a
 * test that spends a budget and expects the 429 next does not meet a new month's empty budget when it
 * runs across midnight on the 1st (UTC).
 */
import { afterEach, expect, it, vi } from "vitest";
import { clockWithinThisMonth } from "../support/gateway.js";

afterEach(() => {
  vi.useRealTimers();
});

it("follows the real time within the month and holds at its last millisecond past it", () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.UTC(2026, 11, 31, 23, 59, 58));
  const clock = clockWithinThisMonth();
  expect(clock()).toBe(Date.UTC(2026, 11, 31, 23, 59, 58));
  vi.setSystemTime(Date.UTC(2027, 0, 1, 0, 0, 3));
  expect(clock()).toBe(Date.UTC(2027, 0, 1) - 1);
});
