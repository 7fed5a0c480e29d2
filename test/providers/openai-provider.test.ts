/**
 * The OpenAI-compatible provider over the gateway's own Node fetch, against a raw HTTP upstream the
 * test controls byte for byte: answers parse, streams relay and reuse the connection, a client that
 * leaves ends the upstream request, and upstream failures keep the details the gateway maps.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OpenAICompatibleProviderSchema } from "../../src/config/models-schema.js";
import { GatewayError } from "../../src/errors.js";
import { createHttpFetch } from "../../src/providers/cloud/http-fetch.js";
import { OpenAICompatibleProvider } from "../../src/providers/cloud/openai-provider.js";
import { CLOUD_TEST_MODEL, testProvider } from "./fixtures.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler;
let server: Server;
let baseURL: string;
const sockets = new Set<unknown>();
let upstreamClosedEarly = 0;
const httpFetch = createHttpFetch();

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = "";
    req.on("data", (part) => (body += part));
    req.on("end", () => handler(req, res, body));
    res.on("close", () => {
      if (!res.writableFinished) upstreamClosedEarly++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  httpFetch.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  sockets.clear();
  upstreamClosedEarly = 0;
});

const model = CLOUD_TEST_MODEL;
const provider = (maxRetries = 0) => testProvider(baseURL, httpFetch, { maxRetries });

const request = { model: "gpt-test", messages: [{ role: "user" as const, content: "Hi" }] };
const chunk = (content: string) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

function sse(res: ServerResponse, frames: string[], end = true) {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const frame of frames) res.write(frame);
  if (end) res.end("data: [DONE]\n\n");
}

describe("OpenAI-compatible provider over the Node fetch", () => {
  it("returns the upstream's completion, having sent the upstream model name and key", async () => {
    let sent: { model?: string; stream?: boolean } = {};
    let auth: string | undefined;
    handler = (req, res, body) => {
      sent = JSON.parse(body);
      auth = req.headers.authorization;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "Grüße" }, finish_reason: "stop" }] }));
    };
    const completion = await provider().complete({ model, request, signal: new AbortController().signal });
    expect(completion.choices[0]?.message.content).toBe("Grüße");
    expect(sent).toMatchObject({ model: "upstream-model", stream: false });
    expect(auth).toBe("Bearer sk-test");
  });

  it("sends the key in the header models.yaml names, with no Authorization, and the configured query (Azure OpenAI)", async () => {
    let seen: { url?: string; auth?: string; apiKey?: string } = {};
    handler = (req, res) => {
      seen = { url: req.url, auth: req.headers.authorization, apiKey: req.headers["api-key"] as string | undefined };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] }));
    };
    const config = OpenAICompatibleProviderSchema.parse({
      type: "openai_compatible",
      base_url: baseURL,
      api_key_env: "AZURE_OPENAI_API_KEY",
      api_key_header: "api-key",
      query: { "api-version": "2024-10-21" },
      max_retries: 0,
    });
    const azure = new OpenAICompatibleProvider({ id: "azure", config, baseURL, apiKey: "azure-key", fetch: httpFetch });
    await azure.complete({ model, request, signal: new AbortController().signal });
    expect(seen).toEqual({ url: "/v1/chat/completions?api-version=2024-10-21", auth: undefined, apiKey: "azure-key" });
  });

  it("refuses a key header without the key's variable, and a header name that is not one", () => {
    const base = { type: "openai_compatible", base_url: baseURL };
    const noKey = OpenAICompatibleProviderSchema.safeParse({ ...base, api_key_header: "api-key" });
    expect(noKey.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["api_key_header", "names the header for the key in api_key_env, which is not set"]]);
    const badName = OpenAICompatibleProviderSchema.safeParse({ ...base, api_key_env: "K", api_key_header: "api key:" });
    expect(badName.error?.issues.map((i) => i.path.join("."))).toEqual(["api_key_header"]);
  });

  it("reads a whole answer that the upstream labels as an event stream, and releases the connection", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "labelled oddly" }, finish_reason: "stop" }] }));
    };
    const p = provider();
    for (let i = 0; i < 2; i++) {
      const completion = await p.complete({ model, request, signal: new AbortController().signal });
      expect(completion.choices[0]?.message.content).toBe("labelled oddly");
    }
    expect(sockets.size).toBe(1);
  });

  it("times out a whole answer whose body stalls, when it is read as it comes (labelled an event stream, or not labelled)", async () => {
    for (const headers of [{ "content-type": "text/event-stream" }, {}]) {
      handler = (_req, res) => {
        res.writeHead(200, headers);
        res.write('{"id":"x","choices":[');
      };
      const error = await provider()
        .complete({ model, request, signal: new AbortController().signal })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe("upstream_timeout");
    }
  }, 15_000);

  it("times out an error answer labelled as an event stream whose body stalls, streamed or not", async () => {
    // A crashed or partitioned upstream behind a proxy: the error's headers arrive, its body never does.
    handler = (_req, res) => {
      res.writeHead(503, { "content-type": "text/event-stream" });
      res.write(": starting\n");
    };
    for (const call of ["complete", "stream"] as const) {
      const error = await provider()
        [call]({ model, request, signal: new AbortController().signal })
        .catch((e: unknown) => e);
      expect(error, call).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code, call).toBe("upstream_timeout");
    }
  }, 15_000);

  it("keeps only the first MiB of an error whose body runs on, with its reason, and closes its connection", async () => {
    // A broken upstream answering an error with an endless body: read whole, it filled the gateway's
    // memory until the call's timeout (1.1 GB in 5 s), and the client then got a timeout.
    let sent = 0;
    handler = (_req, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.write(JSON.stringify({ error: { message: "disk full", type: "server_error" } }).slice(0, -2));
      const pad = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024) {
          sent += pad.length;
          if (!res.write(pad)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    };
    const error = await provider()
      .complete({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("upstream_error");
    // The reason is in the first bytes kept, though the body cut there no longer parses.
    expect((error as GatewayError).message).toContain("disk full");
    await expect.poll(() => upstreamClosedEarly).toBe(1);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  }, 15_000);

  it("cuts off an answer whose body runs on past the limit, closes its connection, and fails the call at once without retrying", async () => {
    // A broken upstream answering 200 with an endless JSON body: read whole, it filled the gateway's
    // memory until the call's timeout.
    let sent = 0;
    let requests = 0;
    handler = (_req, res) => {
      requests++;
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"');
      const pad = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024) {
          sent += pad.length;
          if (!res.write(pad)) return void res.once("drain", pump);
        }
        res.end('"}}]}');
      };
      pump();
    };
    const limited = createHttpFetch({ answerBodyLimit: 1024 * 1024 });
    try {
      const error = await testProvider(baseURL, limited, { maxRetries: 2 })
        .complete({ model, request, signal: new AbortController().signal })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).status).toBe(502);
      expect((error as GatewayError).message).toContain("larger than 1 MiB");
      expect((error as GatewayError).code).toBe("upstream_error");
      // The same server would send the same answer: the client is told not to retry either.
      expect((error as GatewayError).headers["x-should-retry"]).toBe("false");
      await expect.poll(() => upstreamClosedEarly).toBe(1);
      expect(sent).toBeLessThan(16 * 1024 * 1024);
      expect(requests).toBe(1);
    } finally {
      limited.close();
    }
  }, 15_000);

  it("relays a stream and keeps the upstream connection for the next request", async () => {
    handler = (_req, res) => sse(res, [chunk("one "), chunk("two")]);
    const p = provider();
    for (let i = 0; i < 3; i++) {
      const texts: string[] = [];
      for await (const c of await p.stream({ model, request, signal: new AbortController().signal })) texts.push(c.choices[0]?.delta.content ?? "");
      expect(texts.join("")).toBe("one two");
      // The answer ends at [DONE]; the body's end is read just after, in the background, and only then is the socket free.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sockets.size).toBe(1);
  });

  it("ends the upstream request when the client stops reading mid-stream", async () => {
    handler = (_req, res) => sse(res, [chunk("first")], false);
    const stream = await provider().stream({ model, request, signal: new AbortController().signal });
    for await (const c of stream) {
      expect(c.choices[0]?.delta.content).toBe("first");
      break;
    }
    await expect.poll(() => upstreamClosedEarly).toBe(1);
  });

  it("ends the upstream request when a stream is abandoned before its first read (its first event was already read)", async () => {
    handler = (_req, res) => sse(res, [chunk("first")], false);
    const stream = await provider().stream({ model, request, signal: new AbortController().signal });
    await stream[Symbol.asyncIterator]().return?.();
    await expect.poll(() => upstreamClosedEarly).toBe(1);
  });

  it("rejects the stream itself, not its first read, when the first event is an error", async () => {
    handler = (_req, res) => sse(res, [`data: ${JSON.stringify({ error: { message: "model overloaded", type: "server_error" } })}\n\n`]);
    const error = await provider()
      .stream({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(502);
    expect((error as GatewayError).message).toContain("model overloaded");
  });

  it("reports a client that went away mid-stream as client_closed_request (499)", async () => {
    handler = (_req, res) => sse(res, [chunk("first")], false);
    const client = new AbortController();
    const stream = await provider().stream({ model, request, signal: client.signal });
    const error = await (async () => {
      for await (const _ of stream) client.abort();
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(499);
  });

  it("maps an error event inside the stream to an upstream error", async () => {
    handler = (_req, res) => sse(res, [chunk("a"), `data: ${JSON.stringify({ error: { message: "model overloaded", type: "server_error" } })}\n\n`]);
    const stream = await provider().stream({ model, request, signal: new AbortController().signal });
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(502);
  });

  it.each([
    ["text-generation-inference", 400, { error: "Input validation error: inputs too long", error_type: "validation" }, "Input validation error: inputs too long"],
    ["an older vLLM", 400, { object: "error", message: "This model's maximum context length is 4096 tokens.", type: "BadRequestError", code: 400 }, "This model's maximum context length is 4096 tokens."],
    ["FastAPI", 422, { detail: [{ loc: ["body", "messages"], msg: "field required", type: "missing" }] }, "body.messages: field required"],
  ])("keeps the reason of an error worded as %s words it", async (_server, status, body, reason) => {
    handler = (_req, res) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const error = await provider()
      .complete({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(status);
    expect((error as GatewayError).message).toBe(`The upstream provider 'upstream' rejected the request: ${reason}`);
  });

  it.each([
    ["", {}],
    [", asking to retry in an hour", { "retry-after": "3600" }],
  ])("answers an error whose status is past 599%s as an upstream error, not as a lost connection", async (_label, headers) => {
    // A web Response cannot carry such a status: rebuilding the answer (to reshape its body, or to
    // mark a long Retry-After not to be sat out) threw, and the SDK took the throw for a connection
    // failure, reported as the upstream being unreachable.
    handler = (_req, res) => {
      res.writeHead(600, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify({ error: "unknown failure" }));
    };
    const error = await provider()
      .complete({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("upstream_error");
  });

  it("keeps the upstream's Retry-After on a 429 after retrying", async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls++;
      res.writeHead(429, { "content-type": "application/json", "retry-after": "0", "Retry-After-Ms": "1" });
      res.end(JSON.stringify({ error: { message: "slow down", type: "rate_limit_error" } }));
    };
    const error = await provider(1)
      .complete({ model, request, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(429);
    expect((error as GatewayError).headers["retry-after"]).toBe("0");
  });
});
