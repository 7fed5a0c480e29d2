/**
 * Every way a request can be wrong gets an OpenAI-shaped error with the right status — never a
 * crash, a hang or an HTML page.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING } from "../support/gateway.js";

const KEY = "sk-client-0123456789";

const cloud = fakeCloudGateway({
  models: { parallel: 1, queue: 1, maxRetries: 2 },
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: `acme=${KEY}`, SWITCHYARD_BODY_LIMIT_BYTES: "65536" } },
});

async function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) {
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as { error: { message: string; type: string; code: string | null; param: string | null } } };
}

const valid = { model: "cloud", messages: [{ role: "user", content: "hi" }] };

describe("request errors", () => {
  it("rejects a request without a key (401 missing_api_key) and with a wrong key (401 invalid_api_key)", async () => {
    const missing = await post(JSON.stringify(valid), { authorization: "" });
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ type: "authentication_error", code: "missing_api_key" });
    const wrong = await post(JSON.stringify(valid), { authorization: "Bearer sk-client-wrong-key" });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe("invalid_api_key");
    expect(JSON.stringify(wrong.json)).not.toContain("sk-client-wrong-key");
  });

  it("rejects malformed JSON with 400 invalid_json", async () => {
    const r = await post('{"model": "cloud", "messages": [');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
  });

  it("rejects a body that is not UTF-8 with 400 invalid_encoding, instead of sending its text with characters replaced", async () => {
    const before = cloud.fake.requests.length;
    // "café" as Latin-1: 0xE9 alone is no UTF-8 character.
    const latin1 = new Uint8Array(Buffer.from(JSON.stringify({ model: "cloud", messages: [{ role: "user", content: "Un café, s'il vous plaît" }] }), "latin1"));
    const r = await post(latin1);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ type: "invalid_request_error", code: "invalid_encoding" });
    expect(r.json.error.message).toContain("UTF-8");
    expect(cloud.fake.requests.length).toBe(before);
    // A UTF-8 body with a byte-order mark is still read.
    const bom = new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(valid))]));
    expect((await post(bom)).status).toBe(200);
  });

  it("rejects a body that is not an object", async () => {
    const r = await post("[1,2,3]");
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("invalid_json");
  });

  it("names the offending field of a schema violation", async () => {
    const r = await post(JSON.stringify({ model: "cloud", messages: [{ role: "user", content: 42 }] }));
    expect(r.status).toBe(400);
    expect(r.json.error.param).toBe("messages[0].content");
    expect(r.json.error.message).toContain("messages[0].content");

    const badRole = await post(JSON.stringify({ model: "cloud", messages: [{ role: "wizard", content: "x" }] }));
    expect(badRole.json.error.param).toBe("messages[0].role");

    const badTemp = await post(JSON.stringify({ ...valid, temperature: 7 }));
    expect(badTemp.status).toBe(400);
    expect(badTemp.json.error.param).toBe("temperature");

    const empty = await post(JSON.stringify({ model: "cloud", messages: [] }));
    expect(empty.json.error.param).toBe("messages");
  });

  it("answers 404 model_not_found for an unknown model", async () => {
    const r = await post(JSON.stringify({ ...valid, model: "gpt-17" }));
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ code: "model_not_found", param: "model" });
  });

  it("refuses n > 1 with a clear 400", async () => {
    const r = await post(JSON.stringify({ ...valid, n: 3 }));
    expect(r.status).toBe(400);
    expect(r.json.error.param).toBe("n");
  });

  it("refuses images for a model without vision", async () => {
    const r = await post(
      JSON.stringify({ model: "local", messages: [{ role: "user", content: [{ type: "text", text: "what is it" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }] }),
    );
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("unsupported_parameter");
    // The part itself, as audio and file parts are named: "messages" left the client to search.
    expect(r.json.error.param).toBe("messages[0].content[1]");
  });

  it("answers 413 for a body over the limit, with or without content-length", async () => {
    const big = JSON.stringify({ ...valid, messages: [{ role: "user", content: "x".repeat(70_000) }] });
    const r = await post(big);
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe("request_too_large");

    const chunked = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it("answers unknown paths with an OpenAI-shaped 404", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
  });

  it("echoes a client's x-request-id, on errors too", async () => {
    const r = await post("{", { "x-request-id": "trace-abc-123" });
    expect(r.headers.get("x-request-id")).toBe("trace-abc-123");
  });

  it("answers 503 with Retry-After when the local queue is full", async () => {
    const long = (i: number) =>
      fetch(`${cloud.gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "local", messages: [{ role: "user", content: `Once upon a time ${i}` }], max_tokens: 300, temperature: 1 }),
      });
    // 1 sequence + 1 queue slot: of 5 simultaneous requests, at least 3 must be refused at once.
    const responses = await Promise.all([0, 1, 2, 3, 4].map(long));
    const refused = responses.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    const body = (await refused[0]!.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: "overloaded_error", code: "overloaded" });
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("lists aliases and configured models on /v1/models", async () => {
    const models = await cloud.gw.client({ apiKey: KEY }).models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["auto", "local", "cloud", "stories", "fake-gpt"]));
  });

  it("reports health without auth and per-component readiness", async () => {
    expect((await fetch(`${cloud.gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${cloud.gw.url}/readyz`);
    const body = (await ready.json()) as { status: string; components: Record<string, { state: string }> };
    expect(ready.status).toBe(200);
    expect(body.components["provider:local"]?.state).toBe("ready");
    expect(body.components["provider:fake"]?.state).toBe("ready");
  });
});
