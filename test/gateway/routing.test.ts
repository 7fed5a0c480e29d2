/**
 * Routing end to end with the shipped policies/routing.yaml and the shipped classifier: where
 * requests go, how the gateway falls back when a target fails, the dry run, and hot reload.
 */
import { readFile, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { readFallbackHeader } from "../../src/policy/fallback.js";
import { fakeCloudGateway } from "../support/gateway.js";

const ADMIN = "admin-key-0123456789abcdef";

const cloud = fakeCloudGateway({ models: { parallel: 1, queue: 0 }, gateway: { env: { SWITCHYARD_ADMIN_KEY: ADMIN } } });
beforeEach(() => cloud.fake.reset());

const user = (content: string) => [{ role: "user" as const, content }];

describe("routing with the shipped policy", () => {
  it("answers small talk locally and sends code generation to the cloud", async () => {
    const hello = await cloud.gw.client().chat.completions.create({ model: "auto", messages: user("Hi there! How are you doing today?"), max_tokens: 4 }).withResponse();
    expect(hello.response.headers.get("x-switchyard-route")).toBe("local");
    const code = await cloud.gw
      .client()
      .chat.completions.create({ model: "auto", messages: user("Write a Python function that merges two sorted lists and add unit tests for it."), max_tokens: 4 })
      .withResponse();
    expect(code.response.headers.get("x-switchyard-route")).toBe("cloud");
    expect(code.response.headers.get("x-switchyard-policy")).toMatch(/^[0-9a-f]{8,}$/);
    expect(cloud.fake.requests).toHaveLength(1);
  });

  it("continues a conversation that holds tool calls on a model that can use tools, even without a tools list", async () => {
    const messages = [
      { role: "user" as const, content: "Hi there! How are you doing today?" },
      { role: "assistant" as const, content: null, tool_calls: [{ id: "call_1", type: "function" as const, function: { name: "mood", arguments: "{}" } }] },
      { role: "tool" as const, tool_call_id: "call_1", content: "great" },
      { role: "user" as const, content: "Thanks! And how are you?" },
    ];
    const { response } = await cloud.gw.client().chat.completions.create({ model: "auto", messages, max_tokens: 4 }).withResponse();
    expect(response.headers.get("x-switchyard-route")).toBe("cloud");
    expect(cloud.fake.requests).toHaveLength(1);
  });

  it("keeps personal data on the host when the local model can answer", async () => {
    const { response } = await cloud.gw
      .client()
      .chat.completions.create({ model: "auto", messages: user("Write a Python script that emails jane.roe@example.org every Monday."), max_tokens: 4 })
      .withResponse();
    expect(response.headers.get("x-switchyard-route")).toBe("local");
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("falls back to the local model when the cloud fails, and says so", async () => {
    cloud.fake.script({ kind: "error", status: 500 });
    const { data, response } = await cloud.gw.client().chat.completions.create({ model: "cloud", messages: user("Once upon a time"), max_tokens: 4 }).withResponse();
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(response.headers.get("x-switchyard-route")).toBe("local");
    expect(readFallbackHeader(response.headers.get("x-switchyard-fallback") ?? "")).toEqual(["fake-gpt", "stories"]);
  });

  it("falls back before the first byte of a stream, too", async () => {
    cloud.fake.script({ kind: "error", status: 503 });
    const stream = await cloud.gw.client().chat.completions.create({ model: "cloud", messages: user("Once upon a time"), max_tokens: 4, stream: true }).withResponse();
    expect(stream.response.headers.get("x-switchyard-route")).toBe("local");
    let text = "";
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? "";
    expect(text.length).toBeGreaterThan(0);
  });

  it("sends the fallback path of a streamed answer as UTF-8 bytes, like a non-streamed one", async () => {
    cloud.fake.script({ kind: "error", status: 503 });
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const url = new URL(`${cloud.gw.url}/v1/chat/completions`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        const at = res.rawHeaders.findIndex((h) => h.toLowerCase() === "x-switchyard-fallback");
        res.resume();
        res.on("end", () => resolve(Buffer.from(res.rawHeaders[at + 1] ?? "", "latin1")));
      });
      req.on("error", reject);
      req.end(JSON.stringify({ model: "cloud", messages: user("Once upon a time"), max_tokens: 4, stream: true }));
    });
    expect(raw.toString("utf8")).toBe("fake-gpt→stories");
  });

  it("sends local overflow to the cloud instead of refusing it", async () => {
    // One sequence and no queue: of three simultaneous local requests, two overflow.
    const ask = () =>
      cloud.gw.client().chat.completions.create({ model: "local", messages: user("Once upon a time"), max_tokens: 200, temperature: 1 }).withResponse();
    const results = await Promise.all([ask(), ask(), ask()]);
    const routes = results.map((r) => r.response.headers.get("x-switchyard-route"));
    expect(routes.filter((r) => r === "local")).toHaveLength(1);
    expect(routes.filter((r) => r === "cloud")).toHaveLength(2);
    const fellBack = results.find((r) => r.response.headers.get("x-switchyard-route") === "cloud");
    expect(readFallbackHeader(fellBack?.response.headers.get("x-switchyard-fallback") ?? "")).toEqual(["stories", "fake-gpt"]);
  });
});

describe("POST /v1/route (dry run)", () => {
  it("explains the decision without calling any model", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/route`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "auto", messages: user("Debug this: TypeError: cannot read properties of undefined (reading 'map') in my React component") }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["confidence", "fallbacks", "features", "intent", "model", "pii", "reasons", "route", "rule", "unsure"]);
    expect(body).toMatchObject({ route: "cloud", model: "fake-gpt" });
    expect(typeof body.intent).toBe("string");
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("reports PII types found, never values", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/route`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "auto", messages: user("Call me at +1 415 555 0134 about the invoice") }),
    });
    const text = await response.text();
    expect(text).toContain("PHONE_NUMBER");
    expect(text).not.toContain("555 0134");
  });

  it("rejects a malformed body with an OpenAI-shaped 400", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/route`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"model":"auto"}' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe("messages");
  });
});

describe("policy hot reload", () => {
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${cloud.gw.url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, ...init.headers } });

  it("keeps serving the last good policy when the new one is invalid, then takes the fixed one", async () => {
    const routing = join(cloud.gw.policyDir, "routing.yaml");
    const original = await readFile(routing, "utf8");
    const before = ((await (await admin("/admin/policies")).json()) as { version: string }).version;

    await writeFile(routing, original.replace("route: intent_default", "route: no-such-model"));
    const failed = await admin("/admin/policies/reload", { method: "POST" });
    expect(failed.status).toBe(422);
    const failure = (await failed.json()) as { error: { message: string } };
    expect(failure.error.message).toMatch(/routing\.yaml:\d+:\d+/);
    const status = (await (await admin("/admin/policies")).json()) as { version: string; lastError: { message: string } | null };
    expect(status.version).toBe(before);
    expect(status.lastError?.message).toContain("no-such-model");
    const served = await cloud.gw.client().chat.completions.create({ model: "auto", messages: user("Hello!"), max_tokens: 2 }).withResponse();
    expect(served.response.headers.get("x-switchyard-policy")).toBe(before);

    await writeFile(routing, original.replace("turns: 3 ", "turns: 4 "));
    const fixed = await admin("/admin/policies/reload", { method: "POST" });
    expect(fixed.status).toBe(200);
    const after = ((await fixed.json()) as { version: string }).version;
    expect(after).not.toBe(before);
    const next = await cloud.gw.client().chat.completions.create({ model: "auto", messages: user("Hello!"), max_tokens: 2 }).withResponse();
    expect(next.response.headers.get("x-switchyard-policy")).toBe(after);
    await writeFile(routing, original);
    await admin("/admin/policies/reload", { method: "POST" });
  });

  it("refuses the admin API without the admin key", async () => {
    expect((await fetch(`${cloud.gw.url}/admin/policies`)).status).toBe(401);
    expect((await fetch(`${cloud.gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: "Bearer wrong-key-123456789" } })).status).toBe(401);
  });
});
