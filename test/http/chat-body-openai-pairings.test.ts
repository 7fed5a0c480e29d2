/**
 * Field pairings OpenAI's API refuses with a 400 naming the param are refused the same way here,
 * before routing (no upstream call): `tool_choice` "required", a named tool or `allowed_tools` in
 * "required" mode without `tools`, a named `function_call` without `functions`, and `stream_options`
 * without `stream: true`. What OpenAI accepts still passes.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

const cloud = fakeCloudGateway();
beforeEach(() => cloud.fake.reset());

const messages = [{ role: "user", content: "hi" }];
const tool = { type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } };

async function chat(body: Record<string, unknown>) {
  return postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages, ...body });
}

describe("pairings OpenAI refuses", () => {
  it.each([
    ["'required'", "required"],
    ["a named function", { type: "function", function: { name: "lookup" } }],
    ["a named custom tool", { type: "custom", custom: { name: "lookup" } }],
  ])("tool_choice %s without tools: a 400 naming tool_choice, no upstream call", async (_what, toolChoice) => {
    const answer = await chat({ tool_choice: toolChoice });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: "invalid_request_error", param: "tool_choice" });
    expect(answer.json.error!.message).toContain("only allowed when 'tools' are specified");
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("tool_choice 'required' with an empty tools list: the same 400", async () => {
    const answer = await chat({ tool_choice: "required", tools: [] });
    expect(answer.status).toBe(400);
    expect(answer.json.error!.param).toBe("tool_choice");
  });

  // Answered by a model without tools, these got text where the client demanded a call.
  it.each([
    ["tool_choice allowed_tools in 'required' mode without tools", { tool_choice: { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "lookup" } }] } } }, "tool_choice"],
    ["function_call naming a function without functions", { function_call: { name: "lookup" } }, "function_call"],
    ["function_call naming a function with an empty functions list", { function_call: { name: "lookup" }, functions: [] }, "function_call"],
  ])("%s: a 400 naming it, on the local model too", async (_what, body, param) => {
    for (const model of ["fake-gpt", "local"]) {
      const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model, messages, ...body });
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatchObject({ type: "invalid_request_error", param });
    }
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it.each([[undefined], [false]])("stream_options with stream %s: a 400 naming stream_options", async (stream) => {
    const answer = await chat({ stream, stream_options: { include_usage: true } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: "invalid_request_error", param: "stream_options" });
    expect(answer.json.error!.message).toContain("only allowed when 'stream' is true");
    expect(cloud.fake.requests).toHaveLength(0);
  });
});

describe("pairings OpenAI accepts", () => {
  it.each([
    ["tool_choice 'required' with tools", { tool_choice: "required", tools: [tool] }],
    ["tool_choice 'none' without tools", { tool_choice: "none" }],
    ["tool_choice 'auto' without tools", { tool_choice: "auto" }],
    ["tool_choice allowed_tools in 'auto' mode without tools", { tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [] } } }],
    ["function_call 'none' or 'auto' without functions", { function_call: "auto" }],
    ["stream_options: null without stream", { stream_options: null }],
  ])("%s: answered", async (_what, body) => {
    const answer = await chat(body);
    expect(answer.status).toBe(200);
  });

  it("stream_options with stream: true: answered as a stream", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-gpt", messages, stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("[DONE]");
  });
});
