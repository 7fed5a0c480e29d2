/**
 * An assistant message carrying only the deprecated `function_call` is tool history, as one with
 * `tool_calls` is: routing counts it as needing tools, and a model without tools refuses it by name
 * instead of answering a conversation whose call it cannot see.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { fakeCloudGateway, NO_FALLBACK_ROUTING } from "../support/gateway.js";

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING } } });

// The client kept the call but not its result: no `function` message marks the history as tools.
const messages: ChatMessage[] = [
  { role: "user", content: "Mail the report to the finance team." },
  { role: "assistant", content: null, function_call: { name: "send_mail", arguments: '{"to":"finance"}' } },
  { role: "user", content: "Did it go out?" },
];

const post = (path: string, body: object) =>
  fetch(`${cloud.gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("an assistant message with only function_call", () => {
  it("is refused by a model without tools, naming the call", async () => {
    const res = await post("/v1/chat/completions", { model: "local", messages });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; param: string } };
    expect(error.param).toBe("messages[1].function_call");
    expect(error.message).toMatch(/does not support tools/);
  });

  it("makes the routing decision look for a model with tools", async () => {
    const res = await post("/v1/route", { model: "auto", messages });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { features: { hasTools: boolean } }).features.hasTools).toBe(true);
  });
});
