/**
 * The PII scan's budget (`scan.budget_ms`) fails closed a text that costs that much to read, not a
 * short one whose scan waited for CPU: in a container throttled at its CPU limit or on a saturated
 * host, ~10 ms of work took over 250 ms of wall time and the request was refused (503
 * pii_scan_failed). A fixed grace past the budget in wall time the scan fails anyway, since it holds
 * the event loop meanwhile. Clocks are the test's own: no timing of this machine.
 */
import { describe, expect, it } from "vitest";
import { deadlineIn, PiiScanError, STARVED_GRACE_MS } from "../../src/pii/budget.js";

function clocks() {
  const t = { wall: 0, cpu: 0 };
  return { t, clocks: { wall: () => t.wall, cpu: () => t.cpu } };
}

describe("a scan's deadline", () => {
  it("is not spent by waiting: wall time past the budget with little CPU used", () => {
    const { t, clocks: c } = clocks();
    const deadline = deadlineIn(250, c);
    t.wall = 450;
    t.cpu = 20;
    expect(() => deadline.check()).not.toThrow();
  });

  it("is spent once the scan has had its budget of CPU too", () => {
    const { t, clocks: c } = clocks();
    const deadline = deadlineIn(250, c);
    t.wall = 300;
    t.cpu = 251;
    expect(() => deadline.check()).toThrow(PiiScanError);
  });

  it("is spent at the budget on a host that gives the process its CPU (or more, other threads working)", () => {
    const { t, clocks: c } = clocks();
    const deadline = deadlineIn(250, c);
    t.wall = 249;
    t.cpu = 400;
    expect(() => deadline.check()).not.toThrow();
    t.wall = 251;
    expect(() => deadline.check()).toThrow(PiiScanError);
  });

  it("is spent a fixed grace past the budget in wall time, whatever the CPU clock says (the scan holds the event loop)", () => {
    const { t, clocks: c } = clocks();
    const deadline = deadlineIn(250, c);
    t.wall = 250 + STARVED_GRACE_MS - 1;
    expect(() => deadline.check()).not.toThrow();
    t.wall = 250 + STARVED_GRACE_MS + 1;
    expect(() => deadline.check()).toThrow(/250 ms budget/);
  });

  it("reads the CPU clock at most once per millisecond past the wall budget", () => {
    let cpuReads = 0;
    const t = { wall: 0 };
    const deadline = deadlineIn(250, { wall: () => t.wall, cpu: () => (cpuReads++, 0) });
    const readsAtStart = cpuReads;
    t.wall = 300;
    for (let i = 0; i < 10_000; i++) deadline.check();
    expect(cpuReads - readsAtStart).toBe(1);
  });
});
