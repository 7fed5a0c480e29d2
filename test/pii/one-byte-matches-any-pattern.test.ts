/**
 * `oneByteMatcher` is written for the name, address and national-ID patterns, but takes any pattern with
 * the `g` and `u` flags: one a caller adds later must give the matches it gives in the text as written,
 * including patterns that can match the empty string and astral characters written as escapes.
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

describe("a pattern that can match the empty string", () => {
  it("gives the matches as written, stepping over each empty one, instead of finding it again and again", () => {
    const text = padded("a–");
    expect(viaCopy(/x*/gu, text)).toEqual(asWritten(/x*/gu, text));
    expect(asWritten(/x*/gu, text)).toHaveLength(text.length + 1);
  });

  it("gives the matches as written next to characters it reads and does not read, astral ones included", () => {
    let state = 3;
    const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pieces = ["a", "x", "xx", "ł", "–", "😀", "𝐀", " ", ".", "\ud800", "\udc00", "Ł"];
    const texts = Array.from({ length: 400 }, () => Array.from({ length: 1 + Math.floor(random() * 16) }, () => pieces[Math.floor(random() * pieces.length)]).join(""));
    const patterns = [/x*/gu, /(?<!ł)x*/gu, /(?<=ł)x*/gu, /x*(?!a)/gu, /x*(?=ł)/gu, /(?<!a)x?/gu, /(?<![a😀])x*/gu, /\p{Lu}*/gu, /\bx*/gu];
    for (const regex of patterns) for (const text of texts) expect(viaCopy(regex, text), `${regex} on ${JSON.stringify(text)}`).toEqual(asWritten(regex, text));
  });
});

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

describe("the pattern's flags", () => {
  it("must include g: without it every search would start again at the text's start", () => {
    expect(() => oneByteMatcher(/\p{Lu}/u)).toThrow(/global/);
  });
});
