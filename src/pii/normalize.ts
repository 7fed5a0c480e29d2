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
import { Buffer } from "node:buffer";
import { NO_DEADLINE, PiiScanError, type Deadline } from "./budget.js";
import type { Entity } from "./entity.js";

export interface NormalizeLimits {
  /** Normalising is part of the scan and spends its budget: a hostile text fails like a slow scan. */
  deadline?: Deadline;
  /**
   * The longest copy allowed (the policy's `max_text_chars`): one character may read as 18 (U+FDFA),
   * so a text under the limit can still make a copy far over it.
   */
  maxChars?: number;
}

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
const WIDE = /[^\x00-\xFF]/;
/**
 * An invisible character or a digit other than 0-9: none is ASCII. One pass for both, and the ASCII
 * test first: two passes with only the property classes took ~1.3 ms on a 100 KB two-byte text, as
 * long as the rest of normalising it.
 */
const INVISIBLE_OR_OTHER_DIGIT = /(?![\x00-\x7F])[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Nd}]/u;
const INVISIBLES = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** Decimal digits NFKC keeps: Arabic-Indic, Devanagari, Bengali, Thai and the others. */
const OTHER_DIGIT = /(?![0-9])\p{Nd}/u;
const OTHER_DIGITS = /(?![0-9])\p{Nd}/gu;
const MARK = /^\p{M}$/u;
const ASCII_ALNUM = /^[A-Za-z0-9]$/;
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
/** Characters tested by normalising them at once (~1 ms; U+FDFA makes 18 of each). */
const TEST_CHUNK = 64 * 1024;
/** Clusters normalised between two looks at the deadline: often enough for ~1 ms, rare enough to cost nothing. */
const CLUSTERS_PER_CHECK = 1024;

/**
 * The copy of `text` the recognizers should scan, or undefined when it is `text` itself. Pure ASCII
 * (most traffic) costs one test; other text that is already normal one `normalize` more.
 *
 * Throws `PiiScanError` when `limits.deadline` passes or the copy outgrows `limits.maxChars`.
 *
 * @example
 * const n = normalizeForScan("card ４１１１\u200b１１１１"); // n.text === "card 41111111"
 * n.toOriginal([{ type: "CREDIT_CARD", start: 5, end: 13, score: 1 }]); // start 5, end 14
 */
export function normalizeForScan(text: string, limits: NormalizeLimits = {}): NormalizedText | undefined {
  const { deadline = NO_DEADLINE, maxChars = Infinity } = limits;
  if (!NON_ASCII.test(text)) return undefined;
  if (!INVISIBLE_OR_OTHER_DIGIT.test(text) && isNormal(text, deadline)) return undefined;
  // For each unit of the copy: where its cluster starts and ends in `text`.
  // Typed and grown by doubling: a number[] pushed a unit at a time was most of the cost of a long text.
  let starts = new Int32Array(text.length + 16);
  let ends = new Int32Array(text.length + 16);
  let units = 0;
  const room = (more: number) => {
    if (units + more <= starts.length) return;
    const size = Math.max(2 * starts.length, units + more);
    const [s, e] = [new Int32Array(size), new Int32Array(size)];
    s.set(starts.subarray(0, units));
    e.set(ends.subarray(0, units));
    [starts, ends] = [s, e];
  };
  let copy = "";
  let clusters = 0;
  const grow = (more: string) => {
    copy += more;
    if (copy.length > maxChars) {
      throw new PiiScanError("text_too_long", `text of ${text.length} characters reads as more than the PII scan limit of ${maxChars}`);
    }
  };
  const append = (normal: string, start: number, end: number) => {
    grow(normal);
    room(normal.length);
    for (let i = 0; i < normal.length; i++) {
      starts[units] = start;
      ends[units++] = end;
    }
    if (++clusters % CLUSTERS_PER_CHECK === 0) deadline.check();
  };
  const copyAsIs = (from: number, until: number) => {
    grow(text.slice(from, until));
    room(until - from);
    for (let i = from; i < until; i++) {
      starts[units] = i;
      ends[units++] = i + 1;
    }
  };
  // Where in the copy an ASCII letter or digit composed with its marks ("m\u0301" is "ḿ") starts.
  const markedAscii = new Set<number>();
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
      if (next > start + 1 && ASCII_ALNUM.test(text[start]!)) markedAscii.add(copy.length);
      append(asRead(text.slice(start, next)), start, next);
      start = next;
    }
    copied = end;
  }
  copyAsIs(copied, text.length);
  return {
    text: oneByteIfLatin1(copy),
    toOriginal: (entities) =>
      entities.map((entity) => {
        const { start, end } = overMarkedAscii(entity, markedAscii);
        const from = start < units ? starts[start]! : text.length;
        return { ...entity, start: from, end: end > start ? ends[end - 1]! : from };
      }),
  };
}

/**
 * `copy` one byte a character when it has no character above U+00FF. Built from slices of a two-byte
 * text, it is two-byte even when normalising took out every such character (a zero-width space,
 * full-width digits), and V8 runs the recognizers' patterns several times slower on those.
 */
function oneByteIfLatin1(copy: string): string {
  return WIDE.test(copy) ? copy : Buffer.from(copy, "latin1").toString("latin1");
}

/**
 * Whether NFKC leaves `text` as it is, tested a chunk at a time: normalising it whole cannot stop on
 * the deadline, and 1M × U+FDFA makes 18M characters of it. A chunk ends before a character that
 * starts a cluster, so nothing that composes across the cut is tested apart.
 */
function isNormal(text: string, deadline: Deadline): boolean {
  for (let from = 0; from < text.length; ) {
    let to = Math.min(text.length, from + TEST_CHUNK);
    while (to < text.length && !startsCluster(text, to)) to++;
    const chunk = text.slice(from, to);
    if (chunk.normalize("NFKC") !== chunk) return false;
    deadline.check();
    from = to;
  }
  return true;
}

/** Not a combining mark, the second half of a surrogate pair or a Hangul vowel or final jamo. */
function startsCluster(text: string, at: number): boolean {
  const unit = text.charCodeAt(at);
  if (isLowSurrogate(text, at) || (unit >= 0x1160 && unit <= 0x11ff) || (unit >= 0xd7b0 && unit <= 0xd7ff)) return false;
  return !startsWithMark(text, at, text.length);
}

/**
 * `entity` over the composed ASCII character just before or after it: "ann@example.com\u0301" reads
 * as "…coḿ", which the email pattern ends before, but the "m" is the value's and must not stay behind.
 */
function overMarkedAscii(entity: Entity, markedAscii: ReadonlySet<number>): { start: number; end: number } {
  let { start, end } = entity;
  if (markedAscii.size === 0) return { start, end };
  if (markedAscii.has(end)) end++;
  if (start > 0 && markedAscii.has(start - 1)) start--;
  return { start, end };
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
