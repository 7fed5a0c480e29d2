/**
 * Text as a model reads it behind its escapes. A cloud model reads `ann.lee%40example.com` in a URL,
 * `ann.lee\u0040example.com` in JSON, `ann.lee&#64;example.com` in HTML and `Jos\xc3\xa9` in a Python
 * bytes literal as the plain values, and URL builders, JSON serializers and HTML templates write them so
 * without anyone choosing to hide anything. The recognizers scan a decoded copy as well as the text:
 * percent-encoding (`%XX`, UTF-8 sequences), JavaScript/JSON/Python escapes (`\uXXXX`, surrogate pairs,
 * `\u{…}`, `\xXX`, behind any number of backslashes, as JSON nested in JSON writes them) and HTML
 * character references (`&#64;`, `&#x40;`, the named ones that spell values: `&commat;`, `&period;`,
 * `&plus;`, `&nbsp;`, `&amp;`, accented letters such as `&eacute;`, …). Escapes that spell escapes
 * (`%2540`, `\u0026#64;`) are decoded again, up to `MAX_ROUNDS` times. What is found is mapped back to
 * the text as written, so the escape sequences themselves are rewritten.
 *
 * Each escape decodes to fewer characters than it takes, so the copy is never longer than the text.
 */
import { Buffer } from "node:buffer";
import { NO_DEADLINE, type Deadline } from "./budget.js";
import type { Entity } from "./entity.js";

export interface DecodedText {
  /** The copy the recognizers scan. */
  readonly text: string;
  /**
   * `entities` (offsets into `text`) with offsets into the text as written: a finding starts where the
   * escape of its first unit starts and ends where the escape of its last ends.
   */
  toOriginal(entities: readonly Entity[]): Entity[];
  /**
   * The parts of `text` within `radius` units of a decoded escape, merged where they meet and widened
   * to the nearest whitespace (up to `radius` more): what a finding the escapes changed can lie in,
   * context words included, so a long text with one escape is not scanned twice whole.
   */
  around(radius: number): Array<[start: number, end: number]>;
}

/** The cheap test: text without any of these (nearly all traffic) costs one regex test. */
const TRIGGER = /%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f{]|\\x[0-9A-Fa-f]{2}|&#[0-9xX]|&[A-Za-z]{2,8};/;
/**
 * One escape, or a run of byte escapes (`%C3%A9`, `\xc3\xa9`) decoded together as UTF-8. Backslashes
 * before `u` or `x` are taken with it: `\\u0040` is `\u0040` escaped once more (JSON in a JSON string).
 * A backslash escape is tried only from the first backslash of a run (the lookbehind): tried from every
 * one, a run of n backslashes cost n² steps inside one regex call, which no deadline can interrupt.
 * The other alternatives are bounded (`&#` takes 7 digits at most) or fail at their first unit.
 */
const ESCAPES =
  /(?:%[0-9A-Fa-f]{2})+|(?<!\\)\\+(?:x[0-9A-Fa-f]{2}(?:\\+x[0-9A-Fa-f]{2})*|u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4})|&#[0-9]{1,7};?|&#[xX][0-9A-Fa-f]{1,6};?|&[A-Za-z]{2,8};/g;
const WHITESPACE = /\s/;
const TRIGGERS = new RegExp(TRIGGER.source, "g");

/**
 * The stretches of `text` within `radius` of an escape, merged, as written; undefined when it has
 * none. Decoding only these (rather than the whole text, with a map of every unit) is what keeps a long
 * text with a few escapes (a password with `%58` in a 100 KB prompt) about as cheap as one without.
 *
 * @example
 * writtenWindows("x".repeat(1000) + "ann%40x.io", 10); // [[990, 1010]]
 */
export function writtenWindows(text: string, radius: number): Array<[start: number, end: number]> | undefined {
  if (!TRIGGER.test(text)) return undefined;
  const windows: Array<[number, number]> = [];
  TRIGGERS.lastIndex = 0;
  for (let match = TRIGGERS.exec(text); match !== null; match = TRIGGERS.exec(text)) {
    const from = Math.max(0, match.index - radius);
    const to = Math.min(text.length, match.index + match[0].length + radius);
    const last = windows[windows.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  return windows;
}
/** Escapes decoding into escapes (`%2540` is `%40`): decoded again, but not without end. */
const MAX_ROUNDS = 3;
/** Escapes decoded between two looks at the deadline. */
const ESCAPES_PER_CHECK = 1024;

/**
 * HTML's named references for characters that make up values (HTML5 names; `&commat;` is what some
 * sites write to keep addresses from scrapers), and letters with a diacritic (`&eacute;` in "Jos&eacute;"),
 * built below from their names.
 */
const NAMED: Readonly<Record<string, string>> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", ensp: "\u2002", emsp: "\u2003", thinsp: "\u2009",
  shy: "\u00ad", zwj: "\u200d", zwnj: "\u200c", commat: "@", period: ".", plus: "+", minus: "\u2212", hyphen: "\u2010",
  dash: "\u2010", ndash: "\u2013", lowbar: "_", colon: ":", semi: ";", comma: ",", sol: "/", bsol: "\\", num: "#",
  percnt: "%", dollar: "$", equals: "=", quest: "?", excl: "!", lpar: "(", rpar: ")", lsqb: "[", rsqb: "]",
  lcub: "{", rcub: "}", ast: "*", verbar: "|", grave: "`", Hat: "^", szlig: "ß", oslash: "ø", Oslash: "Ø",
  aelig: "æ", AElig: "Æ", eth: "ð", ETH: "Ð", thorn: "þ", THORN: "Þ", lstrok: "ł", Lstrok: "Ł", dstrok: "đ", Dstrok: "Đ",
};
/** The diacritic names HTML puts after a letter (`eacute`, `ntilde`, `scaron`), as combining marks. */
const DIACRITICS: Readonly<Record<string, string>> = {
  grave: "\u0300", acute: "\u0301", circ: "\u0302", tilde: "\u0303", macr: "\u0304", breve: "\u0306", dot: "\u0307",
  uml: "\u0308", ring: "\u030a", dblac: "\u030b", caron: "\u030c", cedil: "\u0327", ogon: "\u0328",
};
const LETTER_WITH_DIACRITIC = /^([A-Za-z])(grave|acute|circ|tilde|macr|breve|dot|uml|ring|dblac|caron|cedil|ogon)$/;

/**
 * The decoded copy of `text`, or undefined when it has no escape to decode. Throws `PiiScanError` when
 * `deadline` passes.
 *
 * @example
 * const d = decodeEscapes("mail ann%40x.io"); // d.text === "mail ann@x.io"
 * d.toOriginal([{ type: "EMAIL_ADDRESS", start: 5, end: 13, score: 1 }]); // start 5, end 15
 */
export function decodeEscapes(text: string, deadline: Deadline = NO_DEADLINE): DecodedText | undefined {
  if (!TRIGGER.test(text)) return undefined;
  let copy = text;
  // For each unit of `copy`: where its escape starts and ends in `text`.
  let starts: Int32Array | undefined;
  let ends: Int32Array | undefined;
  for (let round = 0; round < MAX_ROUNDS && (round === 0 || TRIGGER.test(copy)); round++) {
    const decoded = decodeRound(copy, deadline);
    if (decoded === undefined) break;
    // Compose: a unit of this round's copy comes from units [start, end) of the last round's.
    if (starts && ends) {
      for (let i = 0; i < decoded.text.length; i++) {
        const from = decoded.starts[i]!;
        const to = decoded.ends[i]!;
        decoded.starts[i] = starts[from]!;
        decoded.ends[i] = ends[to - 1]!;
      }
    }
    ({ starts, ends } = decoded);
    copy = decoded.text;
  }
  if (!starts || !ends) return undefined;
  const [s, e] = [starts, ends];
  return {
    text: copy,
    around: (radius) => escapeWindows(text, copy, s, e, radius),
    toOriginal: (entities) =>
      entities.map((found) => {
        const entity = { ...found, end: writtenEnd(copy, s, e, found) };
        return {
          ...entity,
          start: entity.start < copy.length ? s[entity.start]! : text.length,
          end: entity.end > entity.start ? e[entity.end - 1]! : entity.start < copy.length ? s[entity.start]! : text.length,
        };
      }),
  };
}

/**
 * Where a finding of the decoded copy ends: before the first `&` or `"` written as itself that follows
 * one of its escapes (for a URL also `'` and whitespace). A value percent-encoded into a query
 * parameter (`redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code`) ends where its
 * parameter does: decoded, the URL would run on over the parameters after it, which are not part of it.
 */
function writtenEnd(copy: string, starts: Int32Array, ends: Int32Array, entity: Entity): number {
  const url = entity.type === "URL";
  let escaped = false;
  for (let i = entity.start; i < entity.end && i < copy.length; i++) {
    if (ends[i]! - starts[i]! !== 1) escaped = true;
    else if (escaped && i > entity.start && (copy[i] === "&" || copy[i] === '"' || (url && (copy[i] === "'" || WHITESPACE.test(copy[i]!))))) return i;
  }
  return entity.end;
}

/**
 * Characters no value is made of and no recognizer reads as context: an escape that decodes to one of
 * them (`&amp;`, `&lt;`, `&raquo;`, `&copy;`, `&euro;` in an HTML page) changes no finding, so its
 * decoded text is not scanned for it; nor one that decodes to a space or dash with no letter or digit
 * beside it (`SPACING`). Not here: letters, digits, `@ . + - _ : / %`, quotes
 * (`&quot;name&quot;: …` is a JSON key to the names recognizer), apostrophes (O’Brien), dashes.
 */
const INERT = new Set(["&", "<", ">", "«", "»", "‹", "›", "„", "“", "”", "©", "®", "™", "€", "£", "¥", "¢", "§", "¶", "°", "•", "·", "…", "†", "‡", "¡", "¿"]);
const SPACING = new Set([" ", "\u00a0", "\u2002", "\u2003", "\u2009", "\u2010", "\u2013", "\u2014", "\u2212"]);
const WORD_UNIT = /[\p{L}\p{N}_]/u;

/**
 * Whether the unit `i` of `copy`, decoded from an escape, can change a finding. An inert character
 * still can when its escape ends in a hex digit or letter glued to the word after it (`%3CKwame`: as
 * written "3CKwame" is no name, decoded "<Kwame" is).
 */
function changesFindings(text: string, copy: string, i: number, end: number): boolean {
  const unit = copy[i]!;
  // A space or dash between words or digits joins or splits them ("4111&nbsp;1111", "Kwame%20Brandt");
  // between spaces and punctuation ("Bar &ndash; Grill", "&nbsp;&mdash;") it joins and splits nothing.
  if (SPACING.has(unit)) return (i > 0 && WORD_UNIT.test(copy[i - 1]!)) || (i + 1 < copy.length && WORD_UNIT.test(copy[i + 1]!));
  if (!INERT.has(unit)) return true;
  const last = text.charCodeAt(end - 1);
  return last !== 0x3b /* ; */ && last !== 0x7d /* } */ && end < text.length && WORD_UNIT.test(text[end]!);
}

function escapeWindows(text: string, copy: string, starts: Int32Array, ends: Int32Array, radius: number): Array<[number, number]> {
  // Escaped units within `radius` of one another share a window (one scan, not one per escape), and
  // so do windows their widening to whitespace could make meet: one pass, each window widened once.
  const windows: Array<[number, number]> = [];
  for (let i = 0; i < copy.length; i++) {
    // A unit written as itself maps to one unit; one decoded from an escape to three or more.
    if (ends[i]! - starts[i]! === 1 || !changesFindings(text, copy, i, ends[i]!)) continue;
    const start = Math.max(0, i - radius);
    const end = Math.min(copy.length, i + 1 + radius);
    const last = windows.at(-1);
    if (last && start <= last[1] + 2 * radius) last[1] = end;
    else windows.push([start, end]);
  }
  for (const window of windows) {
    window[0] = widened(copy, window[0], -1, radius);
    window[1] = widened(copy, window[1], 1, radius);
  }
  return windows;
}

/** `at` moved in `step`'s direction to a whitespace (or the text's edge), at most `limit` units. */
function widened(copy: string, at: number, step: 1 | -1, limit: number): number {
  for (let moved = 0; moved < limit; moved++) {
    if (at <= 0 || at >= copy.length) return Math.max(0, Math.min(copy.length, at));
    if (WHITESPACE.test(copy[step === 1 ? at : at - 1]!)) return at;
    at += step;
  }
  return at;
}

interface Round {
  text: string;
  starts: Int32Array;
  ends: Int32Array;
}

/** Every escape of `text` decoded once; undefined when none decodes to anything. */
function decodeRound(text: string, deadline: Deadline): Round | undefined {
  const starts = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  // The copy's units, written in place (an escape decodes to fewer units than it takes): joining a
  // part per escape and per run between them cost a third of decoding a page of `&eacute;`.
  const units = new Uint16Array(text.length);
  let wide = false;
  let length = 0;
  let copied = 0;
  let escapes = 0;
  // Plain text between escapes is copied as runs, each unit mapping to itself.
  const copyAsIs = (until: number) => {
    for (let i = copied; i < until; i++) {
      const unit = text.charCodeAt(i);
      if (unit > 0xff) wide = true;
      units[length] = unit;
      starts[length] = i;
      ends[length++] = i + 1;
    }
    copied = Math.max(copied, until);
  };
  const emit = (chars: string, start: number, end: number) => {
    copyAsIs(start);
    for (let i = 0; i < chars.length; i++) {
      const unit = chars.charCodeAt(i);
      if (unit > 0xff) wide = true;
      units[length] = unit;
      starts[length] = start;
      ends[length++] = end;
    }
    copied = end;
    if (++escapes % ESCAPES_PER_CHECK === 0) deadline.check();
  };
  ESCAPES.lastIndex = 0;
  let matches = 0;
  for (let match = ESCAPES.exec(text); match !== null; match = ESCAPES.exec(text)) {
    // Matches that decode to nothing (`&laquo;`, `&#0;`) count too: a text of them is no cheaper.
    if (++matches % (4 * ESCAPES_PER_CHECK) === 0) deadline.check();
    const at = match.index;
    const escape = match[0];
    const first = escape.charCodeAt(0);
    if (first === PERCENT || (first === BACKSLASH && isByteRun(escape))) bytesDecoded(escape, at, emit);
    else oneDecoded(escape, at, emit);
  }
  if (escapes === 0) return undefined;
  copyAsIs(text.length);
  return { text: stringOf(units.subarray(0, length), wide), starts: starts.subarray(0, length), ends: ends.subarray(0, length) };
}

/**
 * The string of UTF-16 `units`, lone surrogates kept. Without units above U+00FF it is a one-byte
 * string even when the text decoded is not (a stretch of a text with an en dash elsewhere): V8 runs
 * the recognizers' patterns faster on those (recognizers/one-byte-matches.ts).
 */
function stringOf(units: Uint16Array, wide: boolean): string {
  if (!wide) return Buffer.from(new Uint8Array(units)).toString("latin1");
  const bytes = Buffer.from(units.buffer, units.byteOffset, units.byteLength);
  return (LITTLE_ENDIAN ? bytes : Buffer.from(bytes).swap16()).toString("utf16le");
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Emit = (chars: string, start: number, end: number) => void;

const PERCENT = 0x25;
const BACKSLASH = 0x5c;

/** Whether a backslash escape is a run of `\xXX` (rather than `\uXXXX` or `\u{…}`). */
function isByteRun(escape: string): boolean {
  let i = 0;
  while (escape.charCodeAt(i) === BACKSLASH) i++;
  return escape.charCodeAt(i) === 0x78; // x
}

/** `\u0040`, `\u{1F600}`, `&#64;`, `&#x40;`, `&commat;`: one character, or none when it names none. */
function oneDecoded(escape: string, at: number, emit: Emit): void {
  let code: number;
  if (escape.charCodeAt(0) === 0x26) {
    // &
    if (escape.charCodeAt(1) !== 0x23) {
      const named = namedReference(escape);
      if (named !== undefined) emit(named, at, at + escape.length);
      return;
    }
    const hex = escape.charCodeAt(2) === 0x78 || escape.charCodeAt(2) === 0x58;
    code = parseInt(escape.slice(hex ? 3 : 2), hex ? 16 : 10);
  } else {
    const u = escape.indexOf("u") + 1;
    code = escape.charCodeAt(u) === 0x7b ? parseInt(escape.slice(u + 1, -1), 16) : parseInt(escape.slice(u), 16);
  }
  if (!(code > 0 && code <= 0x10ffff)) return;
  // A surrogate half stays a half: with the other half's escape beside it, the two make the character.
  emit(String.fromCodePoint(code), at, at + escape.length);
}

/** Named references looked up, by the escape as written (`&eacute;`); null for one that names no character. */
const namedCache = new Map<string, string | null>();

/** The character of a named reference (`&commat;`, `&eacute;`), if it names one this reading knows. */
function namedReference(escape: string): string | undefined {
  // One lookup per escape: a page of `&eacute;` has tens of thousands of them.
  const cached = namedCache.get(escape);
  if (cached !== undefined) return cached ?? undefined;
  const name = escape.slice(1, -1);
  let value = Object.hasOwn(NAMED, name) ? NAMED[name] : undefined;
  const letter = value === undefined ? LETTER_WITH_DIACRITIC.exec(name) : null;
  if (letter) {
    const composed = (letter[1]! + DIACRITICS[letter[2]!]!).normalize("NFC");
    value = composed.length === 1 ? composed : undefined;
  }
  // Names are at most 8 letters of [A-Za-z] and only those the page writes: the cache stays small,
  // but a text of made-up names must not grow it without end.
  if (namedCache.size < 4096) namedCache.set(escape, value ?? null);
  return value;
}

/**
 * A run of byte escapes (`%C3%A9`, `\xc3\xa9`) as UTF-8: each character maps back to the escapes of
 * all its bytes. A byte that starts no valid sequence reads as its Latin-1 character (`%E9`, `\xe9`
 * in a Python string are "é").
 */
function bytesDecoded(run: string, at: number, emit: Emit): void {
  const bytes: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < run.length; ) {
    offsets.push(at + i);
    if (run.charCodeAt(i) === PERCENT) i++;
    else {
      while (run.charCodeAt(i) === BACKSLASH) i++;
      i++; // x
    }
    bytes.push(parseInt(run.slice(i, i + 2), 16));
    i += 2;
  }
  offsets.push(at + run.length);
  for (let i = 0; i < bytes.length; ) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) {
      emit(String.fromCharCode(bytes[i]!), offsets[i]!, offsets[i + 1]!);
      i++;
      continue;
    }
    emit(String.fromCodePoint(utf8CodePoint(bytes, i, n)), offsets[i]!, offsets[i + n]!);
    i += n;
  }
}

/** The code point of the `n`-byte UTF-8 sequence at `bytes[i]` (checked by `utf8SequenceLength`). */
function utf8CodePoint(bytes: readonly number[], i: number, n: number): number {
  const lead = bytes[i]!;
  let code = n === 1 ? lead : n === 2 ? lead & 0x1f : n === 3 ? lead & 0x0f : lead & 0x07;
  for (let k = 1; k < n; k++) code = (code << 6) | (bytes[i + k]! & 0x3f);
  return code;
}

/** The length of the valid UTF-8 sequence starting at `bytes[i]`, or 0. */
function utf8SequenceLength(bytes: readonly number[], i: number): number {
  const lead = bytes[i]!;
  const n = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > bytes.length) return 0;
  for (let k = 1; k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0;
  const code = utf8CodePoint(bytes, i, n);
  // Overlong forms, surrogates and code points past U+10FFFF: not a sequence a browser would read either.
  if (n === 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) return 0;
  if (n === 4 && (code < 0x10000 || code > 0x10ffff)) return 0;
  return n;
}

/**
 * `value` with its escapes decoded: `ann.lee%40example.com` and `ann.lee@example.com` are one address,
 * so they get one placeholder and one hash.
 *
 * @example decodedValue("ann.lee%40example.com") // "ann.lee@example.com"
 */
export function decodedValue(value: string): string {
  return decodeEscapes(value)?.text ?? value;
}
