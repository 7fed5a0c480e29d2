/**
 * Text as a cloud model reads it. A model reads "４１１１－１１１１", "4\u200b111" and "Jo\u00adhn" as
 * "4111-1111", "4111" and "John", so the recognizers must too: they scan a copy with compatibility
 * forms folded (NFKC: full-width digits and letters, ＠ and ．, ligatures, no-break spaces) and
 * invisible characters removed (format characters such as zero-width spaces and joiners, soft hyphens,
 * word joiners and byte-order marks, and the other default-ignorable code points), and the decimal
 * digits of other scripts (Arabic-Indic "٤١١١", Devanagari "४१११") read as 0-9. What they find is
 * mapped back to the text as written, so the span that is rewritten holds the hidden characters too.
 *
 * Each character with its combining marks is normalised on its own, which is what makes the way back
 * exact: every unit of the copy comes from one such cluster, and a finding covers its clusters whole.
 */
import type { Entity } from "./entity.js";

export interface NormalizedText {
  /** The copy the recognizers scan. */
  readonly text: string;
  /**
   * `entities` (offsets into `text`) with offsets into the text as written: a finding starts where the
   * cluster of its first unit starts and ends after the last code unit of the cluster of its last.
   * Findings that now share a cluster may overlap: resolve them again.
   */
  toOriginal(entities: readonly Entity[]): Entity[];
}

const NON_ASCII = /[^\x00-\x7F]/;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const INVISIBLES = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** Decimal digits NFKC keeps: Arabic-Indic, Devanagari, Bengali, Thai and the others. */
const OTHER_DIGIT = /(?![0-9])\p{Nd}/u;
const OTHER_DIGITS = /(?![0-9])\p{Nd}/gu;
const MARK = /^\p{M}$/u;
/**
 * Runs of what normalisation may change: combining marks, and the non-ASCII characters NFKC may
 * change (Changes_When_NFKC_Casefolded holds every one of them, and capitals besides), invisible ones
 * and digits. Kana, kanji, accented letters and punctuation between them are copied as they are, so
 * the regex engine skips them rather than a loop here.
 */
const CHANGING_RUNS = /(?:(?![\x00-\x7F])[\p{Changes_When_NFKC_Casefolded}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Nd}\p{M}])+/gu;
/** Full-width ASCII (U+FF01-FF5E), what Japanese, Chinese and Korean input methods type: NFKC by arithmetic. */
const FULL_WIDTH_FIRST = 0xff01;
const FULL_WIDTH_LAST = 0xff5e;
const FULL_WIDTH_OFFSET = 0xfee0;

/**
 * The copy of `text` the recognizers should scan, or undefined when it is `text` itself. Pure ASCII
 * (most traffic) costs one test; other text that is already normal one `normalize` more.
 *
 * @example
 * const n = normalizeForScan("card ４１１１\u200b１１１１"); // n.text === "card 41111111"
 * n.toOriginal([{ type: "CREDIT_CARD", start: 5, end: 13, score: 1 }]); // start 5, end 14
 */
export function normalizeForScan(text: string): NormalizedText | undefined {
  if (!NON_ASCII.test(text)) return undefined;
  if (!INVISIBLE.test(text) && !OTHER_DIGIT.test(text) && text.normalize("NFKC") === text) return undefined;
  // For each unit of the copy: where its cluster starts and ends in `text`.
  const starts: number[] = [];
  const ends: number[] = [];
  let copy = "";
  const append = (normal: string, start: number, end: number) => {
    copy += normal;
    for (let i = 0; i < normal.length; i++) {
      starts.push(start);
      ends.push(end);
    }
  };
  const copyAsIs = (from: number, until: number) => {
    copy += text.slice(from, until);
    for (let i = from; i < until; i++) {
      starts.push(i);
      ends.push(i + 1);
    }
  };
  let copied = 0;
  for (const run of text.matchAll(CHANGING_RUNS)) {
    const end = run.index + run[0].length;
    let first = run.index;
    // Marks belong to the character before them ("e\u0301" is "é"), even one that would stay as it is.
    if (first > copied && startsWithMark(text, first, end)) first -= isLowSurrogate(text, first - 1) && first - 2 >= copied ? 2 : 1;
    copyAsIs(copied, first);
    // One cluster at a time: a character (both halves of a surrogate pair) and the marks after it.
    for (let start = first; start < end; ) {
      const unit = text.charCodeAt(start);
      if (unit >= FULL_WIDTH_FIRST && unit <= FULL_WIDTH_LAST && !startsWithMark(text, start + 1, end)) {
        append(String.fromCharCode(unit - FULL_WIDTH_OFFSET), start, start + 1);
        start++;
        continue;
      }
      let next = start + codePointLength(text, start);
      while (next < end && startsWithMark(text, next, end)) next += codePointLength(text, next);
      append(asRead(text.slice(start, next)), start, next);
      start = next;
    }
    copied = end;
  }
  copyAsIs(copied, text.length);
  return {
    text: copy,
    toOriginal: (entities) =>
      entities.map((entity) => ({
        ...entity,
        start: starts[entity.start] ?? text.length,
        end: entity.end > entity.start ? ends[entity.end - 1]! : (starts[entity.start] ?? text.length),
      })),
  };
}

function codePointLength(text: string, at: number): number {
  return text.codePointAt(at)! > 0xffff ? 2 : 1;
}

function isLowSurrogate(text: string, at: number): boolean {
  const unit = text.charCodeAt(at);
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function startsWithMark(text: string, at: number, end: number): boolean {
  if (at >= end) return false;
  const unit = text.charCodeAt(at);
  // No combining mark below U+0300 or among the full-width forms: skip the regex for the usual cases.
  if (unit < 0x300 || (unit >= FULL_WIDTH_FIRST && unit <= FULL_WIDTH_LAST)) return false;
  return MARK.test(text.slice(at, at + codePointLength(text, at)));
}

/**
 * `value` as the recognizers read it: one spelling for a value written plainly, full-width or with
 * invisible characters inside, so all of them get one placeholder and one hash.
 *
 * @example normalizedValue("４１１１\u00ad１１１１") // "41111111"
 */
export function normalizedValue(value: string): string {
  return NON_ASCII.test(value) ? asRead(value) : value;
}

function asRead(s: string): string {
  const normal = s.replace(INVISIBLES, "").normalize("NFKC");
  return OTHER_DIGIT.test(normal) ? normal.replace(OTHER_DIGITS, digitValue) : normal;
}

/**
 * The value of a decimal digit: Unicode keeps each script's digits 0-9 in ten consecutive code points,
 * so it is the distance from the first digit of the run it is in (mod 10 for runs of several sets).
 */
function digitValue(digit: string): string {
  const code = digit.codePointAt(0)!;
  let zero = code;
  while (OTHER_DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
  return String((code - zero) % 10);
}
