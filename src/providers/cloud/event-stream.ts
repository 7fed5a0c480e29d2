/**
 * Reads an OpenAI-compatible server-sent event stream into chat completion chunks, straight from the
 * bytes (a Node response, or any web stream): the SDK's reader goes through WHATWG streams and a
 * generic line decoder, which costs more per chunk than the rest of the relay.
 *
 * Semantics follow the SDK's `Stream.fromSSEResponse`: `data:` lines make an event's payload, `[DONE]`
 * ends the answer, a payload carrying `error` fails the stream with the SDK's `APIError` (so error
 * mapping stays in one place), comments and other fields are ignored. Unlike the SDK's reader, a body
 * that ends after some chunks with neither `[DONE]` nor a `finish_reason` fails
 * (`UnfinishedStreamError`): the upstream (or a proxy before it) stopped mid-answer.
 */
import { StringDecoder } from "node:string_decoder";
import type { ChatCompletionChunk } from "../types.js";
import { checkedChunk } from "./chunk-shape.js";
import { upstreamBodyError, type UpstreamTextOptions } from "./error-body.js";
import { streamShaper } from "./answer-shape.js";
import { MalformedEventError } from "./malformed-event.js";

export { MalformedEventError };

/**
 * An event stream whose body ended after some chunks, with no `[DONE]` and no `finish_reason` on any
 * choice: an upstream or proxy restart closed the response cleanly mid-answer. Either mark alone ends
 * an answer (some servers never send `[DONE]`, some never a `finish_reason`); without both, what
 * arrived is a truncated answer, to fail like any other mid-stream upstream failure, never to relay
 * or store as complete.
 */
export class UnfinishedStreamError extends Error {
  constructor(chunks: number) {
    super(`the upstream stream ended before the answer finished (${chunks} chunk${chunks === 1 ? "" : "s"}, then the end of the body without a finish_reason or [DONE])`);
    this.name = "UnfinishedStreamError";
  }
}

/**
 * The longest event read, in characters (UTF-16 units, so up to twice that in memory). A chunk carries
 * a few tokens; even a server that sends a long answer with logprobs as one event stays within a few
 * MB. Beyond this the upstream is not sending events (no blank line ever comes), and holding more would
 * let one answer take the process's memory.
 */
export const MAX_EVENT_CHARS = 16 * 1024 * 1024;

const BOM = 0xfeff;

/**
 * Yields the chunks of one answer, and returns at `[DONE]` without waiting for the body to end: what
 * follows is the caller's to drain or drop (a `for await` calls the source's `return()` here, so a
 * source that must not be destroyed then is passed as one that is not, e.g. a Node stream's
 * `iterator({ destroyOnReturn: false })`). A body that ends without `[DONE]` is a complete answer when
 * one of its chunks carried a `finish_reason`, none at all when it had no chunk (the caller's to
 * report), and otherwise fails with `UnfinishedStreamError`.
 *
 * An event still unfinished is held as the pieces it came in, joined once it completes, and each read
 * is searched only from where the previous one ended: an event of n bytes costs O(n), not O(n²).
 */
export async function* readEventStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  headers: Headers | undefined,
  options: UpstreamTextOptions = {},
): AsyncGenerator<ChatCompletionChunk> {
  const decoder = new StringDecoder("utf8");
  const held = new HeldEvent();
  let heldCR = false;
  let atStart = true;
  let chunks = 0;
  let finishSeen = false;
  // What a chunk lacks that an earlier one of the same answer tells (a tool call's index, a choice's first
  // role), and a call's name repeated whole, left out.
  const shape = streamShaper();
  const chunk = (data: string): ChatCompletionChunk => {
    const parsed = shape(parseChunk(data, headers, options.secrets ?? []));
    chunks++;
    if (!finishSeen) finishSeen = parsed.choices.some((choice) => Boolean(choice.finish_reason));
    return parsed;
  };
  for await (const bytes of source) {
    let text = decoder.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (atStart && text.length > 0) {
      // An event stream may open with a byte-order mark, which is not part of its first line (the
      // SSE spec; the SDK's own reader drops it too): kept, that line would not read as `data:`.
      atStart = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    if (heldCR) text = `\r${text}`;
    // A CR at the end may be the first half of a CRLF split between reads: it waits for the next one.
    heldCR = text.endsWith("\r");
    if (heldCR) text = text.slice(0, -1);
    if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
    let start = 0;
    // The blank line that ends the held event may be split between reads.
    if (held.endsWithLF && text.charCodeAt(0) === LF) {
      const whole = held.take("");
      const data = eventData(whole, 0, whole.length - 1);
      start = 1;
      if (data?.startsWith("[DONE]")) return;
      if (data !== undefined) yield chunk(data);
    }
    for (let end = text.indexOf("\n\n", start); end !== -1; end = text.indexOf("\n\n", start)) {
      let data: string | undefined;
      if (held.empty) data = eventData(text, start, end);
      else {
        const whole = held.take(text.slice(start, end));
        data = eventData(whole, 0, whole.length);
      }
      start = end + 2;
      if (data === undefined) continue;
      if (data.startsWith("[DONE]")) return;
      yield chunk(data);
    }
    if (start < text.length) held.add(start === 0 ? text : text.slice(start));
  }
  const rest = (held.take("") + (heldCR ? "\n" : "") + decoder.end()).trim();
  // A last event without its blank line still counts (the SDK's decoder drops it): a body cut short
  // mid-event then fails as malformed instead of ending as if complete.
  if (rest.length > 0) {
    const data = eventData(rest, 0, rest.length);
    if (data?.startsWith("[DONE]")) return;
    if (data !== undefined) yield chunk(data);
  }
  if (chunks > 0 && !finishSeen) throw new UnfinishedStreamError(chunks);
}

const LF = 10;

/** The start of an event whose blank line has not come yet, bounded by `MAX_EVENT_CHARS`. */
class HeldEvent {
  private pieces: string[] = [];
  private length = 0;

  get empty(): boolean {
    return this.length === 0;
  }

  get endsWithLF(): boolean {
    const last = this.pieces.at(-1);
    return last !== undefined && last.charCodeAt(last.length - 1) === LF;
  }

  add(text: string): void {
    this.length += text.length;
    if (this.length > MAX_EVENT_CHARS) throw new MalformedEventError(`an event longer than ${MAX_EVENT_CHARS} characters`);
    this.pieces.push(text);
  }

  /** The held text followed by `tail`, leaving nothing held. */
  take(tail: string): string {
    if (this.length + tail.length > MAX_EVENT_CHARS) throw new MalformedEventError(`an event longer than ${MAX_EVENT_CHARS} characters`);
    if (tail.length > 0) this.pieces.push(tail);
    const whole = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join("");
    this.pieces = [];
    this.length = 0;
    return whole;
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

function parseChunk(data: string, headers: Headers | undefined, secrets: readonly string[]): ChatCompletionChunk {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new MalformedEventError(`not JSON (${data.length} characters)`);
  }
  if (parsed === null || typeof parsed !== "object") throw new MalformedEventError("not an object");
  const error = (parsed as { error?: unknown }).error;
  if (error) throw upstreamBodyError(error, headers ?? new Headers(), secrets);
  // Completed here, once per event: every reader of the chunks indexes `choices[0].delta`, and the SDK files choices by `index`.
  return checkedChunk(parsed as ChatCompletionChunk, secrets);
}
