/**
 * Puts original values back where the model's answer repeats a placeholder (`<PERSON_1>` → "Ana Silva").
 * Placeholders the vault does not know pass through unchanged.
 */
import { toolCallParts, withToolCallText, type ToolCallShape } from "../api/chat-request.js";
import { BACKSLASH } from "./char-codes.js";
import { PLACEHOLDER_BODY, type PseudonymVault } from "./vault.js";

const BRACKETED = `(<)(${PLACEHOLDER_BODY})>`;
/**
 * In JSON text (tool-call arguments) `<` and `>` may also come escaped, `\u003c` and `\u003e`, as some
 * serializers write them: once parsed, the same placeholder.
 */
const JSON_BRACKETED = String.raw`(<|\\u003[cC])(${PLACEHOLDER_BODY})(?:>|\\u003[eE])`;
/** A placeholder without brackets, as a message `name` carries it (`PERSON_1`), ending a word. */
const BARE = `(${PLACEHOLDER_BODY})(?![A-Za-z0-9_])`;
// Groups: 1 the opening bracket, 2 the bracketed placeholder's inside, 3 a bare alias. Bare aliases are
// looked for only in requests that handed one out: elsewhere every capitalised word would be a try.
const PATTERNS = {
  text: new RegExp(BRACKETED, "g"),
  json: new RegExp(JSON_BRACKETED, "g"),
  textOrBare: new RegExp(`${BRACKETED}|${BARE}`, "g"),
  jsonOrBare: new RegExp(`${JSON_BRACKETED}|${BARE}`, "g"),
};
const WORD_CHAR = /[A-Za-z0-9_]/;
/** JSON escapes written with a letter ("\n"): what they stand for is no word character. */
const LETTER_ESCAPES = "nrtbf";
// The longest placeholder: "<" + a 40-character type + "_" + a counter of up to 9 digits + ">".
const MAX_PLACEHOLDER = 1 + 40 + 1 + 9 + 1;
/** The longest bare alias: a placeholder without its brackets. */
const MAX_BARE = MAX_PLACEHOLDER - 2;
// The same with both brackets escaped ("\u003c" … "\u003e").
const MAX_JSON_PLACEHOLDER = MAX_PLACEHOLDER + 2 * 5;
const PARTIAL = /^<[A-Z0-9_]*$/;
/** A placeholder's beginning in JSON text, from its opening bracket: "<PER", "\u003cPER", "<PERSON_1\u0". */
const JSON_PARTIAL = /^(?:<|\\u003[cC])[A-Z0-9_]*(?:\\(?:u(?:0(?:0(?:3)?)?)?)?)?$/;
/** An escaped bracket cut short: "\", "\u", … "\u003". */
const ESCAPE_PARTIAL = /^\\(?:u(?:0(?:0(?:3)?)?)?)?$/;

export interface RestoreOptions {
  /** The text is JSON (tool-call arguments): values are escaped as JSON string content. */
  json?: boolean;
}

const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);

/** @example restore("Dear <PERSON_1>,", vault) // "Dear Ana Silva," */
export function restore(text: string, vault: PseudonymVault, options: RestoreOptions = {}): string {
  return restoreAfter(text, vault, options, START);
}

/** What the text sent before a piece ends with, as far as reading a placeholder at the piece's start needs. */
interface Before {
  /** JSON only: an open backslash, so the piece's first character is escaped. */
  escaped: boolean;
  /** A word character, so a bare alias at the piece's start would be the end of a longer word. */
  word: boolean;
}

const START: Readonly<Before> = { escaped: false, word: false };

function restoreAfter(text: string, vault: PseudonymVault, options: RestoreOptions, before: Readonly<Before>): string {
  const json = options.json === true;
  const bare = vault.bareAliases();
  if (vault.size === 0 || (bare.size === 0 && !text.includes("<") && !(json && text.includes("\\u003")))) return text;
  const pattern = bare.size === 0 ? (json ? PATTERNS.json : PATTERNS.text) : json ? PATTERNS.jsonOrBare : PATTERNS.textOrBare;
  pattern.lastIndex = 0;
  let restored = "";
  let copied = 0;
  for (let found = pattern.exec(text); found !== null; found = pattern.exec(text)) {
    const [match, open, inside, alias] = found;
    let placeholder: string;
    if (alias !== undefined) {
      // Only an alias this request handed out, and only as a whole word: "PERSON_12" or "XPERSON_1" are not it.
      if (!bare.has(alias) || !boundaryAt(text, found.index, before, json)) continue;
      placeholder = `<${alias}>`;
    } else {
      // "\\u003c…" is an escaped backslash and the text "u003c…", not a placeholder.
      if (open !== "<" && escapedAt(text, found.index, before.escaped)) continue;
      placeholder = `<${inside}>`;
    }
    const value = vault.valueOf(placeholder);
    if (value === undefined) continue;
    restored += text.slice(copied, found.index) + (json ? jsonEscape(value) : value);
    copied = found.index + match.length;
  }
  return copied === 0 ? text : restored + text.slice(copied);
}

/** Whether `text[index]` starts a word: nothing, or no word character, comes before it. */
function boundaryAt(text: string, index: number, before: Readonly<Before>, json: boolean): boolean {
  if (index === 0) return !before.word;
  const previous = text[index - 1]!;
  if (!WORD_CHAR.test(previous)) return true;
  // In JSON "\nPERSON_1" is a line break and a name, not the word "nPERSON_1".
  return json && LETTER_ESCAPES.includes(previous) && escapedAt(text, index - 1, before.escaped);
}

/** What `text` leaves the next piece with (written into `before`: this runs for every delta). */
function moveBefore(before: Before, text: string, json: boolean, bare: boolean): void {
  if (text.length === 0) return;
  const escaped = json && escapedAt(text, text.length, before.escaped);
  before.word = bare && !boundaryAt(text, text.length, before, json);
  before.escaped = escaped;
}

/** Whether `text[index]` follows an odd run of backslashes, those before `text` counted as `escapedStart` says. */
function escapedAt(text: string, index: number, escapedStart: boolean): boolean {
  let start = index;
  while (start > 0 && text.charCodeAt(start - 1) === BACKSLASH) start--;
  const odd = (index - start) % 2 === 1;
  return start === 0 ? odd !== escapedStart : odd;
}

/**
 * The call with its placeholders restored (JSON-escaped in function arguments, as is in a custom
 * call's input); the same object when there was nothing to restore.
 */
export function restoreToolCall<C extends ToolCallShape>(call: C, vault: PseudonymVault): C {
  const { text, json } = toolCallParts(call);
  const restored = restore(text, vault, { json });
  return restored === text ? call : withToolCallText(call, restored);
}

export interface StreamRestorer {
  /** Restored text that is safe to emit now; a possible placeholder prefix at the end is held back. */
  push(delta: string): string;
  /** Whatever is still held back, at the end of the stream. */
  flush(): string;
}

/**
 * For streamed answers, where a placeholder can arrive split across deltas ("<PER", "SON_1>"). Use one
 * per stream: one for the content and one per tool call's arguments (with `json: true`).
 *
 * @example
 * const restorer = createStreamRestorer(vault);
 * for await (const delta of deltas) send(restorer.push(delta));
 * send(restorer.flush());
 */
export function createStreamRestorer(vault: PseudonymVault, options: RestoreOptions = {}): StreamRestorer {
  const json = options.json === true;
  let held = "";
  const before: Before = { ...START };
  const emit = (text: string) => {
    const restored = restoreAfter(text, vault, options, before);
    moveBefore(before, text, json, vault.bareAliases().size > 0);
    return restored;
  };
  return {
    push(delta) {
      if (vault.size === 0 && held === "") return delta;
      const text = held + delta;
      const cut = earliest(partialStart(text, json), aliasStart(text, vault.bareAliasStarts()));
      held = cut === -1 ? "" : text.slice(cut);
      return emit(cut === -1 ? text : text.slice(0, cut));
    },
    flush() {
      const rest = held;
      held = "";
      return emit(rest);
    },
  };
}

/** Where a placeholder that the next delta may complete begins at the end of `text`, or -1. */
function partialStart(text: string, json: boolean): number {
  if (!json) {
    const open = text.lastIndexOf("<");
    return open !== -1 && text.length - open < MAX_PLACEHOLDER && PARTIAL.test(text.slice(open)) ? open : -1;
  }
  // Only the last opening bracket can begin a partial placeholder: a later one cannot be inside it.
  const open = Math.max(text.lastIndexOf("<"), text.lastIndexOf("\\u003c"), text.lastIndexOf("\\u003C"));
  if (open !== -1 && text.length - open < MAX_JSON_PLACEHOLDER && JSON_PARTIAL.test(text.slice(open))) return open;
  const slash = text.lastIndexOf("\\");
  return slash !== -1 && text.length - slash <= "\\u003".length && ESCAPE_PARTIAL.test(text.slice(slash)) ? slash : -1;
}

/**
 * Where a bare alias the next delta may complete begins at the end of `text` ("PERS", or "PERSON_1",
 * which "2" would make another), or -1. It is held back whatever precedes it: once it is complete,
 * the restoring decides whether it is a whole word. Each of the last characters is looked up once
 * among the aliases' starts, so a delta costs the same however many aliases the request handed out.
 */
function aliasStart(text: string, starts: ReadonlySet<string>): number {
  if (starts.size === 0) return -1;
  for (let i = Math.max(0, text.length - MAX_BARE); i < text.length; i++) if (starts.has(text.slice(i))) return i;
  return -1;
}

const earliest = (a: number, b: number) => (a === -1 ? b : b === -1 ? a : Math.min(a, b));
