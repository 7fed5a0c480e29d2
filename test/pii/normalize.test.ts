/**
 * The copy of a text the recognizers scan, and the way from its offsets back to the text as written.
 */
import { describe, expect, it } from "vitest";
import { normalizedValue, normalizeForScan } from "../../src/pii/normalize.js";

/** The original span of the copy's [start, end). */
function original(text: string, start: number, end: number): string {
  const normalized = normalizeForScan(text)!;
  const [entity] = normalized.toOriginal([{ type: "T", start, end, score: 1 }]);
  return text.slice(entity!.start, entity!.end);
}

describe("normalizeForScan", () => {
  it("leaves ASCII and text that is already normal alone", () => {
    expect(normalizeForScan("mail ann@example.com")).toBeUndefined();
    expect(normalizeForScan("José’s café, 東京")).toBeUndefined();
  });

  it("folds full-width forms and drops invisible characters", () => {
    expect(normalizeForScan("＋８１\u200b９０－１\u00ad２\u2060３\ufeff")?.text).toBe("+8190-123");
  });

  it("maps a character that became several back to that character whole", () => {
    // ㍿ is 株式会社: any part of the four is the one character as written.
    expect(normalizeForScan("a ㍿ b")?.text).toBe("a 株式会社 b");
    expect(original("a ㍿ b", 3, 4)).toBe("㍿");
    expect(original("a ㍿ b", 2, 8)).toBe("㍿ b");
  });

  it("maps a character written with combining marks or a surrogate pair back to all its code units", () => {
    expect(normalizeForScan("Jose\u0301 𝟒𝟐")?.text).toBe("José 42");
    expect(original("Jose\u0301 𝟒𝟐", 0, 4)).toBe("Jose\u0301");
    expect(original("Jose\u0301 𝟒𝟐", 5, 7)).toBe("𝟒𝟐");
  });

  it("keeps invisible characters inside a span and leaves those at its edges out", () => {
    const text = "\u200bann\u200b@x.io\u200b";
    expect(normalizeForScan(text)?.text).toBe("ann@x.io");
    expect(original(text, 0, 8)).toBe("ann\u200b@x.io");
  });
});

describe("normalizedValue", () => {
  it("reads a value as the recognizers do", () => {
    expect(normalizedValue("４１１１\u00ad１１１１")).toBe("41111111");
    expect(normalizedValue("٤١١١ ४१११")).toBe("4111 4111");
    expect(normalizedValue("4111")).toBe("4111");
  });
});
