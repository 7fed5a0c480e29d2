/**
 * Edge cases of the HTTP surface found in review: each test is a request a real client (or a
 * hostile one) can send, and the OpenAI-shaped answer it must get.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseJsonText } from "../../src/api/parse-body.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let fake: FakeOpenAI;
let gw: TestGateway;
const KEY = "sk-client-0123456789";

beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
    files: { "routing.yaml": NO_FALLBACK_ROUTING },
    env: { SWITCHYARD_API_KEYS: `acme=${KEY}`, SWITCHYARD_BODY_LIMIT_BYTES: "1000000" },
  });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

async function send(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const response = await fetch(`${gw.url}${path}`, {
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

