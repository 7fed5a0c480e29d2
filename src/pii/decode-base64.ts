/**
 * base64 that holds text a model reads: `data:` URIs of text types (`data:text/plain;base64,…`,
 * `data:application/json;base64,…`), base64 JSON (`eyJ…`, which is `{"` encoded: a JWT's payload
 * pasted on its own, a blob in a log line, an OAuth `state`) and a mail part that says it is base64
 * (`Content-Transfer-Encoding: base64`, as mail clients often send a UTF-8 body). Each is delimited and
 * says what it holds, so decoding it costs what scanning its text costs. Other base64 is not read
 * (docs/PII.md): any long run of letters and digits would have to be tried (hashes, ids, keys, images),
 * most decode to bytes, and what decodes to text by chance would be scanned as if someone had written
 * it. Whole JWTs are left to the SECRET recognizer, which blocks them; Basic credentials are secrets as
 * written too.
 */

import { NO_DEADLINE, type Deadline } from "./budget.js";
import { CR, EQUALS, hexValue, NEWLINE, PERCENT, PLUS, SLASH, SPACE, TAB } from "./char-codes.js";

export interface Base64Text {
  /** Where the base64 starts and ends in the text (after `base64,` for a data URI). */
  readonly start: number;
  readonly end: number;
  /** What it decodes to. */
  readonly text: string;
}

/**
 * How base64 JSON starts: `eyJ` (`{"`), `eyAi` (`{ "`), `eyAg` (`{` and two spaces), `ewki` (`{` and a
 * tab), `ewo` and `ew0K` (`{` and a line break, pretty printed), `W3si` (`[{"`), `WyJ` (`["`, an array
 * of strings), `WyAi` (`[ "`), `WyB7` (`[ {`), `Wwo` and `Ww0K` (`[` and a line break: a pretty-printed
 * array). Only what decodes to JSON text is read (`jsonText`).
 */
const JSON_STARTS = ["eyJ", "eyAi", "eyAg", "ewki", "ewo", "ew0K", "W3si", "WyJ", "WyAi", "WyB7", "Wwo", "Ww0K"];

/**
 * Where base64 text may start: a data URI of a text type (`data:;base64,` is text/plain too), a mail
 * part's header, or base64 JSON (`JSON_STARTS`).
 */
const STARTS = new RegExp(
  String.raw`(data:(?:text\/[\w.+-]+|application\/(?:json|xml|javascript|ecmascript|x-www-form-urlencoded|yaml|x-yaml|csv|x-ndjson|[\w.-]+\+(?:json|xml))|image\/svg\+xml)?(?:;[\w.+-]+=[\w.+-]+)*;base64,)|(Content-Transfer-Encoding:[ \t]*"?base64\b)|(?<![A-Za-z0-9+/_-])(?:${JSON_STARTS.join("|")})`,
  "gi",
);
const JSON_KIND = new RegExp(`^(?:${JSON_STARTS.join("|")})$`);
/** As the SECRET recognizer finds a JWT (recognizers/secret.ts): three segments, two of them JSON. */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}(?![\w-])/y;
/** Shorter base64 JSON is `{"id":1}` at most: nothing to find. */
const MIN_JSON = 16;
/** How far a mail part's headers may run on after the encoding's before its body (a blank line). */
const MAX_HEADERS = 4096;
/** Candidates looked at between two looks at the deadline. */
const CANDIDATES_PER_CHECK = 256;
/** A line of a base64 mail body (76 characters as written, any length taken). */
const BODY_LINE = /[A-Za-z0-9+/]+={0,2}\r?(?:\n|$)/y;
const UTF8 = new TextDecoder("utf-8", { fatal: true });
/** Latin-1 as browsers read it, the commonest charset of text that is not UTF-8; it reads any bytes. */
const WINDOWS_1252 = new TextDecoder("windows-1252", { fatal: true });
/** Control characters text does not hold (tab, line breaks and form feed are text). */
const BINARY = /[\x00-\x08\x0b\x0e-\x1f\x7f]/;
const JSON_START = /^\s*[[{]/;

/**
 * The base64 texts of `text`, in order: a data URI's payload of a text type (over the lines it is
 * wrapped on), a base64 mail body, or a run of base64 JSON, standard or URL-safe alphabet, `%2B`, `%2F`
 * and `%3D` included, each when it decodes to text without control characters: JSON as UTF-8 or
 * Windows-1252 (`jsonText`), the others as UTF-8, in their declared charset or as Windows-1252 (`textDecoders`). Throws `PiiScanError` when
 * `deadline` passes.
 *
 * @example base64Texts("payload=eyJ1c2VyIjoiYW5uIn0= ok")[0].text // '{"user":"ann"}'
 */
export function base64Texts(text: string, deadline: Deadline = NO_DEADLINE): Base64Text[] {
  const found: Base64Text[] = [];
  if (!MAY_HOLD.some((marker) => text.includes(marker))) return found;
  const blankLineAfter = blankLines(text);
  let candidates = 0;
  let lastBodyEnd = 0;
  STARTS.lastIndex = 0;
  for (let match = STARTS.exec(text); match !== null; match = STARTS.exec(text)) {
    // Each candidate costs a bounded look plus the decoding of what it starts, and a text can hold a
    // candidate every few characters: the scan's budget holds here as in the recognizers.
    if (++candidates % CANDIDATES_PER_CHECK === 0) deadline.check();
    const [, dataUri, mailPart] = match;
    if (mailPart !== undefined) {
      const body = mailBody(text, match.index + match[0].length, blankLineAfter);
      if (body === undefined) continue;
      STARTS.lastIndex = body.end;
      // The part's headers: back to the blank line before them, not past the last part's body.
      const headers = partHeaders(text, Math.max(lastBodyEnd, match.index - MAX_HEADERS), match.index, body.start);
      lastBodyEnd = body.end;
      const decoded = decodedText(text.slice(body.start, body.end), textDecoders(declaredCharset(headers)));
      if (decoded !== undefined) found.push({ ...body, text: decoded });
      continue;
    }
    // The JSON kind is case-sensitive; the regex is not, for the data URI's media type and the header.
    if (dataUri === undefined && !JSON_KIND.test(match[0])) continue;
    const start = dataUri === undefined ? match.index : match.index + match[0].length;
    const end = runEnd(text, start);
    if (dataUri === undefined) {
      // A JWT whole (its payload is the next candidate): the SECRET recognizer's, which blocks it.
      JWT.lastIndex = start;
      const jwt = JWT.exec(text);
      if (jwt || end - start < MIN_JSON) {
        STARTS.lastIndex = jwt ? start + jwt[0].length : end;
        continue;
      }
    }
    const padded = paddedEnd(text, end);
    STARTS.lastIndex = Math.max(STARTS.lastIndex, padded);
    if (dataUri === undefined) {
      if (padded < text.length && (isBase64(text.charCodeAt(padded)) || paddingLength(text, padded) > 0)) continue;
      const decoded = jsonText(text.slice(start, end));
      if (decoded !== undefined) found.push({ start, end: padded, text: decoded });
      continue;
    }
    const read = dataUriText(text, start, end, padded, textDecoders(declaredCharset(dataUri)));
    if (read === undefined) continue;
    STARTS.lastIndex = Math.max(STARTS.lastIndex, read.end);
    found.push(read);
  }
  return found;
}

/**
 * How much of a shorter reading already scanned as the start of a longer one is scanned again: its end,
 * where the cut differs (an address the longer reading glued to a sign-off line's bytes, `example.com1ªò`).
 */
const CUT_CONTEXT = 1024;

/**
 * The text of a data URI's base64 at `start`, whose first line ends at `end` (`padded` with its padding):
 * read at each end it may have (over all the lines it is wrapped on, without the last ones, on its first
 * line alone), each in the first charset that reads it (UTF-8, a declared one, Windows-1252), the span
 * reaching the furthest end read and the text holding every reading. A finding in any reading masks the
 * whole. One reading was chosen before, and each choice sent part of some payload: a line of names after
 * the URI (`Mary`) read with it as Windows-1252 turned the address at its end into `example.com1ªò`, and
 * the end before it read in UTF-8 left the last line of a Latin-1 payload (`René`) outside the span.
 * Single-byte charsets read any bytes, so which reading is the text cannot be told: all are scanned (up
 * to the first UTF-8 reads, whose bytes are its text), and a line of names glued on is masked with the
 * URI (mask more). A shorter reading that starts a longer one adds only its end (`CUT_CONTEXT`), so the
 * text stays a few times the payload at most (decode.ts makes room for it).
 */
function dataUriText(text: string, start: number, end: number, padded: number, decoders: readonly TextDecoder[]): Base64Text | undefined {
  const readings = [
    ...wrappedEnds(text, start, padded).map((wrapped) => ({ base64: text.slice(start, wrapped), end: wrapped })),
    { base64: text.slice(start, end), end: padded },
  ];
  // decoders[0] is UTF-8 (textDecoders); the others read any bytes.
  const loose = decoders.slice(1);
  const texts: string[] = [];
  let furthest = -1;
  for (const reading of readings) {
    const utf8 = decodedText(reading.base64, UTF8_ONLY);
    const decoded = utf8 ?? decodedText(reading.base64, loose);
    if (decoded === undefined) continue;
    furthest = Math.max(furthest, reading.end);
    const longer = texts.find((read) => read.startsWith(decoded));
    texts.push(longer === undefined || decoded.length <= CUT_CONTEXT ? decoded : cutContext(decoded));
    // Bytes UTF-8 reads are its text (what a sign-off line glues on is no UTF-8): the shorter readings
    // hold nothing this one does not.
    if (utf8 !== undefined) break;
  }
  return furthest === -1 ? undefined : { start, end: furthest, text: texts.join("\n\n") };
}

/** The last `CUT_CONTEXT` characters of `decoded`, from a space or line break on (no cut word). */
function cutContext(decoded: string): string {
  const from = decoded.length - CUT_CONTEXT;
  const space = decoded.slice(from).search(/\s/);
  return decoded.slice(space === -1 ? from : from + space + 1);
}

/**
 * The headers of the mail part whose encoding header is at `header`: from the last blank line of
 * `text[from, header)` (or `from`) up to `bodyStart`.
 */
function partHeaders(text: string, from: number, header: number, bodyStart: number): string {
  const before = text.slice(from, header);
  const blank = Math.max(before.lastIndexOf("\n\n"), before.lastIndexOf("\n\r\n"));
  return text.slice(blank === -1 ? from : from + blank, bodyStart);
}

const CHARSET = /charset[ \t]*=[ \t]*"?([\w.:-]+)/gi;

/** The charset `headers` (a part's, or a data URI's parameters) declare last, if any. */
function declaredCharset(headers: string): string | undefined {
  let charset: string | undefined;
  CHARSET.lastIndex = 0;
  for (let match = CHARSET.exec(headers); match !== null; match = CHARSET.exec(headers)) charset = match[1];
  return charset;
}

/** Where the padding after the base64 that ends at `end` ends (two `=` or `%3D` at most). */
function paddedEnd(text: string, end: number): number {
  let padded = end;
  for (let pads = 0; pads < 2 && paddingLength(text, padded) > 0; pads++) padded += paddingLength(text, padded);
  return padded;
}

/**
 * Where a data URI's base64 at `start`, whose first line ends at `end`, may end when it is wrapped over
 * lines (as editors, mailers, `base64` and `fold` wrap long runs; browsers skip the line breaks): the
 * last few ends of its lines (`MAX_EVERY_ENDS`), furthest first, at which they hold whole 4-character groups together. Its
 * lines go on while each, indentation aside, is base64 up to a line break, the end of the text or a
 * character that ends a URI (a quote, `)`, `>`, `]`), of any length: `fold -w 70` leaves the prefix on
 * the first line and lines of 70 after it, and lines of whole groups only took none of them. A
 * paragraph after the URI is not its own: words stop at a space. A line of short words (`Best`,
 * `John`) may be taken: the reading then tries the ends before it, and those of the lines as wide as the
 * first continued one but the last.
 */
function wrappedEnds(text: string, start: number, end: number): number[] {
  let symbols = base64Symbols(text, start, end);
  // Tried in order: over every line (lines encoded one by one differ in width), then over the lines as
  // wide as the first continued one but the last (a sign-off of 4-letter words after a last line of
  // full width reads as base64 groups). One walk finds both.
  const every = new LastEnds(MAX_EVERY_ENDS);
  const even = new LastEnds(2);
  let width = -1;
  let evenOpen = true;
  let lastLineShort = false;
  for (;;) {
    let at = end;
    if (text.charCodeAt(at) === CR) at++;
    if (text.charCodeAt(at) !== NEWLINE) break;
    at++;
    while (text.charCodeAt(at) === SPACE || text.charCodeAt(at) === TAB) at++;
    const lineEnd = paddedEnd(text, runEnd(text, at));
    if (lineEnd === at || (lineEnd < text.length && !URI_OR_LINE_ENDS.has(text.charCodeAt(lineEnd)))) break;
    const length = lineEnd - at;
    if (lastLineShort || (width !== -1 && length > width)) evenOpen = false;
    if (width === -1) width = length;
    else if (length < width) lastLineShort = true;
    symbols += base64Symbols(text, at, lineEnd);
    end = lineEnd;
    if (symbols % 4 !== 0) continue;
    every.push(end);
    if (evenOpen) even.push(end);
  }
  return [...new Set([...every.ends(), ...even.ends()])];
}

/**
 * How many ends of the walk over every line are tried: a sign-off of two short words (`Best`, `John`)
 * after lines encoded one by one takes two, and the end before them must still be among those tried.
 * Each is one decoding of the payload, so the cost stays a few times its length.
 */
const MAX_EVERY_ENDS = 4;

/** The last `keep` positions pushed, furthest first. */
class LastEnds {
  private readonly kept: number[] = [];
  constructor(private readonly keep: number) {}
  push(at: number): void {
    this.kept.push(at);
    if (this.kept.length > this.keep) this.kept.shift();
  }
  ends(): number[] {
    return [...this.kept].reverse();
  }
}

/** A line break, or what ends a URI written in HTML, Markdown or prose: `"`, `'`, `)`, `>`, `]`. */
const URI_OR_LINE_ENDS: ReadonlySet<number> = new Set([CR, NEWLINE, 0x22, 0x27, 0x29, 0x3e, 0x5d]);

/** How many base64 characters `text[from, to)` holds, a percent-encoded one counted once. */
function base64Symbols(text: string, from: number, to: number): number {
  let symbols = to - from;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === PERCENT) symbols -= 2;
  return symbols;
}

/**
 * Where base64 text starts behind percent escapes: a data URI's `base64%2C` (`data%3Atext%2Fplain%3Bbase64%2C…`
 * in a link), or base64 JSON right after an escape (`%3DeyJ…`, a `state` in a URL that is itself a
 * parameter). Only a later round reads it, after the escapes are decoded.
 */
const ENCODED_STARTS = new RegExp(`[Bb][Aa][Ss][Ee]64(?:%25)*%2[Cc]|%(?:25)*[0-9A-Fa-f]{2}(?=${JSON_STARTS.join("|")})`, "g");

/**
 * The stretches of `text` from each start of base64 text behind percent escapes to the end of the
 * base64 run after it: what a later round may read as one base64 text. The decoded reading's windows
 * take them whole, as they take the base64 texts found as written: a window ending 256 characters
 * after the last escape cut a longer payload, and the part that decoded was scanned without the rest.
 *
 * @example encodedBase64Runs("data%3Atext%2Fplain%3Bbase64%2CaGk= ok") // [[22, 35]]
 */
export function encodedBase64Runs(text: string): Array<[start: number, end: number]> {
  const runs: Array<[number, number]> = [];
  ENCODED_STARTS.lastIndex = 0;
  for (let match = ENCODED_STARTS.exec(text); match !== null; match = ENCODED_STARTS.exec(text)) {
    const end = paddedEnd(text, runEnd(text, match.index + match[0].length));
    runs.push([match.index, end]);
    ENCODED_STARTS.lastIndex = Math.max(ENCODED_STARTS.lastIndex, end);
  }
  return runs;
}

/** What text holding base64 text holds (the header as mail clients and RFC 2045 spell it). */
const MAY_HOLD = ["base64,", ...JSON_STARTS, "ransfer-Encoding", "ransfer-encoding", "RANSFER-ENCODING"];

/**
 * The base64 body of the mail part whose headers name its encoding at `from`: its lines after the blank
 * line that ends the headers, up to the first line that is not base64 (a blank line, a boundary).
 */
function mailBody(text: string, from: number, blankLineAfter: BlankLines): { start: number; end: number } | undefined {
  const headersEnd = blankLineAfter(from);
  if (headersEnd === null || headersEnd.index - from > MAX_HEADERS) return undefined;
  const start = headersEnd.index + headersEnd[0].length;
  let end = start;
  BODY_LINE.lastIndex = start;
  for (let line = BODY_LINE.exec(text); line !== null; line = BODY_LINE.exec(text)) end = line.index + line[0].trimEnd().length;
  return end > start ? { start, end } : undefined;
}

/** The first blank line (`\n\n`, `\r\n\r\n`) at or after an offset, or null when there is none. */
type BlankLines = (from: number) => RegExpExecArray | null;

/**
 * `BlankLines` for `text`, asked with ascending offsets. The blank line found for one header is the
 * answer for every later header before it, so the text is searched once: searched again from each
 * header (a text of `Content-Transfer-Encoding: base64` lines and no blank line), 1 MB cost ~3 s.
 */
function blankLines(text: string): BlankLines {
  const blank = /\r?\n\r?\n/g;
  let found: RegExpExecArray | null | undefined;
  return (from) => {
    if (found === undefined || (found !== null && found.index < from)) {
      blank.lastIndex = from;
      found = blank.exec(text);
    }
    return found;
  };
}

/**
 * Where the run of base64 characters at `start` ends. `%2B` and `%2F` are base64's `+` and `/`
 * percent-encoded (`encodeURIComponent` of an OAuth `state` in a query): the run goes on over them, so
 * the base64 is read whole. Cut at the first, a prefix was taken for the whole text (it decodes to the
 * start of the JSON), the rest was left as written, and no later round saw the run start again.
 */
function runEnd(text: string, start: number): number {
  let end = start;
  for (;;) {
    if (end < text.length && isBase64(text.charCodeAt(end))) end++;
    else if (escapedAt(text, end) === SLASH || escapedAt(text, end) === PLUS) end += 3;
    else return end;
  }
}

/** How many characters the padding character at `at` takes: 1 for `=`, 3 for `%3D`, else 0. */
function paddingLength(text: string, at: number): number {
  if (text.charCodeAt(at) === EQUALS) return 1;
  return escapedAt(text, at) === EQUALS ? 3 : 0;
}

/**
 * The character the `%XX` escape at `at` stands for (`XX` in either case), or -1 when there is none.
 * Char codes, not a slice and `toUpperCase` per character.
 */
function escapedAt(text: string, at: number): number {
  if (text.charCodeAt(at) !== PERCENT) return -1;
  const high = hexValue(text.charCodeAt(at + 1));
  const low = hexValue(text.charCodeAt(at + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/**
 * `base64` with its `%2B`, `%2F` and `%3D` decoded. A loop, not a `replace` with a callback, which took
 * ~430 ms on 1 MB of `%2Ba`.
 */
function unescaped(base64: string): string {
  let written = "";
  let from = 0;
  for (let at = base64.indexOf("%"); at !== -1; at = base64.indexOf("%", at + 1)) {
    const c = escapedAt(base64, at);
    if (c !== PLUS && c !== SLASH && c !== EQUALS) continue;
    written += base64.slice(from, at) + String.fromCharCode(c);
    from = at + 3;
  }
  return from === 0 ? base64 : written + base64.slice(from);
}

/**
 * How the text of a data URI or mail part is read: as UTF-8 when it is UTF-8 text, else in the charset
 * it declares when there is a decoder for it, else as Windows-1252. A part sent `charset=iso-8859-1`
 * (mail clients still do) was read as UTF-8 only, and its first "ü" made the whole body go out as
 * written. UTF-8 comes first because labels are often wrong and some charsets read any bytes: an ASCII
 * body labelled `utf-16` read in it is CJK (`牷瑩⁥…`), and a UTF-8 one labelled `iso-8859-1` is
 * mojibake (`ZoÃ«`), so the address or name inside went out. Text really in UTF-16 has NUL bytes, which
 * UTF-8 reads as control characters, and text really in Latin-1 is rarely valid UTF-8: both go on to
 * their charset. Bytes that are not text still are not read: they hold control characters (`BINARY`)
 * in any charset.
 */
function textDecoders(charset: string | undefined): readonly TextDecoder[] {
  const declared = charset === undefined ? undefined : decoderFor(charset);
  return declared === undefined || declared.encoding === "utf-8" || declared.encoding === "windows-1252" ? UTF8_THEN_1252 : [UTF8, declared, WINDOWS_1252];
}

const UTF8_THEN_1252 = [UTF8, WINDOWS_1252];
const UTF8_ONLY = [UTF8];
const WINDOWS_1252_ONLY = [WINDOWS_1252];

/**
 * base64 JSON's text: as UTF-8 when it is UTF-8 (as JSON is written, RFC 8259), else as Windows-1252,
 * as data URIs and mail parts are read. Older systems still write JSON in Latin-1, and one "é" in it
 * made the whole blob, email address included, go out as written. Bytes that are UTF-8 by chance are
 * not Latin-1 text, so UTF-8 comes first. Windows-1252 reads any bytes: its reading must be JSON from
 * its first character to its last (`{…}`, `[…]`), which bytes that are not text (they start `{"`, as
 * every candidate does) hardly ever end as, beside holding no control characters.
 */
function jsonText(base64: string): string | undefined {
  const utf8 = decodedText(base64, UTF8_ONLY);
  if (utf8 !== undefined) return JSON_START.test(utf8) ? utf8 : undefined;
  const latin1 = decodedText(base64, WINDOWS_1252_ONLY);
  return latin1 !== undefined && isWholeJson(latin1) ? latin1 : undefined;
}

/** Whether `text`, whitespace around it aside, opens and closes as a JSON object or array. */
function isWholeJson(text: string): boolean {
  const json = text.trim();
  return (json.startsWith("{") && json.endsWith("}")) || (json.startsWith("[") && json.endsWith("]"));
}

/** Decoders by the charset label as written, null for a label no decoder has. */
const decoders = new Map<string, TextDecoder | null>();

function decoderFor(charset: string): TextDecoder | undefined {
  const label = charset.toLowerCase();
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label, { fatal: true });
    } catch (error) {
      // A label no decoder has (`x-unknown`): the fallbacks read it. Anything else is a fault.
      if (!(error instanceof RangeError)) throw error;
      decoder = null;
    }
    // Labels are taken from texts: keep the map small whatever they hold.
    if (decoders.size < 256) decoders.set(label, decoder);
  }
  return decoder ?? undefined;
}

/** `base64` decoded by the first of `readers` that reads it as text (no control characters), or undefined. */
function decodedText(base64: string, readers: readonly TextDecoder[]): string | undefined {
  // Node's base64 decoder takes the URL-safe alphabet too, and skips line breaks (and `%`, so the
  // escapes `runEnd` takes in are decoded first).
  const bytes = bytesOf(unescaped(base64));
  if (bytes.length === 0) return undefined;
  for (const reader of readers) {
    let decoded: string;
    try {
      decoded = reader.decode(bytes);
    } catch (error) {
      // A fatal decoder throws a TypeError on bytes its charset does not have: try the next.
      if (error instanceof TypeError) continue;
      throw error;
    }
    // Control characters: not text in this charset (UTF-16 read as UTF-8), perhaps in the next.
    if (!BINARY.test(decoded)) return decoded;
  }
  return undefined;
}

/**
 * The bytes of `base64`. Padding inside it (lines encoded one by one, then joined) ends a chunk: Node's
 * decoder stops at the first padding, and would drop the rest without a word.
 */
function bytesOf(base64: string): Buffer {
  const padding = base64.indexOf("=");
  if (padding === -1 || padding >= base64.length - 2 || !PADDING_INSIDE.test(base64)) return Buffer.from(base64, "base64");
  return Buffer.concat(base64.split(PADDING_INSIDE).map((chunk) => Buffer.from(chunk, "base64")));
}

/** Between the padding that ends a chunk and the base64 after it (whitespace between them goes with it). */
const PADDING_INSIDE = /(?<==)\s*(?=[^=\s])/;

/** A character of either base64 alphabet, padding excluded. */
function isBase64(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f;
}
