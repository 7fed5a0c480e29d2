/**
 * A `fetch` for the `openai` SDK over `node:http`/`node:https` keep-alive agents. Node's built-in
 * fetch (undici) spends more CPU per request than the rest of the gateway together: WHATWG streams
 * for every body, spec-complete header handling. Here the answer is a `NodeFetchResponse`: the part
 * of the `Response` interface the SDK reads (status, headers, text/json, body), backed by the Node
 * response, so a JSON answer is one buffer and an event stream stays a Node stream that the provider
 * reads directly (`nodeBody`). A web stream is made only if someone asks for `body`.
 *
 * Only what the SDK sends is supported: string or byte bodies. Anything else (multipart uploads)
 * goes to the global fetch.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { pipeline, Readable, type Transform } from "node:stream";
import zlib from "node:zlib";

export interface HttpFetchOptions {
  /** Sockets per upstream host; requests beyond it queue in the agent. */
  maxSockets?: number;
  /** The most of an answer read whole (a 2xx that is not a stream); default `ANSWER_BODY_LIMIT`. */
  answerBodyLimit?: number;
}

type FetchInput = Parameters<typeof fetch>[0];
type FetchInit = NonNullable<Parameters<typeof fetch>[1]>;

export function createHttpFetch(options: HttpFetchOptions = {}): typeof fetch & { close(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: "lifo" as const };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  const answerLimit = options.answerBodyLimit ?? ANSWER_BODY_LIMIT;

  function httpFetch(input: FetchInput, init: FetchInit = {}): Promise<Response> {
    const href = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href);
    const body = init.body;
    if ((body != null && typeof body !== "string" && !(body instanceof Uint8Array)) || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return fetch(input, init);
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Response>((resolve, reject) => {
      const request = (url.protocol === "https:" ? https : http).request(url, {
        method: init.method ?? "GET",
        headers: plainHeaders(init.headers),
        agent: agents[url.protocol as "http:" | "https:"],
      });
      const onAbort = () => request.destroy(abortError(signal!));
      signal?.addEventListener("abort", onAbort, { once: true });
      request.once("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(signal?.aborted ? abortError(signal) : new TypeError("fetch failed", { cause: error }));
      });
      request.once("response", (response) => {
        const status = response.statusCode ?? 502;
        const noBody = status === 204 || status === 304 || init.method === "HEAD";
        const body = noBody ? response : decoded(response);
        if (!noBody && isStreamed(response)) {
          response.once("close", () => signal?.removeEventListener("abort", onAbort));
          resolve(asResponse(new NodeFetchResponse(href, response, { kind: "stream", stream: body, message: response })));
          return;
        }
        const parts: Buffer[] = [];
        let size = 0;
        const done = () => {
          signal?.removeEventListener("abort", onAbort);
          const bytes = noBody ? Buffer.alloc(0) : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          resolve(asResponse(new NodeFetchResponse(href, response, { kind: "bytes", bytes })));
        };
        body.on("data", (part: Buffer) => {
          size += part.length;
          const limit = status < 300 ? answerLimit : ERROR_BODY_LIMIT;
          if (size <= limit) {
            parts.push(part);
            return;
          }
          // Past the limit the connection is closed, not drained. An error's reason is in its first
          // bytes: it is cut there. An answer cut anywhere is no answer: it is an upstream error.
          body.removeAllListeners("data");
          body.destroy();
          if (status >= 300) {
            parts.push(part.subarray(0, part.length - (size - ERROR_BODY_LIMIT)));
            return done();
          }
          signal?.removeEventListener("abort", onAbort);
          resolve(answerTooLarge(limit));
        });
        body.once("error", reject);
        body.once("end", done);
      });
      request.end(body ?? undefined);
    });
  }

  return Object.assign(httpFetch as typeof fetch, {
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  });
}

const MiB = 1024 * 1024;

/**
 * The most of an error's body kept: a server that answers an error with an endless (or huge) body
 * must not fill the gateway's memory while the call's timeout runs.
 */
export const ERROR_BODY_LIMIT = 1 * MiB;

/**
 * The most of an answer read whole: far past any chat completion (128k tokens of text with 20
 * log-probabilities each stays under it), so only a broken server reaches it — an endless or huge
 * body that would fill the gateway's memory while the call's timeout runs.
 */
export const ANSWER_BODY_LIMIT = 256 * MiB;

/**
 * What an answer past the limit becomes: a bad gateway's error, not to be retried (the same server
 * would send the same answer), saying why.
 */
function answerTooLarge(limit: number): Response {
  const message = `the upstream's answer is larger than ${Math.round(limit / MiB)} MiB, the most the gateway reads; it was cut off`;
  return new Response(JSON.stringify({ error: { message, type: "upstream_error", code: "upstream_answer_too_large" } }), {
    status: 502,
    headers: { "content-type": "application/json", "x-should-retry": "false" },
  });
}

/**
 * A body read whole, or one to read as it comes: `stream` is the body decoded (the response itself
 * when it was not compressed), `message` the response, for what concerns the connection.
 */
export type NodeBody = { kind: "bytes"; bytes: Buffer } | { kind: "stream"; stream: Readable; message: IncomingMessage };

/**
 * Event streams are read as they come. So is a 2xx without a content type: a streaming server that
 * does not label its answer must not have it held back whole (a JSON answer read that way is still
 * read whole by whoever takes it). An error is read whole whatever its label, here, where the call's
 * timeout covers it: the SDK reads an error's body itself, with no timer, so one whose body stalls
 * after its headers would hold the request for ever.
 */
function isStreamed(response: IncomingMessage): boolean {
  if ((response.statusCode ?? 502) >= 300) return false;
  const type = response.headers["content-type"];
  return type === undefined || readsAsEventStream(type);
}

/** An answer read as it comes: an event stream, or one that does not say what it is. */
export function readsAsEventStream(contentType: string | null | undefined): boolean {
  return contentType == null || contentType.startsWith("text/event-stream");
}

/**
 * The body as the server meant it: node:http does not undo `content-encoding` (fetch does, and the
 * SDK expects it done). A server may compress unasked, or because a provider's configured headers
 * ask it to. Decoded as it arrives, so an event stream is still relayed event by event; an unknown
 * coding is left as it is, as fetch leaves it (the body then fails to parse, as an upstream error).
 */
function decoded(response: IncomingMessage): Readable {
  const codings = (response.headers["content-encoding"] ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  if (codings.length === 0) return response;
  // Codings are listed in the order they were applied: undone last first.
  const makers = codings.reverse().map(decoderFor);
  if (makers.some((make) => make === undefined)) return response;
  const decoders = makers.map((make) => make!());
  // Each stream's error or early destroy destroys the others with it, so the reader sees the
  // response's own error (an idle timeout, a reset) and destroying the decoded body ends the
  // request; the callback has nothing to add.
  return pipeline([response, ...decoders], () => {}) as unknown as Readable;
}

// Flushing each input at once (as fetch does) lets an event out as soon as its bytes are in, and a
// body cut short gives what it had rather than nothing.
const zlibFlushing = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const brotliFlushing = { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };

function decoderFor(coding: string): (() => Transform) | undefined {
  if (coding === "gzip" || coding === "x-gzip") return () => zlib.createGunzip(zlibFlushing);
  if (coding === "deflate") return () => zlib.createInflate(zlibFlushing);
  if (coding === "br") return () => zlib.createBrotliDecompress(brotliFlushing);
  return undefined;
}

/**
 * Takes the Node body behind a response from `createHttpFetch` (undefined for any other response, or
 * once its body has been read another way), so the provider reads it without web streams. The
 * response's own body is then used up.
 */
export function takeNodeBody(response: Response): NodeBody | undefined {
  return response instanceof NodeFetchResponse ? response.takeNodeBody() : undefined;
}

/**
 * Calls `done` once the body behind a response from `createHttpFetch` is over: read whole (a buffered
 * answer already is), drained, or destroyed (given up, or failed), with the error it ended with, if
 * any. The body may have been taken by then or not. Returns false for any other response: there is no
 * Node body to watch.
 *
 * @example
 * if (!onBodyClosed(response, () => inFlight--)) inFlight--;
 */
export function onBodyClosed(response: Response, done: (error: Error | null) => void): boolean {
  if (!(response instanceof NodeFetchResponse)) return false;
  response.onBodyClosed(done);
  return true;
}

/** The whole of a Node body. */
export async function readNodeBody(body: NodeBody): Promise<Buffer> {
  if (body.kind === "bytes") return body.bytes;
  const parts: Buffer[] = [];
  for await (const part of body.stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * Response headers as the Fetch `Headers` reads them (lower-case names, repeats joined), minus the
 * validation cost. Its state is in private fields: the SDK's debug formatter falls back to
 * `Object.entries` for anything that is not a `Headers`, and must find nothing there to print.
 */
class ResponseHeaders {
  readonly #byName = new Map<string, string>();
  readonly #cookies: string[] = [];

  constructor(raw: readonly string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const value = raw[i + 1]!;
      if (name === "set-cookie") this.#cookies.push(value);
      const seen = this.#byName.get(name);
      this.#byName.set(name, seen === undefined ? value : `${seen}, ${value}`);
    }
  }

  get(name: string): string | null {
    return this.#byName.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.#byName.has(name.toLowerCase());
  }
  getSetCookie(): string[] {
    return [...this.#cookies];
  }
  entries(): IterableIterator<[string, string]> {
    return this.#byName.entries();
  }
  keys(): IterableIterator<string> {
    return this.#byName.keys();
  }
  values(): IterableIterator<string> {
    return this.#byName.values();
  }
  forEach(callback: (value: string, name: string, headers: ResponseHeaders) => void): void {
    for (const [name, value] of this.#byName) callback(value, name, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#byName.entries();
  }
}

class NodeFetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: ResponseHeaders;
  readonly redirected = false;
  readonly type = "basic";
  /** Kept once taken: its end is still watched (`onBodyClosed`). */
  private readonly source: NodeBody;
  private used = false;
  private webBody: ReadableStream<Uint8Array> | null | undefined;

  constructor(
    readonly url: string,
    message: IncomingMessage,
    body: NodeBody,
  ) {
    this.status = message.statusCode ?? 502;
    this.ok = this.status >= 200 && this.status < 300;
    this.statusText = message.statusMessage ?? "";
    this.headers = new ResponseHeaders(message.rawHeaders);
    this.source = body;
  }

  onBodyClosed(done: (error: Error | null) => void): void {
    if (this.source.kind === "bytes") return done(null);
    const { message } = this.source;
    if (message.closed) return done(message.errored);
    message.once("close", () => done(message.errored));
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  takeNodeBody(): NodeBody | undefined {
    if (this.used) return undefined;
    this.used = true;
    return this.source;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.webBody !== undefined) return this.webBody;
    const source = this.takeNodeBody();
    if (!source) return (this.webBody = null);
    this.webBody = (source.kind === "stream" ? Readable.toWeb(source.stream) : Readable.toWeb(Readable.from([source.bytes]))) as ReadableStream<Uint8Array>;
    return this.webBody;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    const source = this.takeNodeBody();
    if (!source) throw new TypeError("Body is unusable: Body has already been read");
    return readNodeBody(source);
  }

  async text(): Promise<string> {
    return Buffer.from(await this.bytes()).toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

function asResponse(response: NodeFetchResponse): Response {
  // What the SDK reads of a response (openai/client.mjs makeRequest, shouldRetry, the error and
  // streaming paths) is what NodeFetchResponse has; its headers are not an `instanceof Headers`.
  return response as unknown as Response;
}

function plainHeaders(headers: FetchInit["headers"]): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) {
    const plain: Record<string, string> = {};
    headers.forEach((value, name) => (plain[name] = value));
    return plain;
  }
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError");
}
