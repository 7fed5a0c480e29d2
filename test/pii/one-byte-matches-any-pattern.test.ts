/**
 * `oneByteMatcher` is written for the name, address and national-ID patterns, but takes any pattern with
 * the `g` and `u` flags: one a caller adds later must give the matches it gives in the text as written,
 * including astral characters written as escapes.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { forEachMatch, ownRegex } from "../../src/pii/recognizers/matches.js";
import { oneByteMatcher, readClass } from "../../src/pii/recognizers/one-byte-matches.js";

type Found = [index: number, text: string];

const asWritten = (regex: RegExp, text: string) => {
  const found: Found[] = [];
  forEachMatch(ownRegex(regex), text, NO_DEADLINE, (m) => found.push([m.index, m[0]]));
  return found;
};

/** Through the one-byte copy; throws past `limit` visits, so a matcher that stops advancing fails instead of hanging. */
const viaCopy = (regex: RegExp, text: string, limit = 10_000) => {
  const found: Found[] = [];
  oneByteMatcher(regex)(text, NO_DEADLINE, (m) => {
    if (found.length >= limit) throw new Error(`more than ${limit} matches: the matcher does not advance`);
    found.push([m.index, m[0]]);
  });
  return found;
};

const padded = (s: string) => `................${s}................`;

describe("an astral character written as a surrogate-pair escape", () => {
  it("is one character the pattern reads", () => {
    const reads = readClass(/a\uD83D\uDE00b/u)!;
    expect(reads.test("😀")).toBe(true);
    expect(reads.test("\ud83d")).toBe(false);
  });

  it("is found where the text has it", () => {
    const text = padded("a😀b");
    expect(asWritten(/a\uD83D\uDE00b/gu, text)).toEqual([[16, "a😀b"]]);
    expect(viaCopy(/a\uD83D\uDE00b/gu, text)).toEqual([[16, "a😀b"]]);
  });
});
