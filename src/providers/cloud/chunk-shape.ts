/**
 * What an upstream event must carry to be a chat completion chunk. Servers and proxies drop parts
 * OpenAI always sends (a usage chunk without `choices`, a finish choice without `delta`, a choice
 * without `index`) or send an error in a shape the event reader does not know (`event: error` with
 * the message at the top level). The pipeline and the client's SDK index `choices[0].delta` (the SDK
 * files choices by `index`), so the first kind is completed here, once, and the second becomes an
 * upstream error that says what arrived.
 */
import type { ChatCompletionChunk } from "../types.js";
import { withoutSecrets } from "./error-body.js";
import { MalformedEventError } from "./malformed-event.js";

/**
 * The chunk with `choices`, each choice's `delta` and its `index` (its place when missing) present
 * (filled in place: no copy per chunk).
 * Throws `MalformedEventError` for an event with neither choices nor usage, quoting its message
 * without `secrets` (the provider's API key, should the upstream echo it).
 *
 * @example
 * checkedChunk({ choices: [{ finish_reason: "stop" }] }) // → choices[0]: index 0, delta {}
 */
export function checkedChunk(chunk: ChatCompletionChunk, secrets: readonly string[] = []): ChatCompletionChunk {
  const event = chunk as Partial<ChatCompletionChunk>;
  if (!Array.isArray(event.choices)) {
    if (event.usage == null || typeof event.usage !== "object") throw new MalformedEventError(`an event with neither choices nor usage (${described(chunk, secrets)})`);
    event.choices = [];
    return chunk;
  }
  for (const [position, choice] of (event.choices as Partial<ChatCompletionChunk.Choice>[]).entries()) {
    if (choice === null || typeof choice !== "object") throw new MalformedEventError("a choice that is not an object");
    // The OpenAI SDK files a choice by its index: one without it would be in no choice of its answer.
    if (typeof choice.index !== "number") choice.index = position;
    choice.delta ??= {};
  }
  return chunk;
}

/** The upstream's own message when it sent one, else the fields that arrived (never their values: they may hold anything). */
function described(event: object, secrets: readonly string[]): string {
  const message = (event as { message?: unknown }).message;
  // Redacted whole before the cut: a key cut in half would no longer be found.
  if (typeof message === "string" && message.length > 0) return `message: ${withoutSecrets(message, secrets).slice(0, 300)}`;
  const fields = Object.keys(event);
  return fields.length > 0 ? `fields: ${fields.slice(0, 10).join(", ")}` : "an empty object";
}
