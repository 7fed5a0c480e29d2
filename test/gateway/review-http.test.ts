/**
 * Edge cases of the HTTP surface found in review: each test is a request a real client (or a
 * hostile one) can send, and the OpenAI-shaped answer it must get.
 */
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseJsonText } from "../../src/api/parse-body.js";
import { fakeCloudGateway, NO_FALLBACK_ROUTING } from "../support/gateway.js";

const KEY = "sk-client-0123456789";

const cloud = fakeCloudGateway({
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: `acme=${KEY}`, SWITCHYARD_BODY_LIMIT_BYTES: "1000000" } },
});

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

async function send(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const response = await fetch(`${cloud.gw.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...init.headers },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as ErrorBody };
}

describe("deeply nested JSON", () => {
  // Nesting no real request has; past a few thousand levels the gateway's recursive walks of the body
  // (PII scan, token estimate, serialising it upstream) overflow the stack.
  const nested = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  const body = (depth: number) =>
    `{"model":"cloud","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${nested(depth)}}}}]}`;

  it("is refused with a 400 naming the problem, not a 500", async () => {
    for (const path of ["/v1/chat/completions", "/v1/route"]) {
      const r = await send(path, { method: "POST", body: body(20_000) });
      expect(r.status, path).toBe(400);
      expect(r.json().error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
    }
    const scan = await send("/v1/pii/scan", { method: "POST", body: `{"text":"hi","x":${nested(20_000)}}` });
    expect(scan.status).toBe(400);
  });

  it("still accepts realistic nesting (a deep tool schema)", async () => {
    const r = await send("/v1/chat/completions", { method: "POST", body: body(60) });
    expect(r.status).toBe(200);
  });

  it("measures depth by structure, not by brackets inside strings", () => {
    const deepText = JSON.stringify({ content: `\\"\\\\${"[".repeat(MAX_JSON_DEPTH + 5)}` });
    expect(() => parseJsonText(deepText)).not.toThrow();
    const escapedBackslashThenDeep = `["a\\\\", ${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}]`;
    expect(() => parseJsonText(escapedBackslashThenDeep)).toThrow(/levels deep/);
    const atLimit = "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH);
    expect(() => parseJsonText(atLimit)).not.toThrow();
  });

  it("counts brackets inside strings as text", async () => {
    const r = await send("/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content: `say \\" ${"[{".repeat(5_000)}` }] }),
    });
    expect(r.status).toBe(200);
  });
});

/** Writes `text` on a raw connection and closes it `closeAfterMs` later, without reading the answer. */
function sendAndHangUp(text: string, closeAfterMs: number): Promise<void> {
  const url = new URL(cloud.gw.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(text);
      setTimeout(() => socket.destroy(), closeAfterMs);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve());
  });
}

async function accessLog(requestId: string): Promise<{ status: number }> {
  for (let i = 0; i < 200; i++) {
    const line = cloud.gw.logs.find((l) => l.includes(`"requestId":"${requestId}"`) && l.includes('"msg":"request"'));
    if (line) return JSON.parse(line) as { status: number };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no access log line for ${requestId}`);
}

describe("a client that hangs up", () => {
  const head = (path: string, requestId: string, length: number) =>
    `POST ${path} HTTP/1.1\r\nhost: gateway\r\nauthorization: Bearer ${KEY}\r\ncontent-type: application/json\r\n` +
    `x-request-id: ${requestId}\r\ncontent-length: ${length}\r\n\r\n`;
  const errorLogs = (requestId: string) => cloud.gw.logs.filter((l) => l.includes(`"requestId":"${requestId}"`) && l.includes('"level":50'));

  it("before its request reached the local model is a 499, not a logged 500", async () => {
    const body = JSON.stringify({ model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 60 });
    await sendAndHangUp(head("/v1/chat/completions", "hangup-local", Buffer.byteLength(body)) + body, 0);
    expect((await accessLog("hangup-local")).status).toBe(499);
    expect(errorLogs("hangup-local")).toEqual([]);
  });

  it("while sending its body is a 499, not a logged 500", async () => {
    for (const path of ["/v1/chat/completions", "/v1/pii/scan", "/v1/route"]) {
      const id = `hangup-body-${path.split("/").pop()}`;
      await sendAndHangUp(head(path, id, 1_000) + '{"model":"cloud","mess', 30);
      expect((await accessLog(id)).status, path).toBe(499);
      expect(errorLogs(id), path).toEqual([]);
    }
  });
});

describe("request shapes of the openai client", () => {
  it("accepts tool_choice allowed_tools and passes it to the cloud model", async () => {
    cloud.fake.reset();
    const tool_choice = { type: "allowed_tools" as const, allowed_tools: { mode: "required" as const, tools: [{ type: "function", function: { name: "get_weather" } }] } };
    const completion = await cloud.gw.client({ apiKey: KEY }).chat.completions.create({
      model: "cloud",
      messages: [{ role: "user", content: "weather in Paris?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }],
      tool_choice,
    });
    expect(completion.object).toBe("chat.completion");
    expect((cloud.fake.requests.at(-1)?.body as { tool_choice: unknown }).tool_choice).toEqual(tool_choice);
  });
});

describe("compressed request bodies", () => {
  it("refuses a compressed request body with 415 saying so, not a 400 quoting binary bytes", async () => {
    cloud.fake.reset();
    const body = gzipSync(JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "Hi" }] }));
    const res = await send("/v1/chat/completions", { method: "POST", body, headers: { "content-encoding": "gzip" } });
    expect(res.status).toBe(415);
    expect(res.json().error).toMatchObject({ type: "invalid_request_error", code: "unsupported_content_encoding" });
    expect(res.json().error.message).toContain("Content-Encoding: gzip");
    expect(cloud.fake.requests).toHaveLength(0);
    // `identity` is no encoding at all.
    const plain = await send("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "Hi" }] }), headers: { "content-encoding": "identity" } });
    expect(plain.status).toBe(200);
  });
});
