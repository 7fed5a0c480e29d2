/**
 * `from`/`to` of `/v1/usage` and its export are ISO 8601 or epoch times. Anything else went to
 * JavaScript's Date.parse, whose fallback parser takes almost any text: `2025/06/01` or `June 1 2025`
 * were read in the server's time zone (a different range on each replica), `-5` became May 2001 and
 * `2025-02-30` silently became March 2nd. Such values are a 400 naming the parameter.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors.js";
import { parseUsageExportQuery, parseUsageQuery } from "../../src/usage/query.js";
import { inServerTimeZone } from "../support/time-zone.js";

const NOW = Date.UTC(2025, 6, 1);
const iso = (ms: number) => new Date(ms).toISOString();

function rejects(params: Record<string, string>, param: string) {
  for (const parse of [parseUsageQuery, parseUsageExportQuery]) {
    let caught: unknown;
    try {
      parse(params, NOW);
    } catch (error) {
      caught = error;
    }
    expect(caught, JSON.stringify(params)).toBeInstanceOf(GatewayError);
    expect(caught, JSON.stringify(params)).toMatchObject({ status: 400, param });
  }
}

describe("usage query instants", () => {
  inServerTimeZone("America/New_York");

  it("that are not ISO 8601 or an epoch time are a 400, not a guess in the server's time zone", () => {
    for (const text of ["2025/06/01", "June 1 2025", "Sun Jun 01 2025 00:00:00", "06/01/2025", "-5", "1 2", "foo 2025", "2025-06-01T00:00:00 PST"]) {
      rejects({ from: text, to: "2025-06-30T00:00:00Z" }, "from");
    }
    rejects({ from: "2025-06-01T00:00:00Z", to: "2025.06.02" }, "to");
  });

  it("naming a day or time that does not exist are a 400, not rolled over into the next month", () => {
    for (const text of ["2025-02-30", "2025-02-29T00:00:00Z", "2025-04-31T12:00", "2025-13-01", "2025-06-01T25:00:00Z", "2025-06-01T12:60Z"]) {
      rejects({ from: text, to: "2025-06-30T00:00:00Z" }, "from");
    }
  });

  it("in ISO 8601 or epoch form still mean the same UTC instant on every server", () => {
    const cases: Array<[string, string]> = [
      ["2025-06-01", "2025-06-01T00:00:00.000Z"],
      ["2025-06-01T06:30", "2025-06-01T06:30:00.000Z"],
      ["2025-06-01 06:30:15", "2025-06-01T06:30:15.000Z"],
      ["2025-06-01t06:30:15.250z", "2025-06-01T06:30:15.250Z"],
      ["2025-06-01T06:30:15Z", "2025-06-01T06:30:15.000Z"],
      ["2025-06-01T06:30:15+02:00", "2025-06-01T04:30:15.000Z"],
      ["2025-06-01T06:30:15-0130", "2025-06-01T08:00:15.000Z"],
      ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
      [" 2025-06-01T06:30:15Z ", "2025-06-01T06:30:15.000Z"],
      ["1748736000", "2025-06-01T00:00:00.000Z"],
      ["1748736000000", "2025-06-01T00:00:00.000Z"],
    ];
    for (const [text, expected] of cases) {
      expect(iso(parseUsageExportQuery({ from: text, to: "2025-06-30T00:00:00Z" }, NOW).fromMs), text).toBe(expected);
    }
  });
});
