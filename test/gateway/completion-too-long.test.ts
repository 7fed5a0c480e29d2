/**
 * A max_tokens (or max_completion_tokens) that leaves the prompt no room is refused naming that
 * parameter and the client's own numbers, the way OpenAI words it ("you requested M tokens (P in the
 * messages, C in the completion)", P counted by the model's own tokenizer); a prompt that does not fit
 * even alone still blames the messages. A completion that fits beside the prompt exactly is answered.
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
    const { status, error } = await ask({ [param]: 2047, messages: [{ role: "user", content: "hi" }] });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "context_length_exceeded", param });
    expect(error!.message).toContain("maximum context length is 2048 tokens");
    const numbers = /you requested (\d+) tokens \((\d+) in the messages, 2047 in the completion\)/.exec(error!.message);
    expect(numbers).not.toBeNull();
    expect(Number(numbers![1])).toBe(Number(numbers![2]) + 2047);
    expect(error!.message).toContain(param);
  });

  it("answers a completion that fills the window exactly beside the prompt, whose size the refusal states exactly", async () => {
    const refused = await ask({ max_tokens: 2047, messages: [{ role: "user", content: "hi" }] });
    const prompt = Number(/\((\d+) in the messages/.exec(refused.error!.message)![1]);
    // "hi" is a handful of tokens; the refusal once added 26 tokens of framing slack to it.
    expect(prompt).toBeLessThan(8);
    expect((await ask({ max_tokens: 2048 - prompt, messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
    expect((await ask({ max_tokens: 2049 - prompt, messages: [{ role: "user", content: "hi" }] })).status).toBe(400);
  });

  it("states the prompt's exact size however far the completion overshoots the window", async () => {
    const messages = [{ role: "system", content: "Tell a story." }, { role: "user", content: "Once upon a time" }];
    const res = await fetch(`${cloud.gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "local", max_tokens: 1, messages }) });
    const { usage } = (await res.json()) as { usage: { prompt_tokens: number } };
    const { status, error } = await ask({ max_tokens: 100_000, messages });
    expect(status).toBe(400);
    // It stated the gateway's upper bound (framed messages and slack): 50 tokens for these 17.
    expect(error!.message).toContain(`you requested ${usage.prompt_tokens + 100_000} tokens (${usage.prompt_tokens} in the messages, 100000 in the completion)`);
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
