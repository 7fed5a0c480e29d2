/**
 * The deprecated request parameters `functions` and `function_call` (replaced by `tools` and
 * `tool_choice`, still in the official client's types): they offer the model tools as `tools` does,
 * so routing looks for a tool-capable model, a model without tools refuses them by name, malformed
 * ones are a 400 naming the field, and a cloud model gets them as sent.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

// The shipped routing policy: small talk goes to the local model unless it needs more.
const cloud = fakeCloudGateway();
beforeEach(() => cloud.fake.reset());

const post = (path: string, body: unknown) => postJson(cloud.gw.url, path, body);

const FUNCTIONS = [{ name: "get_weather", description: "Current weather in a city.", parameters: { type: "object", properties: { city: { type: "string" } } } }];
const SMALL_TALK = [{ role: "user", content: "Hi there! How are you doing today?" }];

describe("functions offered to a model that cannot call them", { timeout: 60_000 }, () => {
  it("is a 400 naming functions, not a text answer", async () => {
    const { status, json } = await post("/v1/chat/completions", { model: "stories", messages: SMALL_TALK, functions: FUNCTIONS, max_tokens: 4 });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: "invalid_request_error", code: "unsupported_parameter", param: "functions" });
    expect(json.error!.message).toMatch(/does not support tools/);
  });

  it("is predicted by POST /v1/route as the same refusal", async () => {
    const body = { model: "stories", messages: SMALL_TALK, functions: FUNCTIONS };
    const real = await post("/v1/chat/completions", { ...body, max_tokens: 4 });
    const dry = await post("/v1/route", body);
    expect(dry.json).toMatchObject({ route: "deny", model: null });
    expect((dry.json.reasons as string[]).at(-1)).toBe(`denied with 400 unsupported_parameter: ${real.json.error?.message}`);
  });

  it("is answered as text when function_call is none, as tool_choice none is", async () => {
    const { status, json } = await post("/v1/chat/completions", { model: "stories", messages: SMALL_TALK, functions: FUNCTIONS, function_call: "none", max_tokens: 4 });
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: "chat.completion", model: "stories" });
  });
});

describe("routing a request with functions", { timeout: 60_000 }, () => {
  it("looks for a model with tools, as for a request with tools", async () => {
    const dry = await post("/v1/route", { model: "auto", messages: SMALL_TALK, functions: FUNCTIONS });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: "cloud", features: { hasTools: true } });
    const withTools = await post("/v1/route", { model: "auto", messages: SMALL_TALK, tools: FUNCTIONS.map((f) => ({ type: "function", function: f })) });
    expect(withTools.json).toMatchObject({ route: dry.json.route, model: dry.json.model, rule: dry.json.rule });
  });

  it("is served by that model, which gets functions and function_call as sent", async () => {
    const functionCall = { name: "get_weather" };
    const real = await post("/v1/chat/completions", { model: "auto", messages: SMALL_TALK, functions: FUNCTIONS, function_call: functionCall, max_tokens: 4 });
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-route")).toBe("cloud");
    expect(cloud.fake.requests).toHaveLength(1);
    const sent = cloud.fake.requests[0]!.body as Record<string, unknown>;
    expect(sent.functions).toEqual(FUNCTIONS);
    expect(sent.function_call).toEqual(functionCall);
  });

  it("with function_call none stays where the same request without functions goes", async () => {
    const dry = await post("/v1/route", { model: "auto", messages: SMALL_TALK, functions: FUNCTIONS, function_call: "none" });
    const plain = await post("/v1/route", { model: "auto", messages: SMALL_TALK });
    expect(dry.json).toMatchObject({ route: plain.json.route, model: plain.json.model, features: { hasTools: false } });
  });
});

describe("functions and function_call on the cloud route", { timeout: 60_000 }, () => {
  it("reach the upstream untouched, alongside tools when both are sent", async () => {
    const tools = [{ type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } }];
    const body = { model: "cloud", messages: SMALL_TALK, functions: FUNCTIONS, function_call: "auto", tools, tool_choice: "auto", max_tokens: 4 };
    const real = await post("/v1/chat/completions", body);
    expect(real.status).toBe(200);
    const sent = cloud.fake.requests[0]!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ functions: FUNCTIONS, function_call: "auto", tools, tool_choice: "auto" });
  });

  it("keep a function's name when it reads like personal data, as a tool's name is kept", async () => {
    // A place name: the PII scan pseudonymizes it in text, which would rename the function.
    const functions = [{ name: "Paris", description: "Opening hours of the museums." }];
    const real = await post("/v1/chat/completions", { model: "cloud", messages: SMALL_TALK, functions, function_call: { name: "Paris" }, max_tokens: 4 });
    expect(real.status).toBe(200);
    const sent = cloud.fake.requests[0]!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ functions, function_call: { name: "Paris" } });
  });
});

describe("malformed functions", () => {
  it.each([
    ["functions that is not a list", { functions: { name: "get_weather" } }, "functions"],
    ["a function without a name", { functions: [{ description: "No name." }] }, "functions[0].name"],
    ["a function whose name is not a string", { functions: [{ name: 42 }] }, "functions[0].name"],
    ["a function name OpenAI does not allow", { functions: [{ name: "get weather!" }] }, "functions[0].name"],
    ["parameters that are not an object", { functions: [{ name: "get_weather", parameters: "city" }] }, "functions[0].parameters"],
    ["a function_call that is neither none, auto nor a name", { functions: FUNCTIONS, function_call: "always" }, "function_call"],
    ["a function_call object without a name", { functions: FUNCTIONS, function_call: {} }, "function_call"],
  ])("%s is a 400 naming the field", async (_label, extra, param) => {
    const { status, json } = await post("/v1/chat/completions", { model: "cloud", messages: SMALL_TALK, ...extra });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: "invalid_request_error", code: "invalid_value" });
    expect(json.error!.param).toMatch(new RegExp(`^${param.replace(/[[\].]/g, "\\$&")}`));
    expect(cloud.fake.requests).toHaveLength(0);
  });
});
