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
 * Some escapes are escapes only where the text around them says so, and are read from the text as
 * written (the first round) with that context: `+` for a space in a form or query (decode-form.ts),
 * quoted-printable `=XX` and soft line breaks (decode-quoted-printable.ts), and base64 that holds text
 * (decode-base64.ts: a finding inside maps to the base64 whole).
 *
 * Each escape decodes to fewer characters than it takes, so the copy is never longer than the text.
 */
import { Buffer } from "node:buffer";
import { NO_DEADLINE, type Deadline } from "./budget.js";
import { BACKSLASH, EQUALS, hexValue, NEWLINE, PERCENT, PLUS } from "./char-codes.js";
import { base64Texts, encodedBase64Runs, type Base64Text } from "./decode-base64.js";
import { formValues, laterFormValues, wholeEncodedName, type FormValue } from "./decode-form.js";
import { loneSoftBreak, quotedPrintableFrom } from "./decode-quoted-printable.js";
import type { Entity } from "./entity.js";
import { partitionPoint } from "./partition-point.js";
import { addWindow, widenedToWhiteSpace } from "./windows.js";

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

/**
 * The cheap test for escapes that are escapes wherever they stand: text without any of these, nor one
 * of the escapes a context makes (`Layer`), costs one regex test and a few `includes`. `=C3=A9`, a UTF-8
 * character in quoted-printable, is one: no code writes it.
 */
const TRIGGER = /%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f{]|\\x[0-9A-Fa-f]{2}|&#[0-9xX]|&[A-Za-z]{2,8};|=[C-F][0-9A-F]=[89AB][0-9A-F]/;
/**
 * One escape, or a run of byte escapes (`%C3%A9`, `\xc3\xa9`, `=C3=A9`) decoded together as UTF-8.
 * Backslashes before `u` or `x` are taken with it: `\\u0040` is `\u0040` escaped once more (JSON in a
 * JSON string). A backslash escape is tried only from the first backslash of a run (the lookbehind):
 * tried from every one, a run of n backslashes cost n² steps inside one regex call, which no deadline
 * can interrupt. The other alternatives are bounded (`&#` and `\u{` take 7 and 6 digits at most after
 * any number of leading zeros, as browsers read `&#000000064;` and JavaScript `\u{0000040}` as `@`: a
 * run of zeros costs steps linear in it) or fail at their first unit. Quoted-printable's `=XX`
 * (capitals only, as RFC 2045 writes them; a run may go on over a soft line break, as encoders split a
 * character's bytes) and soft line break (`=` not after another, as base64 padding is) count only where
 * `Layer` says the text is quoted-printable.
 */
const ESCAPES =
  /(?:%[0-9A-Fa-f]{2})+|(?<!\\)\\+(?:x[0-9A-Fa-f]{2}(?:\\+x[0-9A-Fa-f]{2})*|u\{0*[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4})|&#0*[0-9]{1,7};?|&#[xX]0*[0-9A-Fa-f]{1,6};?|&[A-Za-z]{2,8};|=[0-9A-F]{2}(?:(?:=[ \t]*\r?\n)?=[0-9A-F]{2})*|(?<!=)=[ \t]*\r?\n/g;
const WHITESPACE = /\s/;
const TRIGGERS = new RegExp(TRIGGER.source, "g");
/** Quoted-printable's escapes where the text is quoted-printable (`Layer.qpFrom`). */
const QP_ESCAPES = /=[0-9A-F]{2}|(?<!=)=[ \t]*\r?\n/g;

/**
 * The escapes of a text that only its context makes escapes, found in the text as written: the decoded
 * copy's first round reads them; later rounds (escapes that spelt escapes) read base64 text and the `+`
 * of queries nested by encoding (`laterLayer`).
 */
interface Layer {
  /** Quoted-printable `=XX` escapes and soft line breaks count from here on (`Infinity`: nowhere). */
  readonly qpFrom: number;
  /** Whether `=XX` pairs that spell a UTF-8 character (`=C3=A9`) count anywhere. */
  readonly qpCharacters: boolean;
  /** The `=` of the one soft line break that counts where the text is no quoted-printable, or -1 (`loneSoftBreak`). */
  readonly softBreak: number;
  /** The form values where a `+` stands for a space, ascending. */
  readonly formValues: readonly FormValue[];
  /** base64 that holds text, ascending. */
  readonly base64: readonly Base64Text[];
}

const NO_LAYER: Layer = { qpFrom: Infinity, qpCharacters: false, softBreak: -1, formValues: [], base64: [] };

function writtenLayer(text: string, deadline: Deadline = NO_DEADLINE): Layer {
  const qpFrom = quotedPrintableFrom(text);
  const softBreak = qpFrom === Infinity ? loneSoftBreak(text) : -1;
  return { qpFrom, qpCharacters: true, softBreak, formValues: formValues(text), base64: base64Texts(text, deadline) };
}

function isEmpty(layer: Layer): boolean {
  return layer.qpFrom === Infinity && layer.softBreak === -1 && layer.formValues.length === 0 && layer.base64.length === 0;
}

/** The part of `layer` within `text[from, to)`, with offsets into that slice. */
function layerWithin(layer: Layer, from: number, to: number): Layer {
  const values: FormValue[] = [];
  for (let i = firstEndingAfter(layer.formValues, from); i < layer.formValues.length && layer.formValues[i]![0] < to; i++) {
    const [start, end] = layer.formValues[i]!;
    values.push([Math.max(start, from) - from, Math.min(end, to) - from]);
  }
  // Looked up, not walked: a value reader asks this once per finding, and a text can hold tens of
  // thousands of base64 texts (40,000 blobs cost ~2.7 s walked).
  const base64: Base64Text[] = [];
  for (let i = firstStartingAt(layer.base64, from); i < layer.base64.length && layer.base64[i]!.start < to; i++) {
    const found = layer.base64[i]!;
    if (found.end <= to) base64.push({ ...found, start: found.start - from, end: found.end - from });
  }
  const softBreak = layer.softBreak >= from && layer.softBreak < to ? layer.softBreak - from : -1;
  return { qpFrom: Math.max(0, layer.qpFrom - from), qpCharacters: layer.qpCharacters, softBreak, formValues: values, base64 };
}

/** The first of `ranges` (ascending, apart) that ends after `at`. */
function firstEndingAfter(ranges: readonly FormValue[], at: number): number {
  return partitionPoint(ranges.length, (i) => ranges[i]![1] <= at);
}

/** The first of `texts` (ascending, apart) that starts at or after `at`. */
function firstStartingAt(texts: readonly Base64Text[], at: number): number {
  return partitionPoint(texts.length, (i) => texts[i]!.start < at);
}

/** How a text is read behind its escapes: found once, then decoded whole or in stretches. */
export interface EscapeReading {
  /**
   * The stretches of the text within `radius` of an escape, merged, as written. Decoding only these
   * (rather than the whole text, with a map of every unit) is what keeps a long text with a few escapes
   * (a password with `%58` in a 100 KB prompt) about as cheap as one without.
   */
  windows(radius: number): Array<[start: number, end: number]>;
  /**
   * The decoded copy of `text.slice(from, to)` (offsets into that slice), read with the whole text's
   * context (a `+` in a query whose `?` lies before `from`); undefined when nothing in it decodes.
   */
  decoded(from?: number, to?: number): DecodedText | undefined;
}

/**
 * How `text` reads behind its escapes, or undefined when it has none. Throws `PiiScanError` when
 * `deadline` passes.
 *
 * @example
 * const reading = readEscapes("x".repeat(1000) + "ann%40x.io")!;
 * reading.windows(10); // [[993, 1010]]
 * reading.decoded(993, 1010)!.text; // "xxxxxxxann@x.io"
 */
export function readEscapes(text: string, deadline: Deadline = NO_DEADLINE): EscapeReading | undefined {
  const escapes = TRIGGER.test(text);
  const layer = writtenLayer(text, deadline);
  if (!escapes && isEmpty(layer)) return undefined;
  return {
    windows: (radius) => writtenWindows(text, layer, escapes, radius),
    decoded: (from = 0, to = text.length) =>
      from === 0 && to === text.length ? decodeWith(text, layer, deadline, true) : decodeWith(text.slice(from, to), layerWithin(layer, from, to), deadline, true),
  };
}

function writtenWindows(text: string, layer: Layer, escapes: boolean, radius: number): Array<[number, number]> {
  // Each kind of escape is found in order; their windows are merged at the end.
  const kinds: Array<Array<[number, number]>> = [];
  const spans = (add: (span: (start: number, end: number) => void) => void) => {
    const windows: Array<[number, number]> = [];
    add((start, end) => addWindow(windows, Math.max(0, start - radius), Math.min(text.length, end + radius)));
    kinds.push(windows);
  };
  if (escapes) spans((span) => forEachMatch(TRIGGERS, text, 0, span));
  if (layer.qpFrom !== Infinity) spans((span) => forEachMatch(QP_ESCAPES, text, layer.qpFrom, span));
  if (layer.softBreak !== -1) spans((span) => span(layer.softBreak, layer.softBreak + 1));
  spans((span) => layer.formValues.forEach(([start, end]) => span(text.indexOf("+", start), text.lastIndexOf("+", end - 1) + 1)));
  spans((span) => layer.base64.forEach((found) => span(found.start, found.end)));
  if (escapes) spans((span) => encodedBase64Runs(text).forEach(([start, end]) => span(start, end)));
  const all = kinds.flat().sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of all) addWindow(merged, from, to);
  return merged;
}

function forEachMatch(regex: RegExp, text: string, from: number, span: (start: number, end: number) => void): void {
  regex.lastIndex = from;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) span(match.index, match.index + match[0].length);
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
  return readEscapes(text, deadline)?.decoded();
}

/**
 * `text` decoded in rounds, the first with `layer`. With `base64` false, base64 text is kept as written
 * (a value's spelling: a finding inside base64 is the base64 whole).
 */
function decodeWith(text: string, layer: Layer, deadline: Deadline, base64: boolean): DecodedText | undefined {
  let copy = text;
  // For each unit of `copy`: where its escape starts and ends in `text`, and whether it is decoded.
  let starts: Int32Array | undefined;
  let ends: Int32Array | undefined;
  let escaped: Uint8Array | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const context = round === 0 ? layer : laterLayer(copy, escaped!, base64, deadline);
    if (round > 0 && !TRIGGER.test(copy) && context.base64.length === 0 && context.formValues.length === 0) break;
    const decoded = decodeRound(copy, deadline, context, base64);
    if (decoded === undefined) break;
    // Compose: a unit of this round's copy comes from units [start, end) of the last round's.
    if (starts && ends && escaped) {
      for (let i = 0; i < decoded.text.length; i++) {
        const from = decoded.starts[i]!;
        const to = decoded.ends[i]!;
        decoded.escaped[i] = decoded.escaped[i]! | escaped[from]!;
        decoded.starts[i] = starts[from]!;
        decoded.ends[i] = ends[to - 1]!;
      }
    }
    ({ starts, ends, escaped } = decoded);
    copy = decoded.text;
  }
  if (!starts || !ends || !escaped) return undefined;
  const units: Units = { starts, ends, escaped };
  return {
    text: copy,
    around: (radius) => escapeWindows(text, copy, units, radius),
    toOriginal: (entities) =>
      entities.map((found) => {
        const entity = { ...found, end: writtenEnd(copy, units, found) };
        return {
          ...entity,
          start: entity.start < copy.length ? starts[entity.start]! : text.length,
          end: entity.end > entity.start ? ends[entity.end - 1]! : entity.start < copy.length ? starts[entity.start]! : text.length,
        };
      }),
  };
}

/**
 * Escapes that spelt escapes are read as escapes are anywhere (no quoted-printable, and a `%2B` decodes
 * to a `+` that stays one), but for base64 text and the `+` of a query whose `?` was itself decoded
 * (`%3Fq%3DMaria%2BGonzalez`: a URL encoded into another's parameter), spaces as the nested URL reads
 * them, and of a form value that is a name encoded twice (`name=Maria%2BGonzalez`; decode-form.ts,
 * `laterFormValues`). `decoded` marks the units of `copy` read from an escape. A value read alone
 * (`base64` false) reads neither, the context that makes them not being there, but for a value that is
 * whole a name encoded twice (`Maria%2BGonzalez`): found, it was found as one.
 */
function laterLayer(copy: string, decoded: Uint8Array, base64: boolean, deadline: Deadline): Layer {
  if (!base64) return { ...NO_LAYER, formValues: wholeEncodedName(copy, decoded) };
  return { ...NO_LAYER, formValues: laterFormValues(copy, decoded), base64: base64Texts(copy, deadline) };
}

/** Where each unit of a decoded copy comes from in the text as written, and whether it was decoded. */
interface Units {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** 1 for a unit decoded from an escape, or one a removed soft line break joined to the next line. */
  readonly escaped: Uint8Array;
}

/**
 * Where a finding of the decoded copy ends: before the first `&` or `"` written as itself that follows
 * one of its escapes (for a URL also `'` and whitespace). A value percent-encoded into a query
 * parameter (`redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code`) ends where its
 * parameter does: decoded, the URL would run on over the parameters after it, which are not part of it.
 */
function writtenEnd(copy: string, units: Units, entity: Entity): number {
  const url = entity.type === "URL";
  let escaped = false;
  for (let i = entity.start; i < entity.end && i < copy.length; i++) {
    if (units.escaped[i] === 1) escaped = true;
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

/** `WORD_UNIT` for `text[i]`, without a regex for ASCII (a form body has a `+` between every two words). */
function isWordUnit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
  return WORD_UNIT.test(text[i]!);
}

/**
 * Whether the unit `i` of `copy`, decoded from an escape, can change a finding. An inert character
 * still can when its escape ends in a hex digit or letter glued to the word after it (`%3CKwame`: as
 * written "3CKwame" is no name, decoded "<Kwame" is).
 */
function changesFindings(text: string, copy: string, i: number, start: number, end: number): boolean {
  const unit = copy[i]!;
  // One unit for one: a `+` read as a space (below), or the unit a soft line break joins to the next line.
  if (end - start === 1 && !SPACING.has(unit)) return true;
  // A space or dash between words or digits joins or splits them ("4111&nbsp;1111", "Kwame%20Brandt");
  // between spaces and punctuation ("Bar &ndash; Grill", "&nbsp;&mdash;") it joins and splits nothing.
  if (SPACING.has(unit)) return (i > 0 && isWordUnit(copy, i - 1)) || (i + 1 < copy.length && isWordUnit(copy, i + 1));
  if (!INERT.has(unit)) return true;
  const last = text.charCodeAt(end - 1);
  return last !== 0x3b /* ; */ && last !== 0x7d /* } */ && end < text.length && isWordUnit(text, end);
}

function escapeWindows(text: string, copy: string, units: Units, radius: number): Array<[number, number]> {
  // Escaped units within `radius` of one another share a window (one scan, not one per escape), and
  // so do windows their widening to whitespace could make meet: one pass, each window widened once.
  const windows: Array<[number, number]> = [];
  const { starts, ends, escaped } = units;
  for (let i = 0; i < copy.length; i++) {
    if (escaped[i] === 0) continue;
    // The units of one escape (a UTF-8 sequence, a base64 text's thousands) share its span: they change
    // findings if one of them does, and share a window.
    let groupEnd = i + 1;
    while (groupEnd < copy.length && escaped[groupEnd] === 1 && starts[groupEnd] === starts[i]) groupEnd++;
    let changes = false;
    for (let k = i; k < groupEnd && !changes; k++) changes = changesFindings(text, copy, k, starts[k]!, ends[k]!);
    const first = i;
    i = groupEnd - 1;
    if (!changes) continue;
    addWindow(windows, Math.max(0, first - radius), Math.min(copy.length, groupEnd + radius), 2 * radius);
  }
  for (const window of windows) {
    window[0] = widenedToWhiteSpace(copy, window[0], -1, radius);
    window[1] = widenedToWhiteSpace(copy, window[1], 1, radius);
  }
  return windows;
}

interface Round extends Units {
  readonly text: string;
}

/**
 * Every escape of `text` decoded once, those `layer` holds included; undefined when none decodes to
 * anything. With `base64` false, base64 text is copied as written, escapes and all.
 */
function decodeRound(text: string, deadline: Deadline, layer: Layer, base64: boolean): Round | undefined {
  // An escape decodes to fewer units than it takes, but a wrapped data URI's text holds each of its
  // readings (decode-base64.ts) and may be longer than its base64: room for that too, or the units
  // past the copy's length were dropped without a word and the readings after the first not scanned.
  let capacity = text.length;
  if (base64) for (const found of layer.base64) capacity += Math.max(0, found.text.length - (found.end - found.start));
  const starts = new Int32Array(capacity);
  const ends = new Int32Array(capacity);
  // The copy's units, written in place: joining a part per escape and per run between them cost a
  // third of decoding a page of `&eacute;`.
  const units = new Uint16Array(capacity);
  let wide = false;
  const escaped = new Uint8Array(capacity);
  let length = 0;
  let copied = 0;
  let escapes = 0;
  // Form values with their `+` read as spaces, one unit for one: copied as plain text is, from `source`,
  // and each such `+` marked as decoded.
  const { formValues: values, base64: texts } = layer;
  const source = values.length === 0 ? text : withSpaces(text, values);
  let value = 0;
  // Plain text between escapes is copied as runs, each unit mapping to itself.
  const copyAsIs = (until: number, from = source) => {
    if (until <= copied) return;
    const first = length;
    for (let i = copied; i < until; i++) {
      const unit = from.charCodeAt(i);
      if (unit > 0xff) wide = true;
      units[length] = unit;
      starts[length] = i;
      ends[length++] = i + 1;
    }
    while (value < values.length && values[value]![1] <= copied) value++;
    for (let v = value; from === source && v < values.length && values[v]![0] < until; v++) {
      const end = Math.min(values[v]![1], until);
      for (let i = Math.max(values[v]![0], copied); i < end; i++) {
        if (text.charCodeAt(i) === PLUS) {
          escaped[first + i - copied] = 1;
          escapes++;
        }
      }
    }
    copied = until;
  };
  const emit = (chars: string, start: number, end: number) => {
    copyAsIs(start);
    for (let i = 0; i < chars.length; i++) {
      const unit = chars.charCodeAt(i);
      if (unit > 0xff) wide = true;
      units[length] = unit;
      starts[length] = start;
      escaped[length] = 1;
      ends[length++] = end;
    }
    copied = end;
    if (++escapes % ESCAPES_PER_CHECK === 0) deadline.check();
  };
  // The base64 texts before `until`, each taken whole (decoded, or kept as written), whatever it holds:
  // the offset to go on from when one reaches past `until`, else -1.
  let next = 0;
  const base64Before = (until: number): number => {
    while (next < texts.length && texts[next]!.start < until) {
      const found = texts[next++]!;
      if (found.start < copied) continue;
      if (base64) emit(found.text, found.start, found.end);
      else {
        copyAsIs(found.start);
        copyAsIs(found.end, text);
      }
      if (found.end > until) return found.end;
    }
    return -1;
  };
  ESCAPES.lastIndex = 0;
  let matches = 0;
  for (let match = ESCAPES.exec(text); match !== null; match = ESCAPES.exec(text)) {
    // Matches that decode to nothing (`&laquo;`, `&#0;`) count too: a text of them is no cheaper.
    if (++matches % (4 * ESCAPES_PER_CHECK) === 0) deadline.check();
    const at = match.index;
    const resume = base64Before(at);
    if (resume !== -1) {
      ESCAPES.lastIndex = resume;
      continue;
    }
    const escape = match[0];
    const first = escape.charCodeAt(0);
    if (first === EQUALS) {
      if (escape.charCodeAt(escape.length - 1) !== NEWLINE) {
        if (at >= layer.qpFrom || layer.qpCharacters) bytesDecoded(escape, at, emit, at >= layer.qpFrom);
      } else if (at >= layer.qpFrom || at === layer.softBreak) {
        // A soft line break: nothing, and the unit before it marked, as what it joins may be a value.
        copyAsIs(at);
        if (length > 0) escaped[length - 1] = 1;
        copied = at + escape.length;
        if (++escapes % ESCAPES_PER_CHECK === 0) deadline.check();
      }
    } else if (first === PERCENT || (first === BACKSLASH && isByteRun(escape))) bytesDecoded(escape, at, emit, true);
    else oneDecoded(escape, at, emit);
  }
  base64Before(Infinity);
  copyAsIs(text.length);
  if (escapes === 0) return undefined;
  return { text: stringOf(units.subarray(0, length), wide), starts: starts.subarray(0, length), ends: ends.subarray(0, length), escaped: escaped.subarray(0, length) };
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

/**
 * `text` with the `+` of `values` read as spaces. Changed in a buffer, one unit for one: a slice per
 * value joined again cost ~50 ms for a 400 KB text of short query strings.
 */
function withSpaces(text: string, values: readonly FormValue[]): string {
  const encoding = BEYOND_LATIN1.test(text) ? "utf16le" : "latin1";
  const width = encoding === "latin1" ? 1 : 2;
  const buffer = Buffer.from(text, encoding);
  for (const [start, end] of values) {
    // A `+` is 0x2B in either encoding (its high byte, in UTF-16LE the second, is 0): a space is 0x20.
    for (let i = start; i < end; i++) if (text.charCodeAt(i) === PLUS) buffer[i * width] = 0x20;
  }
  return buffer.toString(encoding);
}

const BEYOND_LATIN1 = /[^\x00-\xff]/;

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
 * A run of byte escapes (`%C3%A9`, `\xc3\xa9`, `=C3=A9`) as UTF-8: each character maps back to the
 * escapes of all its bytes. A byte that starts no valid sequence reads as its Latin-1 character (`%E9`,
 * `\xe9` in a Python string are "é"); with `singleBytes` false (quoted-printable outside a quoted-printable
 * text) only characters of two or more bytes are read, and single bytes stay as written (`x=10`).
 */
function bytesDecoded(run: string, at: number, emit: Emit, singleBytes: boolean): void {
  const bytes: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < run.length; ) {
    offsets.push(at + i);
    const c = run.charCodeAt(i);
    if (c === EQUALS && hexValue(run.charCodeAt(i + 1)) === -1) {
      // A soft line break inside a quoted-printable run: part of the escapes around it.
      offsets.pop();
      i = run.indexOf("\n", i) + 1;
      continue;
    }
    if (c === PERCENT || c === EQUALS) i++;
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
    if (n < 2 && !singleBytes) {
      i++;
      continue;
    }
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
 * so they get one placeholder and one hash. Read alone: what only its context makes an escape (a `+`
 * in a form) is read by `valueReader`. base64 stays as written.
 *
 * @example decodedValue("ann.lee%40example.com") // "ann.lee@example.com"
 */
export function decodedValue(value: string): string {
  const escapes = TRIGGER.test(value);
  const layer = writtenLayer(value);
  if (!escapes && isEmpty(layer)) return value;
  return decodeWith(value, layer, NO_DEADLINE, false)?.text ?? value;
}

/** `text.slice(start, end)` as read where it stands; `spaces`: whether a `+` a form makes a space is one. */
export type ValueReader = (start: number, end: number, spaces: boolean) => string;

/** What a value holding none of these reads as written. */
const MAY_BE_ESCAPED = /[%\\&=+]/;
/** A value holding one of these is more than one form value (a URL or a query whole). */
const FORM_STRUCTURE = /[=&?#]/;

/**
 * The values of `text` as a model reads them where they stand: `read(start, end)` is
 * `text.slice(start, end)` with its escapes decoded in the text's context, as the engine read it
 * (`Kwame+Brandt` in a query is "Kwame Brandt", `Jos=C3=A9` "José", and `ann.lee@exam=\nple.com` in a
 * quoted-printable mail "ann.lee@example.com"). base64 stays as written: a finding inside it is the
 * base64 whole. With `spaces` false a `+` stays a `+` (an e-mail address, where it is a character of
 * the address); so does one in a value that spans more than one form value, which whoever reads it
 * whole reads as a space itself.
 *
 * @example valueReader("GET /find?name=Kwame+Brandt")(15, 27, true) // "Kwame Brandt"
 */
export function valueReader(text: string): ValueReader {
  let layer: Layer | undefined;
  return (start, end, spaces) => {
    const value = text.slice(start, end);
    if (!MAY_BE_ESCAPED.test(value)) return value;
    layer ??= writtenLayer(text);
    const local = layerWithin(layer, start, end);
    const context = spaces && !FORM_STRUCTURE.test(value) ? local : { ...local, formValues: [] };
    return decodeWith(value, context, NO_DEADLINE, false)?.text ?? value;
  };
}
