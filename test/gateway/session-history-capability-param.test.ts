/**
 * A model refusing what a session's conversation holds names where it is: a message the client sent
 * by the client's own index, one from the stored history by the session (`x-session-id`), never an
 * index into a merged list the client never saw.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway();
const TOOLS = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }];
const CALL = { role: "assistant", content: null, tool_calls: [{ id: "call_9", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } }] };
const RESULT = { role: "tool", tool_call_id: "call_9", content: "x is 42" };

async function post(session: string, body: Record<string, unknown>) {
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { error?: { message: string; param: string | null; code: string } } };
}

describe("a local model and a session's tool calls", () => {
  it("names the session when the tool calls are in its stored history", async () => {
    const session = `tools-${randomUUID()}`;
    const first = await post(session, { model: "fake-gpt", tools: TOOLS, messages: [{ role: "user", content: "look up x" }, CALL, RESULT] });
    expect(first.status).toBe(200);

    const refused = await post(session, { model: "stories", messages: [{ role: "user", content: "hi there, thanks!" }] });
    expect(refused.status).toBe(400);
    expect(refused.json.error?.param).toBe("x-session-id");
    expect(refused.json.error?.message).toMatch(/session's history/);
  });

  it("names the client's own index when the client sent the tool call", async () => {
    const session = `tools-own-${randomUUID()}`;
    expect((await post(session, { model: "fake-gpt", messages: [{ role: "user", content: "hello" }] })).status).toBe(200);

    const refused = await post(session, { model: "stories", messages: [{ role: "user", content: "look up x" }, CALL, RESULT, { role: "user", content: "and?" }] });
    expect(refused.status).toBe(400);
    // The stored turns come first in the conversation, but the call is the client's messages[1].
    expect(refused.json.error?.param).toBe("messages[1].tool_calls");
  });
});

describe("a model without vision and a session's images", () => {
  const IMAGE = { role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] };

  it("names the session when the image is in its stored history", async () => {
    const session = `image-${randomUUID()}`;
    expect((await post(session, { model: "fake-gpt", messages: [IMAGE] })).status).toBe(200);

    const refused = await post(session, { model: "stories", messages: [{ role: "user", content: "and now?" }] });
    expect(refused.status).toBe(400);
    expect(refused.json.error?.param).toBe("x-session-id");
    expect(refused.json.error?.message).toMatch(/session's history/);
  });

  it("names the client's own part when the client sent the image", async () => {
    const session = `image-own-${randomUUID()}`;
    expect((await post(session, { model: "fake-gpt", messages: [{ role: "user", content: "hello" }] })).status).toBe(200);

    const refused = await post(session, { model: "stories", messages: [{ role: "user", content: "hi" }, IMAGE] });
    expect(refused.status).toBe(400);
    expect(refused.json.error?.param).toBe("messages[1].content[1]");
  });
});
