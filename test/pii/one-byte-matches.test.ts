/**
 * A text with one character above U+00FF (an en dash, a curly quote, an emoji) is stored two bytes a
 * character, on which the name, address and national-ID patterns ran 4-15× slower: their matches are
 * now found in a one-byte copy of the text, and around the characters they read, in the text itself.
 * Whatever the text, the matches must be the ones the pattern finds in the text as written.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { forEachMatch, ownRegex } from "../../src/pii/recognizers/matches.js";
import { ADDRESS, RUN } from "../../src/pii/recognizers/names.js";
import { NATIONAL_ID_SHAPES } from "../../src/pii/recognizers/national-ids.js";
import { oneByteMatcher, oneByteText, readClass } from "../../src/pii/recognizers/one-byte-matches.js";

type Found = [index: number, text: string, groups: (string | undefined)[]];

const asWritten = (regex: RegExp, text: string) => {
  const found: Found[] = [];
  forEachMatch(ownRegex(regex), text, NO_DEADLINE, (m) => found.push([m.index, m[0], m.slice(1)]));
  return found;
};

const viaCopy = (regex: RegExp, text: string, shared = false) => {
  const found: Found[] = [];
  oneByteMatcher(regex)(text, NO_DEADLINE, (m) => found.push([m.index, m[0], m.slice(1)]), shared ? oneByteText(text) : undefined);
  return found;
};

/** Deterministic pseudo-random texts from pieces the patterns read and pieces they do not. */
function texts(count: number, seed: number): string[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const pieces = [
    "Maria", "Gonzalez", "O’Brien", "O'Brien", "Jean-Luc", "SMITH", "JOHN", "Łukasz", "Żaneta", "Zoë", "Émile", "İlkay",
    "Hauptstraße 12", "42 Elm Street", "Springfield, IL 62704", "SW1A 1AA", "12 rue de la Paix", "Dr.", "Mr", "J.",
    "12345678Z", "X1234567L", "AB 12 34 56 C", "RSSMRA85T10A562S", "1 85 12 75 108 042 36", "12.345.678-Z", "4111",
    " ", " ", " ", "  ", "\n", ", ", ". ", "-", "–", "‒", "—", "’", "‘", "“", "”", "…", "€", "😀", "👍🏽", "漢字", "日本",
    "\u00a0", "\u202f", "\u2007", "\u2011", "\u2212", "\u200b", "𝐀𝐁", "Ω", "Жанна", "\ud800", "\udc00", "x", "7", "_", "ſ", "K",
  ];
  return Array.from({ length: count }, () => Array.from({ length: 4 + Math.floor(random() * 40) }, () => pick(pieces)).join(""));
}

describe("matches found in a one-byte copy", () => {
  const patterns: [string, RegExp][] = [
    ["names", RUN],
    ["addresses", ADDRESS],
    ["national identity numbers", NATIONAL_ID_SHAPES],
    ["a word boundary and a look-behind", /\b(?<![\p{L}-])\p{Lu}\p{Ll}+(?: \p{Lu}\p{Ll}+)*(?!\p{L})/gu],
    ["case-blind words", /(?<![\p{L}])(?:straße|dr)\.?(?![\p{L}])/giu],
    ["a word boundary after", /\p{Lu}\p{Ll}+\b/gu],
  ];

  it.each(patterns)("are the matches as written, for %s", (_name, regex) => {
    for (const text of texts(600, 7)) {
      const expected = asWritten(regex, text);
      expect(viaCopy(regex, text)).toEqual(expected);
      expect(viaCopy(regex, text, true)).toEqual(expected);
    }
  });

  it("are the matches as written in long texts around every kind of character", () => {
    const long = texts(200, 11).join("\n");
    for (const [, regex] of patterns) expect(viaCopy(regex, long)).toEqual(asWritten(regex, long));
  });

  it("leave the pattern rewound and stop when the deadline passes", () => {
    const matcher = oneByteMatcher(/\p{Lu}/gu);
    const expired = { check: () => { throw new Error("over budget"); } };
    expect(() => matcher("A–".repeat(200), expired, () => {})).toThrow("over budget");
    const found: string[] = [];
    matcher("Ab – Cd", NO_DEADLINE, (m) => found.push(m[0]));
    expect(found).toEqual(["A", "C"]);
  });
});

describe("the characters a pattern reads", () => {
  it("are those of its classes, escapes and literals, look-arounds included, and \\w for a word boundary", () => {
    const reads = readClass(/\b(?<![\p{L}.])[A-Z]['’-]x{2,3}(?=\s)/u)!;
    for (const c of ["A", "Ł", ".", "’", "'", "-", "x", "\u00a0", "_", "7"]) expect(reads.test(c)).toBe(true);
    for (const c of ["–", "😀", ",", "\u0000", "{", "}"]) expect(reads.test(c)).toBe(false);
  });

  it("follow the pattern's case-blindness", () => {
    expect(readClass(/k/iu)!.test("\u212a")).toBe(true); // KELVIN SIGN folds to k
    expect(readClass(/k/u)!.test("\u212a")).toBe(false);
  });

  it("are not worked out where the text's edges count or the syntax is not read", () => {
    expect(readClass(/^\p{L}/u)).toBeUndefined();
    expect(readClass(/\p{L}$/mu)).toBeUndefined();
    expect(readClass(/[a-z]/g)).toBeUndefined();
  });
});
