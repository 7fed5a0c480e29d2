/**
 * The export's numbers as finance tools read them: plain decimals. `6.5e-8` (how JavaScript prints
 * a 65-nano-dollar cost) is refused or misread by strict decimal importers, and `85.61988100000235`
 * ms carries float noise no one measured.
 */
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvHeader, recordToCsv } from "../../src/usage/csv.js";
import { makeRecord } from "./fixtures.js";

function row(overrides: Parameters<typeof makeRecord>[0]): Record<string, string> {
  const record = { ...makeRecord(overrides), costUsd: 0.000000065, baselineCostUsd: 0.0000021, savingsUsd: -0.000000065 + 0.0000021 };
  return (parse(csvHeader() + recordToCsv({ ...record, confidence: 0.0000001234, ttftMs: 12.000000000001, totalMs: 85.61988100000235 }), { columns: true }) as Array<Record<string, string>>)[0]!;
}

describe("CSV export numbers", () => {
  it("are plain decimals: money to the nano-dollar, times to the microsecond, no exponent", () => {
    const cells = row({});
    expect(cells).toMatchObject({
      cost_usd: "0.000000065",
      baseline_cost_usd: "0.0000021",
      savings_usd: "0.000002035",
      confidence: "0.000000123",
      ttft_ms: "12",
      total_ms: "85.62",
    });
    for (const value of Object.values(cells)) expect(value).not.toMatch(/^-?\d+(\.\d+)?e[-+]?\d+$/i);
  });

  it("write a negative saving as a number, not as text guarded against formulas", () => {
    const text = recordToCsv({ ...makeRecord({}), costUsd: 0.000003, baselineCostUsd: 0.000001, savingsUsd: -0.000002 });
    expect(text).toContain(",-0.000002,");
    expect(text).not.toContain("'-0.000002");
  });
});
