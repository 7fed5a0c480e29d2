/**
 * `POST /v1/chat/completions`: the OpenAI Chat Completions contract.
 */
import { Hono, type Context } from "hono";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { ChatCompletionRequestSchema, type ChatCompletionRequest } from "../src/api/chat-request.js";
import { parseJsonBody } from "../src/api/parse-body.js";
import { withHeaders } from "../src/errors.js";
import type { AppEnv } from "../src/http/app-env.js";
import { nodeResponse } from "../src/http/node-response.js";
import type { RequestSignals } from "../src/http/request-signals.js";
import { sseStream, writeSse } from "../src/http/sse.js";
import type { ChatPipeline } from "../src/pipeline/chat-pipeline.js";

const encoder = new TextEncoder();

export interface ChatCompletionsDeps {
  pipeline: ChatPipeline;
  /** Log request bodies and whole answers at debug level (opt-in: they carry user data). */
  debugBodies: boolean;
  /** See SWITCHYARD_STREAM_FLUSH_MS. */
  streamFlushMs: number;
  /** Each request's signal: its client leaving, or the shutdown stopping it. */
  signals: RequestSignals;
}

export function chatCompletionsRoutes(deps: ChatCompletionsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/v1/chat/completions", async (c) => {
    const body = parseJsonBody(ChatCompletionRequestSchema, await c.req.arrayBuffer());
    if (deps.debugBodies) c.get("log").debug({ body }, "chat request body");
    const { signal, release } = deps.signals.of(c);
    // Released once the request's work is over: a request whose response never closes (one pipelined
    // behind another on a connection its client dropped) must not stay among the running ones.
    try {
      return await answer(c, body, signal);
    } finally {
      release();
    }
  });

  async function answer(c: Context<AppEnv>, body: ChatCompletionRequest, signal: AbortSignal): Promise<Response> {
    const outcome = await deps.pipeline.run({
      requestId: c.get("requestId"),
      tenant: c.get("tenant"),
      body,
      header: (name) => c.req.header(name),
      signal,
      log: c.get("log"),
      receivedAt: Date.now(),
    });
    const headers = outcome.headers;
    if (outcome.kind === "completion") {
      if (deps.debugBodies) c.get("log").debug({ completion: outcome.completion }, "chat completion body");
      // Bytes, not a string: Node then writes header values as given (the fallback header's arrow is UTF-8).
      return new Response(encoder.encode(JSON.stringify(outcome.completion)), { headers: { ...headers, "content-type": "application/json" } });
    }
    const includeUsage = body.stream_options?.include_usage === true;
    // `x-accel-buffering: no`: nginx, the commonest proxy in front of a gateway, buffers proxied answers
    // by default and would hold every chunk until the answer ends.
    const sseHeaders = { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no", connection: "keep-alive" };
    const outgoing = nodeResponse(c);
    try {
      if (outgoing) {
        // Straight onto the socket: a web stream in between costs more per chunk than the rest of the relay.
        c.set("streamEnd", await writeSse(outgoing, outcome.chunks, { includeUsage, headers: sseHeaders, flushIntervalMs: deps.streamFlushMs, signal }));
        return RESPONSE_ALREADY_SENT;
      }
      return new Response(await sseStream(outcome.chunks, { includeUsage }), { headers: sseHeaders });
    } catch (error) {
      // The stream failed before its first frame (an in-process model stopped while reading the prompt):
      // no 200 went out, so it is answered as a request not streamed is, with this request's headers.
      throw withHeaders(error, headers);
    }
  }
  return app;
}
