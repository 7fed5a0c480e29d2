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
import type { Gazetteers } from "./gazetteers.js";
import { AMBIGUOUS_PERSON_NAME_KEY, PERSON_NAME_KEY, startsKeyWord } from "../person-name-keys.js";
import { isLowerCaseNameValue, isNameShaped, placeholderOnly } from "./name-values.js";
import { partitionPoint } from "../partition-point.js";
import { codeUnitSet, isWhiteSpace } from "../char-codes.js";
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
const BARE_COLON_VALUE_END = codeUnitSet("\r\n,;:=}]&#<>\"'`");
const BARE_EQUALS_VALUE_END = codeUnitSet(",;:=&<>\"'`", true);
/** What ends an XML element's text: `<`. */
const isElementTextEnd = (c: number) => c === 0x3c;

interface Span {
  start: number;
  end: number;
}

/** A value and whether its place says it is one (a quoted string, a form's pair), so that lower case may be a name. */
interface Value extends Span {
  written: boolean;
}

/** A value of one shape whatever span it came from: spreading spans cost more than reading them on key-dense text. */
function valueOf(span: Span, written: boolean): Value {
  return { start: span.start, end: span.end, written };
}

/** The span of `text` from `start` up to the first character `end` matches (or the bound), trimmed of spaces. */
function bareValue(text: string, start: number, isEnd: (c: number) => boolean): Span | undefined {
  let stop = start;
  const limit = Math.min(text.length, start + MAX_VALUE_CHARS);
  while (stop < limit && !isEnd(text.charCodeAt(stop))) stop++;
  if (stop === limit && limit < text.length) return undefined;
  return trimmed(text, start, stop);
}

function trimmed(text: string, start: number, end: number): Span | undefined {
  while (start < end && isWhiteSpace(text.charCodeAt(start))) start++;
  while (end > start && isWhiteSpace(text.charCodeAt(end - 1))) end--;
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
  const value = bareValue(text, close + 1, isElementTextEnd);
  return value && text.startsWith("</", value.end + trailingSpaces(text, value.end)) ? value : undefined;
}

function trailingSpaces(text: string, at: number): number {
  let n = 0;
  while (isWhiteSpace(text.charCodeAt(at + n))) n++;
  return n;
}

/**
 * The value written for the key at `start`..`end`, if structured data follows it: a quoted key closed and
 * a colon, `=`, `=>` or `:=`, then a quoted value; a bare value after a colon (YAML) only under a key written
 * as one word (`last_name: KOWALSKA`; "Sort by last name: Ascending" is prose) and after a glued `=` (a form);
 * an element's text under a start tag.
 */
function valueAfterKey(text: string, start: number, end: number): Value | undefined {
  if (text[start - 1] === "<") {
    const element = elementText(text, end);
    return element && valueOf(element, false);
  }
  let at = end;
  const keyQuote = isQuote(text[start - 1]) ? text[start - 1] : undefined;
  const escapedKeyQuote = keyQuote !== undefined && text[start - 2] === "\\";
  if (keyQuote !== undefined) {
    if (escapedKeyQuote && text[at++] !== "\\") return undefined;
    if (text[at++] !== keyQuote) return undefined;
  }
  const glued = at;
  // TypeScript's optional member: `lastName?: string = "…"`.
  if (keyQuote === undefined && text[at] === "?" && text[at + 1] === ":") at++;
  while (text[at] === " " || text[at] === "\t") at++;
  const operator = text.startsWith("=>", at) || text.startsWith(":=", at) ? text.slice(at, at + 2) : text[at];
  if (operator !== ":" && operator !== "=" && operator !== "=>" && operator !== ":=") return undefined;
  at += operator.length;
  const valueAt = at;
  while (text[at] === " " || text[at] === "\t") at++;
  const quoted = quotedValue(text, at);
  if (quoted !== undefined || text[at] === "\\" || isQuote(text[at])) return quoted && valueOf(quoted, true);
  if (operator === ":" && keyQuote === undefined) {
    const typed = typedAssignment(text, at);
    if (typed !== "none") return typed === "other" ? undefined : valueOf(typed, true);
  }
  if (operator === ":" && !hasWhiteSpace(text, start, end)) {
    const bare = bareValue(text, at, BARE_COLON_VALUE_END);
    return bare && valueOf(bare, false);
  }
  if (operator === "=" && at === valueAt && glued === valueAt - 1) {
    const bare = bareValue(text, at, BARE_EQUALS_VALUE_END);
    return bare && valueOf(bare, formPair(text, start, bare.end));
  }
  return undefined;
}

function hasWhiteSpace(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (isWhiteSpace(text.charCodeAt(i))) return true;
  return false;
}

/** A type annotation's type, at most this long: `str`, `Optional[str]`, `str | None`, `string`. */
const MAX_TYPE_CHARS = 40;
const TYPE_CHAR = /[\p{L}\p{N}_.[\]|?, ]/u;
const ASCII_TYPE_CHAR = codeUnitSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]|?, ");
/** TYPE_CHAR's test, by a lookup for ASCII (most of what it reads). */
const isTypeChar = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return c < 128 ? ASCII_TYPE_CHAR(c) : TYPE_CHAR.test(text[i]!);
};

/**
 * After a key's colon at `at`, a typed assignment's quoted value (Python's `last_name: str = "…"`, TypeScript's
 * `lastName: string = "…"`); "other" when a type is assigned something else (`first_name: str = Field(...)`),
 * "none" when no type and `=` follow.
 */
function typedAssignment(text: string, at: number): Span | "other" | "none" {
  if (!/[\p{L}_]/u.test(text[at] ?? "")) return "none";
  const limit = Math.min(text.length, at + MAX_TYPE_CHARS);
  let i = at;
  while (i < limit && isTypeChar(text, i)) i++;
  if (text[i] !== "=" || text[i + 1] === "=" || text[i + 1] === ">") return "none";
  i++;
  while (text[i] === " " || text[i] === "\t") i++;
  return quotedValue(text, i) ?? "other";
}

/**
 * Whether a glued `key=value` pair is a form's or a query's (`first_name=maria&last_name=kowalska`): after the
 * text's start, a space, `?` or `&`, and ended by `&`, a space or the text's end; a keyword argument
 * (`User(first_name=fname, …)`) is code, its value a variable.
 */
function formPair(text: string, keyStart: number, valueEnd: number): boolean {
  let start = keyStart;
  while (start > 0 && /[\p{L}\p{N}_\-]/u.test(text[start - 1]!)) start--;
  const before = text[start - 1];
  const after = text[valueEnd];
  return (before === undefined || before === "?" || before === "&" || /\s/u.test(before)) && (after === undefined || after === "&" || /\s/u.test(after));
}

/** A `name` or `id` attribute's quoted value up to a key: `name="last_name`, `name='user[last_name]`, `id="firstName`. */
const NAMING_ATTRIBUTE_BEFORE = /(?:^|\s)(?:name|id)\s*=\s*["'][\p{L}\p{N}_\-[\]]{0,40}$/iu;
/** An input's `value` attribute in a start tag: group 2 its quoted text. */
const VALUE_ATTRIBUTE = /(?:^|\s)value\s*=\s*(["'])([^"'<>\n]*)\1/iu;

/**
 * The `value` of the HTML element whose `name` or `id` attribute is the key at `start`..`end`, before or after
 * it in the start tag (`<input name="last_name" value="Kowalska">`, `<input value="Kowalska" name="last_name">`).
 */
function inputValue(text: string, start: number, end: number): Value | undefined {
  if (!isQuote(text[start - 1]) && text[start - 1] !== "[") return undefined;
  let open = start;
  const low = Math.max(0, start - MAX_ATTRIBUTE_CHARS);
  while (open > low && text[open] !== "<" && text[open] !== ">") open--;
  if (text[open] !== "<" || !NAMING_ATTRIBUTE_BEFORE.test(text.slice(open, start))) return undefined;
  let close = end;
  const high = Math.min(text.length, end + MAX_ATTRIBUTE_CHARS);
  while (close < high && text[close] !== ">" && text[close] !== "<") close++;
  if (text[close] !== ">") return undefined;
  const tag = text.slice(open, close);
  const value = VALUE_ATTRIBUTE.exec(tag);
  if (!value) return undefined;
  const valueStart = open + value.index + value[0].length - 1 - value[2]!.length;
  const span = trimmed(text, valueStart, valueStart + value[2]!.length);
  return span && valueOf(span, true);
}

/**
 * Whether a person's key (`starts`, ascending) is within NEAR_CHARS of `at` and in the same record
 * (sameRecord).
 */
function besidePersonKey(text: string, starts: number[], at: number): boolean {
  const low = partitionPoint(starts.length, (i) => starts[i]! < at);
  return (low > 0 && sameRecord(text, starts[low - 1]!, at)) || (low < starts.length && sameRecord(text, at, starts[low]!));
}

/**
 * Whether keys at `from` and `to` are fields of one record: no brace or parenthesis between them
 * (`{"last_name": "Apellido"}` is a translation table, `{"nombre": "Laptop Pro"}` after it a product;
 * `Producto(nombre=…)` after `Cliente(…)`), and on one line or each first on its line at one indentation
 * with no line less indented between (YAML's `cliente:` and `producto:` are two records; a key inside a SQL
 * statement's line is no field of the one on the line before).
 */
function sameRecord(text: string, from: number, to: number): boolean {
  if (to - from > NEAR_CHARS) return false;
  const between = text.slice(from, to);
  if (RECORD_BOUNDARY.test(between)) return false;
  if (!between.includes("\n")) return true;
  const indent = keyIndent(text, from);
  if (indent === undefined || keyIndent(text, to) !== indent) return false;
  // The lines between the two keys' lines; blank ones end nothing.
  return between.split("\n").slice(1, -1).every((line) => !/\S/u.test(line) || LINE_INDENT.exec(line)![0].length >= indent);
}
const RECORD_BOUNDARY = /[{}()]/u;
/** A line's indentation, a YAML or Markdown list item's dash counted (`- nombre: Ana` then `  apellido: Ruiz`). */
const LINE_INDENT = /^[ \t]*(?:[-*+][ \t]+)?/u;
/**
 * What may stand between a field's key and its line's indentation: its quote or an element's `<`, or an HTML
 * form's tags up to the input's naming attribute (`<label>Nombre</label> <input name="nombre`).
 */
const KEY_OPENER = /^\\?["'`<]?$|<[^<>]*\s(?:name|id)\s*=\s*["'][\p{L}\p{N}_\-[\]]{0,40}$/iu;

/** The indentation of the line of the key at `at`, if the key is the first thing on it. */
function keyIndent(text: string, at: number): number | undefined {
  // A key far into its line is not its first thing: the look back stays bounded on a long line.
  let lineStart = at;
  const low = Math.max(0, at - NEAR_CHARS);
  while (lineStart > low && text[lineStart - 1] !== "\n") lineStart--;
  if (lineStart > 0 && text[lineStart - 1] !== "\n") return undefined;
  const line = text.slice(lineStart, at);
  const indent = LINE_INDENT.exec(line)![0].length;
  return KEY_OPENER.test(line.slice(indent)) ? indent : undefined;
}

/** Whether a neighbouring value of the same record as `candidates[index]` is a name, not a placeholder. */
function besideRealName(text: string, candidates: { key: number; placeholder: boolean }[], index: number): boolean {
  const at = candidates[index]!.key;
  for (const step of [-1, 1]) {
    for (let other = index + step; other >= 0 && other < candidates.length; other += step) {
      const key = candidates[other]!.key;
      if (!sameRecord(text, Math.min(at, key), Math.max(at, key))) break;
      if (!candidates[other]!.placeholder) return true;
    }
  }
  return false;
}

/** What the lexicon knows of words, for values under a person's field (gazetteers.ts): its given names. */
export type NameLexicon = Pick<Gazetteers, "firstNames">;

/** With `lexicon`, compound given names ("MaryBeth") are read as names too. */
export function nameFieldsRecognizer(lexicon?: NameLexicon): Recognizer {
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
      // A loop, not flatMap: an array a key cost more than the rest of a key-dense text's reading.
      const personKeyStarts: number[] = [];
      for (const key of found) if (!key.ambiguous) personKeyStarts.push(key.start);
      if (personKeyStarts.length === 0) return;
      const candidates: (Span & { key: number; placeholder: boolean })[] = [];
      for (const key of found) {
        if (++tried % CHECK_EVERY === 0) deadline.check();
        if (key.ambiguous && !besidePersonKey(text, personKeyStarts, key.start)) continue;
        const value = valueAfterKey(text, key.start, key.end) ?? inputValue(text, key.start, key.end);
        if (value === undefined) continue;
        const written = text.slice(value.start, value.end);
        if (isNameShaped(written, lexicon?.firstNames)) candidates.push({ start: value.start, end: value.end, key: key.start, placeholder: placeholderOnly(written) });
        else if (value.written && isLowerCaseNameValue(written)) candidates.push({ start: value.start, end: value.end, key: key.start, placeholder: false });
      }
      // A placeholder's word is a name beside a real one in its record (`"first_name": "Christopher",
      // "last_name": "Guest"`), as in a table's row (name-columns.ts); a record of placeholders is a fixture's.
      for (const [index, candidate] of candidates.entries()) {
        if (candidate.placeholder && !besideRealName(text, candidates, index)) continue;
        out.push({ type: "PERSON", start: candidate.start, end: candidate.end, score: SCORE });
      }
    },
  };
}
