/**
 * A max_tokens (or max_completion_tokens) that leaves the prompt no room is refused naming that
 * parameter and the client's own numbers, the way OpenAI words it ("you requested M tokens (P in the
 * messages, C in the completion)"); a prompt that does not fit even alone still blames the messages.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway();

async function ask(body: Record<string, unknown>) {
  const res = await fetch(`${cloud.gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "local", ...body }) });
  return { status: res.status, error: ((await res.json()) as { error?: { code: string; param: string; message: string } }).error };
}

describe("a completion too long for the local model's context window", () => {
  it.each(["max_tokens", "max_completion_tokens"])("is refused naming %s and the client's own number", async (param) => {
    const { status, error } = await ask({ [param]: 2040, messages: [{ role: "user", content: "hi" }] });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "context_length_exceeded", param });
    expect(error!.message).toContain("maximum context length is 2048 tokens");
    const numbers = /you requested (\d+) tokens \((\d+) in the messages, 2040 in the completion\)/.exec(error!.message);
    expect(numbers).not.toBeNull();
    expect(Number(numbers![1])).toBe(Number(numbers![2]) + 2040);
    expect(error!.message).toContain(param);
  });

  it("still blames the messages when they do not fit even without the completion", async () => {
    const { status, error } = await ask({ max_tokens: 5, messages: [{ role: "user", content: "Once upon a time ".repeat(1200) }] });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "context_length_exceeded", param: "messages" });
    expect(error!.message).toContain("reduce the length of the messages");
  });

  it("answers when the completion fits beside the prompt", async () => {
    expect((await ask({ max_tokens: 5, messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
  });
});
