/**
 * Puts original values back where the model's answer repeats a placeholder (`<PERSON_1>` → "Ana Silva").
 * Placeholders the vault does not know pass through unchanged.
 */
import { toolCallParts, withToolCallText, type ToolCallShape } from "../api/chat-request.js";
import type { PseudonymVault } from "./vault.js";

const PLACEHOLDER = /<[A-Z][A-Z0-9_]*_\d+>/g;
// The longest placeholder: "<" + a 40-character type + "_" + a counter of up to 9 digits + ">".
const MAX_PLACEHOLDER = 1 + 40 + 1 + 9 + 1;
const PARTIAL = /^<[A-Z0-9_]*$/;

export interface RestoreOptions {
  /** The text is JSON (tool-call arguments): values are escaped as JSON string content. */
  json?: boolean;
}

const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);

/** @example restore("Dear <PERSON_1>,", vault) // "Dear Ana Silva," */
export function restore(text: string, vault: PseudonymVault, options: RestoreOptions = {}): string {
  if (vault.size === 0 || !text.includes("<")) return text;
  return text.replace(PLACEHOLDER, (placeholder) => {
    const value = vault.valueOf(placeholder);
    if (value === undefined) return placeholder;
    return options.json ? jsonEscape(value) : value;
  });
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
  return {
    push(delta) {
      if (vault.size === 0 && held === "") return delta;
      const text = held + delta;
      const open = text.lastIndexOf("<");
      if (open !== -1 && text.length - open < MAX_PLACEHOLDER && PARTIAL.test(text.slice(open))) {
        held = text.slice(open);
        return restore(text.slice(0, open), vault, options);
      }
      held = "";
      return restore(text, vault, options);
    },
    flush() {
      const rest = held;
      held = "";
      return restore(rest, vault, options);
    },
  };
}
