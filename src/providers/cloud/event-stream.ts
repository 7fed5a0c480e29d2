/**
 * Reads an OpenAI-compatible server-sent event stream into chat completion chunks, straight from the
 * bytes (a Node response, or any web stream): the SDK's reader goes through WHATWG streams and a
 * generic line decoder, which costs more per chunk than the rest of the relay.
 *
 * Semantics follow the SDK's `Stream.fromSSEResponse`: `data:` lines make an event's payload, `[DONE]`
 * ends the answer, a payload carrying `error` fails the stream with the SDK's `APIError` (so error
 * mapping stays in one place), comments and other fields are ignored.
 */
import { StringDecoder } from "node:string_decoder";
import { APIError } from "openai";
import type { ChatCompletionChunk } from "../types.js";

export class MalformedEventError extends Error {
  constructor(detail: string) {
    super(`The upstream sent a malformed event: ${detail}`);
    this.name = "MalformedEventError";
  }
}

/**
 * Yields the chunks of one answer. After `[DONE]` it keeps reading to the end of the body, so the
 * connection goes back to the keep-alive pool instead of being torn down.
 */
export async function* readEventStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, headers: Headers | undefined): AsyncGenerator<ChatCompletionChunk> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let done = false;
  for await (const bytes of source) {
    if (done) continue;
    let text = pending + decoder.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    // A CR at the end may be the first half of a CRLF split between reads: it waits for the next one.
    const heldCR = text.endsWith("\r") ? "\r" : "";
    if (heldCR) text = text.slice(0, -1);
    if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
    let start = 0;
    for (let end = text.indexOf("\n\n"); end !== -1; end = text.indexOf("\n\n", start)) {
      const data = eventData(text, start, end);
      start = end + 2;
      if (data === undefined) continue;
      if (data.startsWith("[DONE]")) {
        done = true;
        break;
      }
      yield parseChunk(data, headers);
    }
    pending = done ? "" : text.slice(start) + heldCR;
  }
  if (done) return;
  const rest = (pending + decoder.end()).trim();
  // A last event without its blank line still counts (the SDK's decoder drops it): a body cut short
  // mid-event then fails as malformed instead of ending as if complete.
  if (rest.length > 0) {
    const data = eventData(rest, 0, rest.length);
    if (data !== undefined && !data.startsWith("[DONE]")) yield parseChunk(data, headers);
  }
}

/** The joined `data:` lines of the event in `text[start, end)`, or undefined when it has none. */
function eventData(text: string, start: number, end: number): string | undefined {
  // Fast path: the usual event is a single `data: …` line.
  if (text.startsWith("data: ", start)) {
    const lineEnd = text.indexOf("\n", start);
    if (lineEnd === -1 || lineEnd >= end) return text.slice(start + 6, end);
  }
  let data: string | undefined;
  for (const line of text.slice(start, end).split("\n")) {
    if (!line.startsWith("data:")) continue;
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data;
}

function parseChunk(data: string, headers: Headers | undefined): ChatCompletionChunk {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new MalformedEventError(`not JSON (${data.length} characters)`);
  }
  if (parsed === null || typeof parsed !== "object") throw new MalformedEventError("not an object");
  const error = (parsed as { error?: unknown }).error;
  if (error) throw new APIError(undefined, error as object, undefined, headers ?? new Headers());
  return parsed as ChatCompletionChunk;
}
