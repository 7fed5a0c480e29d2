/**
 * Puts original values back where the model's answer repeats a placeholder (`<PERSON_1>` → "Ana Silva").
 * Placeholders the vault does not know pass through unchanged.
 */
import { toolCallParts, withToolCallText, type ToolCallShape } from "../api/chat-request.js";
import type { PseudonymVault } from "./vault.js";

const TYPE_N = String.raw`[A-Z][A-Z0-9_]*_\d+`;
// Both patterns capture the opening bracket, then the placeholder's inside.
const PLACEHOLDER = new RegExp(`(<)(${TYPE_N})>`, "g");
/**
 * In JSON text (tool-call arguments) `<` and `>` may also come escaped, `\u003c` and `\u003e`, as some
 * serializers write them: once parsed, the same placeholder.
 */
const JSON_PLACEHOLDER = new RegExp(String.raw`(<|\\u003[cC])(${TYPE_N})(?:>|\\u003[eE])`, "g");
// The longest placeholder: "<" + a 40-character type + "_" + a counter of up to 9 digits + ">".
const MAX_PLACEHOLDER = 1 + 40 + 1 + 9 + 1;
// The same with both brackets escaped ("\u003c" … "\u003e").
const MAX_JSON_PLACEHOLDER = MAX_PLACEHOLDER + 2 * 5;
const PARTIAL = /^<[A-Z0-9_]*$/;
/** A placeholder's beginning at the end of JSON text: "<PER", "\u003cPER", "\u00", "<PERSON_1\u0". */
const JSON_PARTIAL = /(?:<|\\u003[cC])[A-Z0-9_]*(?:\\(?:u(?:0(?:0(?:3)?)?)?)?)?$|\\(?:u(?:0(?:0(?:3)?)?)?)?$/;
const BACKSLASH = 92;

export interface RestoreOptions {
  /** The text is JSON (tool-call arguments): values are escaped as JSON string content. */
  json?: boolean;
}

const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);

/** @example restore("Dear <PERSON_1>,", vault) // "Dear Ana Silva," */
export function restore(text: string, vault: PseudonymVault, options: RestoreOptions = {}): string {
  return restoreAfter(text, vault, options, false);
}

/**
 * `restore` for text that may continue JSON text already sent: `escapedStart` says its first character
 * follows an open backslash there, so a `\u003c` at its start is a literal backslash, not a bracket.
 */
function restoreAfter(text: string, vault: PseudonymVault, options: RestoreOptions, escapedStart: boolean): string {
  if (vault.size === 0 || !(text.includes("<") || (options.json && text.includes("\\u003")))) return text;
  return text.replace(options.json ? JSON_PLACEHOLDER : PLACEHOLDER, (match, open: string, inside: string, offset: number) => {
    // "\\u003c…" is an escaped backslash and the text "u003c…", not a placeholder.
    if (open !== "<" && escapedAt(text, offset, escapedStart)) return match;
    const value = vault.valueOf(`<${inside}>`);
    if (value === undefined) return match;
    return options.json ? jsonEscape(value) : value;
  });
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
  let held = "";
  // JSON only: whether the text sent so far ends in an open backslash (an escape the next piece completes).
  let escaped = false;
  const emit = (text: string) => {
    const restored = restoreAfter(text, vault, options, escaped);
    if (options.json) escaped = escapedAt(text, text.length, escaped);
    return restored;
  };
  return {
    push(delta) {
      if (vault.size === 0 && held === "") return delta;
      const text = held + delta;
      const cut = partialStart(text, options.json === true);
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
  const from = Math.max(0, text.length - MAX_JSON_PLACEHOLDER + 1);
  if (text.indexOf("<", from) === -1 && text.indexOf("\\", from) === -1) return -1;
  const match = JSON_PARTIAL.exec(text.slice(from));
  return match ? from + match.index : -1;
}
