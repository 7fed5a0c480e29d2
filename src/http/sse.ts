/**
 * Serialises a chunk stream as OpenAI's server-sent events: one `data: {json}` frame per chunk, then
 * `data: [DONE]`. Pull-based, so a slow client slows the producer instead of buffering the answer,
 * and a client that goes away stops the producer. The 200 is committed with the first frame, as
 * OpenAI's API sends it: a stream that fails before it (an in-process model stopped while it reads
 * the prompt) rejects, and the caller answers the error as a request not streamed would be answered
 * (its status, Retry-After: one the OpenAI SDK retries). One that fails after it ends with an error
 * event instead of `[DONE]`, which the OpenAI SDK raises.
 */
import type { ServerResponse } from "node:http";
import { abortReason, asGatewayError, CLIENT_CLOSED_STATUS } from "../errors.js";
import type { ChatCompletionChunk, ChunkStream } from "../providers/types.js";

const DONE = Buffer.from("data: [DONE]\n\n");

export interface SseOptions {
  /** Forward the usage-only chunk (the client set `stream_options.include_usage`). */
  includeUsage: boolean;
}

/**
 * How a stream whose 200 went out ended, for the access log (its status stays 200): `done` with
 * `[DONE]`, `client_gone` when its client left first, else the code of the error event it ended with
 * (`shutting_down`, `upstream_error`, …).
 */
export type StreamEnd = "done" | "client_gone" | string;

export interface SseWriteOptions extends SseOptions {
  headers: Record<string, string>;
  /** Longest a frame waits to share a socket write with the frames after it (see CoalescingWriter). */
  flushIntervalMs: number;
  /**
   * The request's signal. The producer rejects with its reason when it aborts (the shutdown's deadline),
   * which ends the answer as any failure does; this also ends an answer waiting for a slow client to
   * read, whose producer is paused.
   */
  signal?: AbortSignal;
}

/**
 * Streams `chunks` straight onto a Node response, grouping frames that come in quick succession into
 * one socket write. Frames are bytes, so Node sends the header block as given (UTF-8 header values
 * stay intact). Rejects, with nothing written, when the producer fails before the first frame (or
 * Node refuses the head): the response is still free for the error handler.
 */
export async function writeSse(res: ServerResponse, chunks: ChunkStream, options: SseWriteOptions): Promise<StreamEnd> {
  const iterator = chunks[Symbol.asyncIterator]();
  // Gone before we got here (while the request was prepared): its "close" has fired already, so the
  // listener below would never hear of it and the whole answer would be generated into a dead socket.
  if (res.destroyed || res.writableEnded) {
    await iterator.return?.();
    return "client_gone";
  }
  const writer = new CoalescingWriter(res, options.flushIntervalMs);
  let clientGone = false;
  let finished = false;
  let headWritten = false;
  const onClose = () => {
    if (!res.writableFinished) clientGone = true;
  };
  res.once("close", onClose);
  // Written with the first frame (Node sends the head with the first write either way): until then a
  // failure is the request's error, not an event in a 200.
  const writeHead = () => {
    res.writeHead(200, options.headers);
    headWritten = true;
  };
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        if (!headWritten) writeHead();
        writer.end(DONE);
        return "done";
      }
      // The client may have gone while the producer was working: stop it rather than write into a
      // closed response (whose "drain" would never come).
      if (clientGone) return "client_gone";
      const frame = chunkFrame(next.value, options.includeUsage);
      if (!frame) continue;
      if (!headWritten) writeHead();
      if (!writer.write(frame, carriesAnswer(next.value))) {
        await writer.drained(options.signal);
        // Stopped while the client was slow to read: the reason goes out after what it has not read yet.
        if (options.signal?.aborted) {
          if (clientGone || res.destroyed) return "client_gone";
          const reason = abortReason(options.signal);
          writer.end(errorFrame(reason));
          return endOf(reason);
        }
      }
    }
  } catch (error) {
    // Nothing written yet (the producer failed or was stopped before its first frame, or Node refused
    // the head: an invalid header value): the response is free for the error handler.
    if (!headWritten) throw error;
    finished = true;
    if (clientGone || res.destroyed) return "client_gone";
    // The 200 head is committed: the failure travels as an error event the OpenAI SDK raises.
    writer.end(errorFrame(error));
    return endOf(error);
  } finally {
    res.off("close", onClose);
    writer.dispose();
    // Stopped early (client gone, or writing the head failed): end the generation or upstream request.
    if (!finished) await iterator.return?.();
  }
}

/**
 * The same frames as a web stream, for runtimes without a Node response (`app.request()` in tests).
 * Resolves once the first frame is there, so a producer that fails before it rejects here, as
 * `writeSse` does, and the caller answers the error instead of a 200.
 */
export async function sseStream(chunks: ChunkStream, options: SseOptions): Promise<ReadableStream<Uint8Array>> {
  const iterator = chunks[Symbol.asyncIterator]();
  /** The next frame: a chunk's, or `[DONE]` (`last`). */
  const nextFrame = async (): Promise<{ frame: Buffer; last: boolean }> => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return { frame: DONE, last: true };
      const frame = chunkFrame(next.value, options.includeUsage);
      if (frame) return { frame, last: false };
    }
  };
  const first = await nextFrame();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first.frame);
      if (first.last) controller.close();
    },
    async pull(controller) {
      try {
        const { frame, last } = await nextFrame();
        controller.enqueue(frame);
        if (last) controller.close();
      } catch (error) {
        controller.enqueue(errorFrame(error));
        controller.close();
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

function chunkFrame(chunk: ChatCompletionChunk, includeUsage: boolean): Buffer | undefined {
  const shown = present(chunk, includeUsage);
  return shown ? Buffer.from(`data: ${JSON.stringify(shown)}\n\n`) : undefined;
}

/**
 * Whether the chunk carries answer text or a call, `tool_calls` or the deprecated `function_call`
 * (not just the opening role, a finish or usage).
 */
function carriesAnswer(chunk: ChatCompletionChunk): boolean {
  const delta = chunk.choices?.[0]?.delta;
  return (typeof delta?.content === "string" && delta.content.length > 0) || (delta?.tool_calls?.length ?? 0) > 0 || delta?.function_call != null;
}

function endOf(error: unknown): StreamEnd {
  const { status, code, type } = asGatewayError(error);
  // The producer may hear of the client leaving (its request's signal) before this writer's "close" does:
  // it stops with clientClosed(), whose 499 no upstream error maps to. The code alone is no sign of it:
  // an upstream's error event may carry `client_closed_request` (its own client left) while ours reads on.
  return status === CLIENT_CLOSED_STATUS ? "client_gone" : (code ?? type);
}

function errorFrame(error: unknown): Buffer {
  return Buffer.from(`data: ${JSON.stringify(asGatewayError(error).toJSON())}\n\n`);
}

function present(chunk: ChatCompletionChunk, includeUsage: boolean): ChatCompletionChunk | undefined {
  // OpenAI's contract for include_usage: every chunk but the last carries `usage: null`; typed clients
  // that decode the field as required see it on the chunks the gateway builds (local answers, held
  // text, answers relayed from JSON) and on upstreams that leave it out, not only on OpenAI's own.
  if (includeUsage) return chunk.usage === undefined ? { ...chunk, usage: null } : chunk;
  if ((chunk.choices?.length ?? 0) === 0 && chunk.usage) return undefined;
  if (chunk.usage !== undefined) {
    const { usage: _usage, ...rest } = chunk;
    return rest;
  }
  return chunk;
}

/**
 * Groups frames into socket writes. A frame after a quiet spell is written at once (first token, slow
 * producers); frames that follow an answer-carrying write within `flushIntervalMs` wait for the end
 * of that interval and leave together. Writes of frames without answer text (the opening role
 * chunk) do not start an interval, so the first token never waits behind them. Fast producers (a
 * small local model, an upstream that sends many chunks in one read) then cost one `writev` per
 * interval instead of one per token, and no frame waits longer than the interval. 0 writes what
 * each turn of the event loop produced together, at its end.
 */
class CoalescingWriter {
  private corked = false;
  private batchCarriesAnswer = false;
  private lastFlush = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private readonly flush = () => {
    this.timer = undefined;
    if (!this.corked) return;
    this.corked = false;
    if (this.batchCarriesAnswer) this.lastFlush = performance.now();
    this.batchCarriesAnswer = false;
    this.res.uncork();
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly flushIntervalMs: number,
  ) {}

  write(frame: Buffer, carriesAnswer: boolean): boolean {
    if (this.corked) {
      if (carriesAnswer) this.batchCarriesAnswer = true;
      return this.res.write(frame);
    }
    const now = performance.now();
    const wait = this.flushIntervalMs - (now - this.lastFlush);
    if (wait <= 0 && this.flushIntervalMs > 0) {
      // Nothing answer-carrying went out within the interval: this frame (with the headers, the
      // first time) leaves at once instead of a turn of the event loop later.
      if (carriesAnswer) this.lastFlush = now;
      return this.res.write(frame);
    }
    this.corked = true;
    this.batchCarriesAnswer = carriesAnswer;
    this.res.cork();
    if (wait <= 0) setImmediate(this.flush);
    else this.timer = setTimeout(this.flush, wait);
    return this.res.write(frame);
  }

  end(frame: Buffer): void {
    clearTimeout(this.timer);
    this.corked = false;
    this.res.end(frame);
  }

  /** Stops a pending flush timer (the client went away). */
  dispose(): void {
    clearTimeout(this.timer);
  }

  /** Resolves when the client has taken the buffered frames, or has gone away, or `signal` aborts. */
  drained(signal?: AbortSignal): Promise<void> {
    if (this.res.destroyed || this.res.writableEnded || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.res.once("drain", done);
      this.res.once("close", done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
