/**
 * A streamed answer from the in-process model that the client leaves early has no usage from the
 * model, so the gateway counts the prompt itself. That prompt is what the model read: the in-process
 * model answers in text and its prompt holds no tool definitions (offered with `tool_choice: "none"`,
 * which any model may take), so none are billed.
 */
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const KEY = "sk-local-abort-prompt-tokens-0123";
const TOOLS: ChatCompletionCreateParamsStreaming["tools"] = [
  {
    type: "function",
    function: { name: "lookup_order", description: "Looks up an order in the warehouse system. ".repeat(30), parameters: { type: "object", properties: { id: { type: "string" } } } },
  },
];

const cloud = fakeCloudGateway({ models: { parallel: 2, queue: 16, maxRetries: 2 }, gateway: { env: { SWITCHYARD_API_KEYS: `usage=${KEY}` } } });

async function totals(): Promise<{ requests: number; prompt_tokens: number }> {
  const res = await fetch(`${cloud.gw.url}/v1/usage`, { headers: { authorization: `Bearer ${KEY}` } });
  return ((await res.json()) as { totals: { requests: number; prompt_tokens: number } }).totals;
}

/** Prompt tokens recorded for one local stream the client aborts after three chunks. */
async function abortedPromptTokens(extra: Partial<ChatCompletionCreateParamsStreaming>): Promise<number> {
  const before = await totals();
  const controller = new AbortController();
  const stream = await cloud.gw.client({ apiKey: KEY }).chat.completions.create(
    { model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 1900, temperature: 1, stream: true, ...extra },
    { signal: controller.signal },
  );
  let received = 0;
  try {
    for await (const _chunk of stream) if (++received === 3) controller.abort();
  } catch (error) {
    expect((error as Error).name).toMatch(/Abort/);
  }
  const deadline = Date.now() + 5000;
  for (;;) {
    const now = await totals();
    if (now.requests > before.requests) return now.prompt_tokens - before.prompt_tokens;
    if (Date.now() > deadline) throw new Error("the aborted request was not recorded");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("an in-process answer the client leaves early", () => {
  it("bills the prompt the model read, without the tool definitions it was not given", async () => {
    const plain = await abortedPromptTokens({});
    const withUnusedTools = await abortedPromptTokens({ tools: TOOLS, tool_choice: "none" });
    expect(plain).toBeGreaterThan(0);
    expect(withUnusedTools).toBe(plain);
  });
});
