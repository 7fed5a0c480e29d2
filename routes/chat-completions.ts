/**
 * `POST /v1/chat/completions`: the OpenAI Chat Completions contract.
 */
import { Hono } from "hono";
import { ChatCompletionRequestSchema } from "../src/api/chat-request.js";
import { parseJsonText, validateBody } from "../src/api/parse-body.js";
import type { AppEnv } from "../src/http/app-env.js";
import { clientSignal } from "../src/http/client-signal.js";
import { sseStream } from "../src/http/sse.js";
import type { ChatPipeline } from "../src/pipeline/chat-pipeline.js";

const encoder = new TextEncoder();

export interface ChatCompletionsDeps {
  pipeline: ChatPipeline;
  /** Log request bodies and whole answers at debug level (opt-in: they carry user data). */
  debugBodies: boolean;
}

export function chatCompletionsRoutes(deps: ChatCompletionsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/v1/chat/completions", async (c) => {
    const body = validateBody(ChatCompletionRequestSchema, parseJsonText(await c.req.text()));
    if (deps.debugBodies) c.get("log").debug({ body }, "chat request body");
    const outcome = await deps.pipeline.run({
      requestId: c.get("requestId"),
      tenant: c.get("tenant"),
      body,
      header: (name) => c.req.header(name),
      signal: clientSignal(c),
      log: c.get("log"),
      receivedAt: Date.now(),
    });
    const headers = outcome.headers;
    if (outcome.kind === "completion") {
      if (deps.debugBodies) c.get("log").debug({ completion: outcome.completion }, "chat completion body");
      // Bytes, not a string: Node then writes header values as given (the fallback header's arrow is UTF-8).
      return new Response(encoder.encode(JSON.stringify(outcome.completion)), { headers: { ...headers, "content-type": "application/json" } });
    }
    const stream = sseStream(outcome.chunks, { includeUsage: body.stream_options?.include_usage === true });
    return new Response(stream, {
      headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" },
    });
  });
  return app;
}
