/**
 * Any OpenAI-compatible API (OpenAI, Azure-style proxies, vLLM, a llama.cpp server pool) through the
 * official `openai` SDK, which already retries 429/5xx/connection errors with jittered backoff and
 * honours `Retry-After`; the gateway bounds the retries and the time per attempt.
 */
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import OpenAI, { APIConnectionTimeoutError } from "openai";
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import type { OpenAICompatibleProviderConfig } from "../../config/models-schema.js";
import { abortReason, providerNotConfigured, type GatewayError } from "../../errors.js";
import type { ModelEntry } from "../../models/registry.js";
import type { ChatCompletionRequest } from "../../api/chat-request.js";
import type { ChatCompletion, ChatCompletionChunk, ChatProvider, ChunkStream, GenerationInput, ProviderStatus } from "../types.js";
import { shapedCompletion } from "./answer-shape.js";
import { DRAIN_BYTES, drainInBackground } from "./body-drain.js";
import { completionChunks } from "./completion-chunks.js";
import { openAIShapedErrors, upstreamBodyError, type UpstreamTextOptions } from "./error-body.js";
import { withLimitField } from "./limit-field.js";
import { MalformedEventError, readEventStream } from "./event-stream.js";
import { readNodeBody, readsAsEventStream, takeNodeBody } from "./http-fetch.js";
import { peekedStream } from "./peeked-stream.js";
import { boundRetryAfter } from "./retry-after.js";
import type { ServerPool } from "./server-pool.js";
import { mapUpstreamError } from "./upstream-errors.js";
import { missingCredentials } from "../unconfigured.js";
import { providerSecrets } from "./provider-secrets.js";

export interface OpenAICompatibleOptions {
  id: string;
  config: OpenAICompatibleProviderConfig;
  baseURL: string;
  /** `undefined` when the key's env var is declared but unset: the provider then reports unavailable. */
  apiKey: string | undefined;
  /** The values of `config.header_env`'s headers (`credentialsFrom`); undefined for an unset variable. */
  headerValues?: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  /** The servers behind `baseURL` when the provider is a pool (`base_urls`); `fetch` is then the pool's. */
  pool?: Pick<ServerPool, "describe">;
}

/**
 * `R` is what the provider accepts: `CloudSafeRequest` for providers beyond the host (the provider set
 * builds those), any request for on-host servers.
 */
export class OpenAICompatibleProvider<R extends ChatCompletionRequest> implements ChatProvider<R> {
  readonly id: string;
  readonly location: "local" | "cloud";
  private readonly client: OpenAI | undefined;
  private readonly missing: string | undefined;
  /** What no upstream text quoted in an error may show (error-body.ts): the key this provider sends. */
  private readonly upstreamText: UpstreamTextOptions;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.id = options.id;
    this.location = options.config.location;
    const headerValues = options.headerValues ?? {};
    this.missing = missingCredentials(options.config, options.apiKey, headerValues);
    this.upstreamText = { secrets: providerSecrets(options.config, options.apiKey, headerValues) };
    if (this.missing !== undefined) return;
    const keyHeader = options.config.api_key_header;
    // Every header_env value is set past the check above.
    const headers = { ...options.config.headers, ...(headerValues as Record<string, string>) };
    this.client = new OpenAI({
      // Keyless servers (a local llama.cpp pool) still get a syntactically valid bearer token.
      apiKey: options.apiKey ?? "none",
      baseURL: options.baseURL,
      timeout: options.config.timeout_ms,
      maxRetries: options.config.max_retries,
      // A null header is one the SDK leaves out: the key travels in its own header only.
      defaultHeaders: keyHeader ? { ...headers, Authorization: null, [keyHeader]: options.apiKey ?? "none" } : headers,
      defaultQuery: options.config.query,
      // A Retry-After longer than an attempt may take is passed on instead of slept through.
      // Errors worded another server's way keep their reason, without the key if they echo it (error-body.ts).
      fetch: boundRetryAfter(openAIShapedErrors(options.fetch ?? globalThis.fetch, this.upstreamText), options.config.timeout_ms),
    });
  }

  status(): ProviderStatus {
    if (this.missing) return { state: "unavailable", detail: this.missing };
    // A server is not probed: an unreachable one (or a pool of them, all ejected) is still "ready"
    // here, and its requests fail over to the fallback chain.
    return { state: "ready", detail: this.options.pool?.describe() ?? this.options.baseURL };
  }

  private api(): OpenAI {
    if (this.missing !== undefined) throw providerNotConfigured(this.id, this.missing);
    return this.client!;
  }

  async complete({ model, request, signal, onStart }: GenerationInput<R>): Promise<ChatCompletion> {
    const client = this.api();
    onStart?.();
    const body = { ...withLimitField(request, this.options.config.max_tokens_field), model: model.upstreamModel, stream: false } as ChatCompletionCreateParamsNonStreaming;
    try {
      // The SDK still sends, retries and maps failures; the answer's bytes are parsed once, here.
      const response = await client.chat.completions.create(body, { signal }).asResponse();
      const raw = takeNodeBody(response);
      // Past the buffered case, the body is the Node response as it comes, or (another fetch) a web stream.
      const node = raw?.kind === "stream" ? raw : undefined;
      if (node) endOnUpstreamSilence(node, this.options.config.timeout_ms);
      // Read whole whatever the content type says (a server may label JSON as an event stream).
      return parseCompletion(raw ? (await readNodeBody(raw)).toString("utf8") : await response.text(), response.headers, this.upstreamText);
    } catch (error) {
      throw callFailure(error, signal, this.id);
    }
  }

  /**
   * Resolves once the upstream's first event has arrived (kept, and yielded first), so every failure
   * before the answer's first byte can still fall back: an error status, an error as the first event,
   * or a 200 whose body ends without any event (empty, only comments, a page labelled as an event stream).
   * The wait is bounded like the rest of the stream, by the upstream's silence (`timeout_ms`), and a
   * client that leaves meanwhile ends the upstream request.
   */
  async stream({ model, request, signal, onStart }: GenerationInput<R>): Promise<ChunkStream> {
    const client = this.api();
    onStart?.();
    // Ask for usage whatever the client asked: the gateway accounts tokens even when the client does
    // not want to see them. A server that refuses `stream_options` gets none; tokens are counted then.
    const { stream_options: clientOptions, ...rest } = withLimitField(request, this.options.config.max_tokens_field);
    const body = {
      ...rest,
      model: model.upstreamModel,
      stream: true,
      ...(this.options.config.stream_usage ? { stream_options: { ...clientOptions, include_usage: true } } : {}),
    } as unknown as ChatCompletionCreateParamsStreaming;
    let response: Response;
    try {
      response = await client.chat.completions.create(body, { signal }).asResponse();
    } catch (error) {
      throw callFailure(error, signal, this.id);
    }
    const raw = takeNodeBody(response);
    if (raw?.kind === "bytes" || (!raw && !isEventStream(response))) {
      const bytes = raw?.kind === "bytes" ? raw.bytes : await readWhole(response, this.id);
      return bufferedEvents(bytes, response.headers, this.id, this.upstreamText);
    }
    // Past the buffered case, the body is the Node response as it comes, or (another fetch) a web stream.
    const node = raw?.kind === "stream" ? raw : undefined;
    if (node) endOnUpstreamSilence(node, this.options.config.timeout_ms);
    // Node's web streams are async iterable; the DOM typings do not say so.
    // The reader returns at `[DONE]` (its `for await` then calls `return()`): the Node stream must outlive that to be drained.
    const source = (node ? node.stream.iterator({ destroyOnReturn: false }) : response.body) as AsyncIterable<Uint8Array> | null;
    if (!source) throw mapUpstreamError(new Error("The upstream answered a stream request without a body."), this.id);
    const providerId = this.id;
    const timeoutMs = this.options.config.timeout_ms;
    // An answer read to its end leaves the rest of the body (after `[DONE]`) to drain in the background,
    // so the socket can go back to the pool; an abandoned or failed one ends the upstream request.
    const release = (answered: boolean) => {
      if (node) releaseBody(node, answered, timeoutMs);
    };
    const failure = (error: unknown, answerStarted = false) => {
      release(false);
      return callFailure(error, signal, providerId, { answerStarted });
    };
    const events = readEventStream(source, response.headers, this.upstreamText);
    let first: IteratorResult<ChatCompletionChunk>;
    try {
      first = await events.next();
    } catch (error) {
      throw failure(error);
    }
    if (first.done) throw failure(noEvents(response.headers));
    return peekedStream(first.value, events, (error) => failure(error, true), release);
  }

  async close(): Promise<void> {}
}

/**
 * A 200's body as a completion. Some servers and proxies answer 200 with an error object (or a page
 * that is not JSON): that is an upstream failure, which the router can fall back from, not an answer
 * without choices for the pipeline to trip over. What its choices lack that the SDK reads (a role, an
 * index) is filled in (`shapedCompletion`).
 */
function parseCompletion(text: string, headers: Headers, upstreamText: UpstreamTextOptions): ChatCompletion {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`The upstream answered with a body that is not JSON (${text.length} characters).`);
  }
  const error = (body as { error?: unknown } | null)?.error;
  if (error) throw upstreamBodyError(error, headers, upstreamText.secrets);
  const choices = (body as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) throw new Error("The upstream answered without choices.");
  // The answer is its choice's message: a choice without one has nothing to relay or store.
  if (!choices.every((choice: { message?: unknown } | null) => typeof choice?.message === "object" && choice.message !== null)) {
    throw new Error("The upstream answered with a choice without a message.");
  }
  return shapedCompletion(body as ChatCompletion);
}

/** `application/json`, or any `+json` type (`application/problem+json`), whatever its parameters. */
function readsAsJson(contentType: string | null): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || type.endsWith("+json");
}

/** Read as it comes, as the Node fetch reads it. */
const isEventStream = (response: Response) => readsAsEventStream(response.headers.get("content-type"));

async function readWhole(response: Response, providerId: string): Promise<Buffer> {
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw mapUpstreamError(error, providerId);
  }
}

/**
 * A stream request answered with a body that is not an event stream, read now, while a failure can
 * still fall back: a JSON completion from a server that ignored `stream` is relayed as the chunks
 * of its stream, and a JSON error is the upstream's error; anything else (a proxy's HTML page) is
 * read as events, so an answer without any is an upstream error instead of an empty 200.
 */
async function bufferedEvents(bytes: Buffer, headers: Headers, providerId: string, upstreamText: UpstreamTextOptions): Promise<ChunkStream> {
  let chunks: ChatCompletionChunk[] = [];
  try {
    if (readsAsJson(headers.get("content-type"))) chunks = completionChunks(parseCompletion(bytes.toString("utf8"), headers, upstreamText));
    else for await (const chunk of readEventStream([bytes], headers, upstreamText)) chunks.push(chunk);
  } catch (error) {
    throw mapUpstreamError(error, providerId);
  }
  if (chunks.length === 0) throw mapUpstreamError(noEvents(headers), providerId);
  return {
    async *[Symbol.asyncIterator]() {
      yield* chunks;
    },
  };
}


/** An answer without any event is an upstream failure, never an empty success. */
function noEvents(headers: Headers): MalformedEventError {
  return new MalformedEventError(`a stream request was answered with ${headers.get("content-type") ?? "no content type"} and no events`);
}

/**
 * A complete answer's connection is kept for the next request (the rest of its body drains in the
 * background); any other ends the upstream HTTP request: the client stopped reading early, or the
 * answer failed (a no-op once the body has ended). The drain has its own deadline, so the upstream's
 * idle timer is stopped first: firing on a server that leaves the body open after `[DONE]`, it would
 * fail the request as a timeout, and a pool would eject a server whose every answer was complete.
 */
function releaseBody({ message, stream }: { message: IncomingMessage; stream: Readable }, answered: boolean, timeoutMs: number): void {
  if (!answered) return void stream.destroy();
  message.socket?.setTimeout(0);
  drainInBackground(stream, { ms: timeoutMs, bytes: DRAIN_BYTES });
}

/**
 * The SDK's timeout ends when the head arrives: an upstream that stalls mid-answer would hold the
 * client and the socket for good. The socket's idle timer is re-armed by every read (no per-chunk
 * cost), and the agent resets it when the socket goes back to the pool. When it fires, two silences
 * are not the upstream's and only re-arm it:
 * - the socket stopped reading because the gateway did (its client is slow: unread data is buffered),
 *   unless no one ever started reading (an abandoned stream must still give its socket back);
 * - the process itself was busy: timers run before the loop polls sockets, so bytes that arrived
 *   meanwhile are read only after this callback — they are checked for once the poll has run.
 */
function endOnUpstreamSilence({ message, stream }: { message: IncomingMessage; stream: Readable }, idleMs: number): void {
  // A compressed body is read from the socket as it comes: a short one may be all in (its socket back
  // in the pool) before anyone reads it, and then there is no upstream left to wait for.
  if (!message.socket) return;
  message.setTimeout(idleMs, () => {
    const bytesBefore = message.socket?.bytesRead ?? 0;
    setImmediate(() => {
      if (message.destroyed) return;
      const readSince = (message.socket?.bytesRead ?? 0) !== bytesBefore;
      // `stream` is `message` decoded (or `message` itself): unread data may wait in either.
      const heldBack = (message.readableLength > 0 || stream.readableLength > 0) && stream.readableFlowing !== null;
      if (readSince || heldBack) message.setTimeout(idleMs);
      else message.destroy(new APIConnectionTimeoutError());
    });
  });
}

/**
 * What a failed upstream call ends as: the signal's reason when it aborted (the client left, or the
 * shutdown stopped the request), else the upstream's failure mapped to the client's error.
 */
function callFailure(error: unknown, signal: AbortSignal, providerId: string, options?: { answerStarted?: boolean }): GatewayError {
  return signal.aborted ? abortReason(signal, error) : mapUpstreamError(error, providerId, options);
}
