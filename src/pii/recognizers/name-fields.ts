/**
 * The whole value under a person's name field in structured data pasted into a message: JSON (escaped
 * inside a JSON string too), YAML, a form or query, code (`=`, PHP's and Ruby's `=>`, Go's `:=`, keyword
 * arguments), XML elements with or without attributes. Under "last_name" a value is a surname whatever the
 * lexicon knows of it, so it is masked on its shape alone (name-values.ts): `{"last_name":"KOWALSKA"}`,
 * `"family_name": "van der Berg"` and `<last_name type="legal">Kowalska</last_name>` went to the cloud in
 * clear, as no name rule of running text reads a lone word in capitals or a value that starts lower case.
 */
import type { Deadline } from "../budget.js";
import type { Entity } from "../entity.js";
import { AMBIGUOUS_PERSON_NAME_KEY, PERSON_NAME_KEY, startsKeyWord } from "../person-name-keys.js";
import { isNameValue } from "./name-values.js";
import { CHECK_EVERY, type Recognizer } from "./recognizer.js";

/** Group 1: a key that names a person; otherwise the ambiguous "nombre", "nome", "nom". */
const KEYS = new RegExp(`(${PERSON_NAME_KEY})|${AMBIGUOUS_PERSON_NAME_KEY}`, "giu");
/** How near a person's field makes "nombre", "nome" or "nom" one too: a record of a few fields. */
const NEAR_CHARS = 200;
/** A name is shorter; past this a value is prose or code, and each key's look ahead stays bounded. */
const MAX_VALUE_CHARS = 100;
/** An XML element's attributes (`<last_name type="legal" xml:lang="es">`), at most this long. */
const MAX_ATTRIBUTE_CHARS = 200;
/** A value's score: as high as a name after "last name:" in text. */
const SCORE = 0.8;
const QUOTES = "\"'`";
const isQuote = (char: string | undefined): char is string => char !== undefined && char !== "" && QUOTES.includes(char);
/** What ends a bare value after a colon (YAML, a flow mapping) or glued after `=` (a form, a query, a log line). */
const BARE_COLON_VALUE_END = /[\r\n,;:=}\]&#<>"'`]/u;
const BARE_EQUALS_VALUE_END = /[\s,;:=&<>"'`]/u;

interface Span {
  start: number;
  end: number;
}

/** The span of `text` from `start` up to the first character `end` matches (or the bound), trimmed of spaces. */
function bareValue(text: string, start: number, end: RegExp): Span | undefined {
  let stop = start;
  const limit = Math.min(text.length, start + MAX_VALUE_CHARS);
  while (stop < limit && !end.test(text[stop]!)) stop++;
  if (stop === limit && limit < text.length) return undefined;
  return trimmed(text, start, stop);
}

function trimmed(text: string, start: number, end: number): Span | undefined {
  while (start < end && /\s/u.test(text[start]!)) start++;
  while (end > start && /\s/u.test(text[end - 1]!)) end--;
  return end > start ? { start, end } : undefined;
}

/** A quoted value at `at` (`"…"`, `'…'`, `` `…` ``, or `\"…\"` inside a JSON string) on one line: its inside. */
function quotedValue(text: string, at: number): Span | undefined {
  const escaped = text[at] === "\\";
  const quote = text[at + (escaped ? 1 : 0)];
  if (!isQuote(quote)) return undefined;
  const start = at + (escaped ? 2 : 1);
  const limit = Math.min(text.length, start + MAX_VALUE_CHARS);
  for (let i = start; i < limit; i++) {
    if (text[i] === "\n") return undefined;
    if (text[i] === quote) return escaped && text[i - 1] !== "\\" ? undefined : { start, end: escaped ? i - 1 : i };
  }
  return undefined;
}

/** An XML element's text after its start tag's key ends at `keyEnd` (`<last_name>`, `<FirstName xml:lang="es">`). */
function elementText(text: string, keyEnd: number): Span | undefined {
  let close = keyEnd;
  if (text[close] !== ">") {
    if (text[close] !== " " && text[close] !== "\t") return undefined;
    const limit = Math.min(text.length, keyEnd + MAX_ATTRIBUTE_CHARS);
    while (close < limit && text[close] !== ">" && text[close] !== "<") close++;
    // `<last_name/>` and `<last_name nil="true"/>` hold nothing.
    if (text[close] !== ">" || text[close - 1] === "/") return undefined;
  }
  const value = bareValue(text, close + 1, /</u);
  return value && text.startsWith("</", value.end + trailingSpaces(text, value.end)) ? value : undefined;
}

function trailingSpaces(text: string, at: number): number {
  let n = 0;
  while (/\s/u.test(text[at + n] ?? "")) n++;
  return n;
}

/**
 * The value written for the key at `start`..`end`, if structured data follows it: a quoted key closed and
 * a colon, `=`, `=>` or `:=`, then a quoted value; a bare value after a colon (YAML) only under a key written
 * as one word (`last_name: KOWALSKA`; "Sort by last name: Ascending" is prose) and after a glued `=` (a form);
 * an element's text under a start tag.
 */
function valueAfterKey(text: string, start: number, end: number): Span | undefined {
  if (text[start - 1] === "<") return elementText(text, end);
  let at = end;
  const keyQuote = isQuote(text[start - 1]) ? text[start - 1] : undefined;
  const escapedKeyQuote = keyQuote !== undefined && text[start - 2] === "\\";
  if (keyQuote !== undefined) {
    if (escapedKeyQuote && text[at++] !== "\\") return undefined;
    if (text[at++] !== keyQuote) return undefined;
  }
  const glued = at;
  while (text[at] === " " || text[at] === "\t") at++;
  const operator = text.startsWith("=>", at) || text.startsWith(":=", at) ? text.slice(at, at + 2) : text[at];
  if (operator !== ":" && operator !== "=" && operator !== "=>" && operator !== ":=") return undefined;
  at += operator.length;
  const valueAt = at;
  while (text[at] === " " || text[at] === "\t") at++;
  const quoted = quotedValue(text, at);
  if (quoted !== undefined || text[at] === "\\" || isQuote(text[at])) return quoted;
  if (operator === ":" && !/\s/u.test(text.slice(start, end))) return bareValue(text, at, BARE_COLON_VALUE_END);
  if (operator === "=" && at === valueAt && glued === valueAt - 1) return bareValue(text, at, BARE_EQUALS_VALUE_END);
  return undefined;
}

/**
 * Whether a person's key (`starts`, ascending) is within NEAR_CHARS of `at` and in the same record: no brace
 * between them (`{"last_name": "Apellido"}` is a translation table, `{"nombre": "Laptop Pro"}` after it a
 * product).
 */
function besidePersonKey(text: string, starts: number[], at: number): boolean {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (starts[middle]! < at) low = middle + 1;
    else high = middle;
  }
  const sameRecord = (from: number, to: number) => to - from <= NEAR_CHARS && !RECORD_BOUNDARY.test(text.slice(from, to));
  return (low > 0 && sameRecord(starts[low - 1]!, at)) || (low < starts.length && sameRecord(at, starts[low]!));
}
const RECORD_BOUNDARY = /[{}]/u;

export function nameFieldsRecognizer(): Recognizer {
  const keys = new RegExp(KEYS.source, KEYS.flags);
  return {
    name: "name-fields",
    scan(text: string, out: Entity[], deadline: Deadline) {
      const found: { start: number; end: number; ambiguous: boolean }[] = [];
      let tried = 0;
      keys.lastIndex = 0;
      for (let match = keys.exec(text); match !== null; match = keys.exec(text)) {
        if (++tried % CHECK_EVERY === 0) deadline.check();
        if (startsKeyWord(text, match.index)) found.push({ start: match.index, end: match.index + match[0].length, ambiguous: match[1] === undefined });
      }
      const personKeyStarts = found.flatMap((key) => (key.ambiguous ? [] : [key.start]));
      if (personKeyStarts.length === 0) return;
      for (const key of found) {
        if (++tried % CHECK_EVERY === 0) deadline.check();
        if (key.ambiguous && !besidePersonKey(text, personKeyStarts, key.start)) continue;
        const value = valueAfterKey(text, key.start, key.end);
        if (value && isNameValue(text.slice(value.start, value.end))) out.push({ type: "PERSON", start: value.start, end: value.end, score: SCORE });
      }
    },
  };
}
