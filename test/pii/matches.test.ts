import { describe, expect, it } from "vitest";
import { NO_DEADLINE, PiiScanError } from "../../src/pii/budget.js";
import { forEachMatch, ownRegex } from "../../src/pii/recognizers/matches.js";

const spans = (regex: RegExp, text: string) => {
  const found: [number, string][] = [];
  forEachMatch(regex, text, NO_DEADLINE, (m) => found.push([m.index, m[0]]));
  return found;
};

describe("forEachMatch", () => {
  it("finds what matchAll finds, empty matches and astral characters included, scan after scan", () => {
    const cases: [RegExp, string][] = [
      [/\d+/g, "a1 22 333 b"],
      [/x*/g, "axxb"],
      [/(?:)/gu, "a😀b"],
      [/\p{Lu}\p{Ll}+/gu, "Émile met Zoë 😀 Ödön"],
    ];
    for (const [pattern, text] of cases) {
      const regex = ownRegex(pattern);
      const expected = [...text.matchAll(pattern)].map((m): [number, string] => [m.index, m[0]]);
      expect(spans(regex, text)).toEqual(expected);
      expect(spans(regex, text)).toEqual(expected);
      expect(regex.lastIndex).toBe(0);
    }
  });

  it("stops when the deadline passes and leaves the regex rewound for the next scan", () => {
    const regex = ownRegex(/\d/g);
    const expired = { check: () => { throw new PiiScanError("budget_exceeded", "over budget"); } };
    expect(() => forEachMatch(regex, "1".repeat(200), expired, () => {})).toThrow(PiiScanError);
    expect(regex.lastIndex).toBe(0);
    expect(spans(regex, "12")).toEqual([[0, "1"], [1, "2"]]);
  });
});
