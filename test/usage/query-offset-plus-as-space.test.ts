/**
 * `curl '…/v1/usage?from=2025-06-01T00:00:00+02:00'` is how most people first ask for a range in their
 * time zone; the query string turns the unencoded `+` into a space, and the 400 said only "must be an
 * ISO 8601 date-time", which the value the user typed is. The error now says what happened and how to
 * send the offset.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors.js";
import { parseUsageExportQuery, parseUsageQuery } from "../../src/usage/query.js";

const NOW = Date.UTC(2025, 6, 1);

/** The parameters as the server reads them from a query string written by hand. */
const fromQuery = (query: string): Record<string, string> => Object.fromEntries(new URLSearchParams(query));

function errorOf(parse: () => unknown): GatewayError {
  try {
    parse();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("a '+hh:mm' offset sent unencoded in the query string", () => {
  it("is a 400 that says the '+' arrived as a space and how to send it", () => {
    for (const query of ["from=2025-06-01T00:00:00+02:00", "from=2025-06-01T00:00+0530", "from=2025-06-01 00:00:00.5+01:00"]) {
      for (const parse of [parseUsageQuery, parseUsageExportQuery]) {
        const error = errorOf(() => parse(fromQuery(query), NOW));
        expect(error.status, query).toBe(400);
        expect(error.param, query).toBe("from");
        expect(error.message, query).toMatch(/'\+'.*space.*%2B/);
      }
    }
  });

  it("encoded as %2B is read as the offset", () => {
    expect(parseUsageQuery(fromQuery("from=2025-06-01T00:00:00%2B02:00"), NOW).fromMs).toBe(Date.UTC(2025, 4, 31, 22));
  });

  it("does not turn other malformed values into that hint", () => {
    const error = errorOf(() => parseUsageQuery(fromQuery("from=June+1+2025"), NOW));
    expect(error.message).not.toMatch(/%2B/);
  });
});
