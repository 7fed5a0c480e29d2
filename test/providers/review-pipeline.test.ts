/**
 * Review: the OpenAI-compatible provider against upstreams that misbehave the way real ones do —
 * rate limits asking for long waits, streams that stall after the first bytes, bodies that stall,
 * answers that are not event streams.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors.js";
import { createHttpFetch } from "../../src/providers/cloud/http-fetch.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";
import { CLOUD_TEST_MODEL, testProvider } from "./fixtures.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler;
let server: RawUpstream;
let baseURL: string;
let requests = 0;
const httpFetch = createHttpFetch();

beforeAll(async () => {
  server = await startRawUpstream((body, res, req) => {
    requests++;
    handler(req, res, body);
  });
  baseURL = server.baseURL;
});
afterAll(async () => {
  httpFetch.close();
  await server.close();
});

const model = CLOUD_TEST_MODEL;
const provider = (o: { maxRetries?: number; timeoutMs?: number } = {}) => testProvider(baseURL, httpFetch, o);

const request = { model: "gpt-test", messages: [{ role: "user" as const, content: "Hi" }] };
const chunk = (content: string) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const c of stream) seen.push(c);
  return seen;
}

describe("review: cloud provider", () => {
  it("does not sit out a Retry-After far longer than an attempt may take: the 429 goes back with it", async () => {
    requests = 0;
    handler = (_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "30" });
      res.end(JSON.stringify({ error: { message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded", param: null } }));
    };
    const startedAt = Date.now();
    const error = await provider({ maxRetries: 2, timeoutMs: 1000 })
      .complete({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(429);
    expect((error as GatewayError).headers["retry-after"]).toBe("30");
    expect(requests).toBe(1);
  }, 10_000);

  it("tells the client not to retry when the upstream refuses the gateway's own credentials", async () => {
    handler = (_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }));
    };
    const error = await provider()
      .complete({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("upstream_auth_failed");
    expect((error as GatewayError).headers["x-should-retry"]).toBe("false");
  });

  it("ends a stream whose upstream stalls after the first chunk with a timeout", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk("a"));
      // then nothing, ever
    };
    const stream = await provider({ timeoutMs: 300 }).stream({ model, request, signal: new AbortController().signal });
    const startedAt = Date.now();
    const error = await drain(stream).catch((e: unknown) => e);
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("upstream_timeout");
  }, 10_000);


  it("refuses a 200 that is not an event stream before the first byte, instead of an empty answer", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>Welcome to nginx!</body></html>");
    };
    const outcome = await provider()
      .stream({ model, request, signal: new AbortController().signal })
      .then(drain)
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(GatewayError);
    expect((outcome as GatewayError).status).toBe(502);
  });

  it("relays a JSON completion from a server that ignored `stream` as the chunks of its stream", async () => {
    const toolCall = { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } };
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end(
        JSON.stringify({
          id: "cmpl-1",
          object: "chat.completion",
          created: 7,
          model: "upstream-model",
          choices: [{ index: 0, message: { role: "assistant", content: "Hello there", tool_calls: [toolCall] }, finish_reason: "tool_calls", logprobs: null }],
          usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
        }),
      );
    };
    const chunks = (await drain(await provider().stream({ model, request, signal: new AbortController().signal }))) as ChatCompletionChunk[];
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === "cmpl-1" && c.created === 7)).toBe(true);
    expect(chunks[0]!.choices[0]).toMatchObject({
      index: 0,
      delta: { role: "assistant", content: "Hello there", tool_calls: [{ index: 0, ...toolCall }] },
      finish_reason: "tool_calls",
    });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
  });

  it("answers a stream request with the upstream's error when a 200 carries a JSON error, before the first byte", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "model is warming up", type: "server_error" } }));
    };
    const error = await provider()
      .stream({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(502);
    expect((error as GatewayError).message).toContain("model is warming up");
  });

  it("treats a 200 whose body is not a chat completion as an upstream error (502), not an answer", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "model is warming up", type: "server_error" } }));
    };
    const error = await provider()
      .complete({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(502);
    expect((error as GatewayError).message).toContain("model is warming up");
  });
});

// The idle timeout must measure the upstream's silence, not the time the gateway spends not reading
// because its own client is slow (backpressure).
describe("review: cloud stream idle timeout", () => {
  it("does not time out an upstream that sent the whole answer while the reader was slow", async () => {
    const pieces = 4000;
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const text = "x".repeat(500);
      for (let i = 0; i < pieces; i++) res.write(chunk(text));
      res.end("data: [DONE]\n\n");
    };
    // The timeout also bounds the wait for the head: 1 s, so a loaded machine still gets it in time.
    const stream = await provider({ timeoutMs: 1000 }).stream({ model, request, signal: new AbortController().signal });
    let seen = 0;
    const outcome = await (async () => {
      for await (const _ of stream) {
        // The client reading the answer stalls once (a slow link), for well over the idle timeout:
        // the gateway stops pulling meanwhile.
        if (++seen === 1) await new Promise((r) => setTimeout(r, 2500));
      }
      return "complete";
    })().catch((e: unknown) => e);
    expect(outcome).toBe("complete");
    expect(seen).toBe(pieces);
  }, 10_000);
});
