/**
 * Usage buckets are UTC. A `from`/`to` written without a UTC offset must mean the same instant on every
 * replica, whatever the server's time zone; JavaScript's Date.parse reads such a date-time as local time.
 */
import { describe, expect, it } from "vitest";
import { parseUsageQuery } from "../../src/usage/query.js";
import { inServerTimeZone } from "../support/time-zone.js";

describe("usage query instants without a UTC offset", () => {
  inServerTimeZone("America/New_York");

  it("are read as UTC, like the buckets and the answer's own timestamps", () => {
    const query = parseUsageQuery({ from: "2025-06-01T00:00:00", to: "2025-06-02T00:00", granularity: "day" }, Date.UTC(2025, 6, 1));
    expect(new Date(query.fromMs).toISOString()).toBe("2025-06-01T00:00:00.000Z");
    expect(new Date(query.toMs).toISOString()).toBe("2025-06-02T00:00:00.000Z");
  });

  it("still honour an explicit offset", () => {
    const query = parseUsageQuery({ from: "2025-06-01T00:00:00+02:00", to: "2025-06-02T00:00:00.000Z" }, Date.UTC(2025, 6, 1));
    expect(new Date(query.fromMs).toISOString()).toBe("2025-05-31T22:00:00.000Z");
  });
});
