/**
 * Upstream answers in shapes OpenAI never sends, through the gateway to the official client: a usage
 * chunk without `choices` and a finish choice without `delta` are relayed as OpenAI's shapes instead
 * of failing the stream; an event that is neither a chunk nor a recognisable error (`event: error`
 * with the message at the top level) ends the stream with an upstream error that says what arrived,
 * logged with its cause; a completion whose choice has no message is an upstream error (502).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
let upstream: Server;
let gw: TestGateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const port = (upstream.address() as AddressInfo).port;
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: `http://127.0.0.1:${port}/v1`, timeoutMs: 2000, maxRetries: 0 }),
    files: { "routing.yaml": NO_FALLBACK_ROUTING },
    waitForModels: false,
  });
});
afterAll(async () => {
  await gw?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

const ask = { model: "fake-gpt", messages: [{ role: "user" as const, content: "Hi there" }] };
const textChunk = (content: string) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

/** A 200 event stream of `frames`, then `[DONE]`. */
function answerWith(...frames: string[]): Handler {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const frame of frames) res.write(frame);
    res.end("data: [DONE]\n\n");
  };
}

type LogLine = { level: number; msg: string; err?: { message?: string }; code?: string };
const logLines = () => gw.logs.map((line) => JSON.parse(line) as LogLine);

describe("chunks in shapes OpenAI does not send", () => {
  it("relays a usage chunk without choices as OpenAI's usage chunk (empty choices), after the text", async () => {
    handler = answerWith(textChunk("Hello"), `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`);
    const chunks = [];
    for await (const chunk of await gw.client().chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } })) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 4 } });

    // Without include_usage the usage chunk is not shown at all.
    const plain = [];
    for await (const chunk of await gw.client().chat.completions.create({ ...ask, stream: true })) plain.push(chunk);
    expect(plain.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello");
    expect(plain.some((c) => c.usage != null)).toBe(false);
  });

  it("relays a finish choice without delta with an empty delta", async () => {
    handler = answerWith(textChunk("Hello"), `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, finish_reason: "stop" }] })}\n\n`);
    const chunks = [];
    for await (const chunk of await gw.client().chat.completions.create({ ...ask, stream: true })) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello");
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
  });

  it("ends the stream with an upstream error naming what arrived for an error event without an error key, and logs it", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(textChunk("partial"));
      res.end(`event: error\ndata: ${JSON.stringify({ message: "overloaded", type: "server_error" })}\n\n`);
    };
    const before = gw.logs.length;
    const stream = await gw.client().chat.completions.create({ ...ask, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((e: unknown) => e);
    expect(seen.join("")).toBe("partial");
    expect(error).toMatchObject({ type: "upstream_error", code: "upstream_error" });
    expect((error as Error).message).toContain("neither choices nor usage");
    expect((error as Error).message).toContain("overloaded");
    await expect
      .poll(() => logLines().slice(before).find((l) => /stream failed after the answer started/.test(l.msg)))
      .toMatchObject({ level: 50, code: "upstream_error", err: { message: expect.stringContaining("overloaded") } });
  });

  it("logs an upstream error event mid-stream with the upstream's message", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(textChunk("partial"));
      res.end(`data: ${JSON.stringify({ error: { message: "model overloaded", type: "server_error" } })}\n\n`);
    };
    const before = gw.logs.length;
    const stream = await gw.client().chat.completions.create({ ...ask, stream: true });
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect((error as Error).message).toContain("model overloaded");
    await expect
      .poll(() => logLines().slice(before).find((l) => /stream failed after the answer started/.test(l.msg)))
      .toMatchObject({ level: 50, msg: expect.stringContaining("model overloaded") });
  });

  it("answers 502 upstream_error for a completion whose choice has no message", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, finish_reason: "stop" }] }));
    };
    const error = await gw.client().chat.completions.create(ask).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, type: "upstream_error", code: "upstream_error" });
    expect((error as Error).message).toContain("without a message");
  });
});
