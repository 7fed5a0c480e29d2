/**
 * The prompt tokens of a request whose provider reports no usage (a stream without
 * `stream_options.include_usage`) are counted by the gateway, and all of what the model received is
 * part of the prompt: the names and arguments of `tool_calls` and of the deprecated `function_call`
 * in the conversation, and the definitions offered in `tools` or the deprecated `functions`, are
 * billed like message text, not left out.
 */
import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { FUNCTIONS, legacyCallGateway } from "./legacy-call-upstream.js";

const KEY = "sk-call-prompt-tokens-0123456789";
/** 400 characters of arguments: about 100 tokens by any estimate. */
const ARGUMENTS = JSON.stringify({ to: "finance", body: "quarterly figures ".repeat(21) });

const legacy = legacyCallGateway({ waitForModels: false, env: { SWITCHYARD_API_KEYS: `usage=${KEY}` } });

async function promptTokensAfter(requests: number): Promise<number> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${legacy.gw.url}/v1/usage`, { headers: { authorization: `Bearer ${KEY}` } });
    const totals = ((await res.json()) as { totals: { requests: number; prompt_tokens: number } }).totals;
    if (totals.requests >= requests || Date.now() > deadline) return totals.prompt_tokens;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let sent = 0;
/** The prompt tokens recorded for one streamed request to `legacy-gpt`, whose upstream reports no usage. */
async function recordedPromptTokens(body: Omit<ChatCompletionCreateParamsStreaming, "model" | "stream">): Promise<number> {
  const before = await promptTokensAfter(sent);
  const stream = await legacy.gw.client({ apiKey: KEY }).chat.completions.create({ ...body, model: "legacy-gpt", stream: true });
  for await (const _ of stream) {
    // drained: usage is recorded once the stream ends
  }
  sent++;
  return (await promptTokensAfter(sent)) - before;
}

async function streamedPromptTokens(call: ChatCompletionMessageParam, result: ChatCompletionMessageParam): Promise<number> {
  const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "Mail it" }, call, result, { role: "user", content: "Again" }];
  return recordedPromptTokens({ functions: FUNCTIONS, messages });
}

describe("a streamed answer without reported usage, after a call with long arguments", () => {
  it("counts a function_call's arguments as prompt tokens", async () => {
    const tokens = await streamedPromptTokens(
      { role: "assistant", content: null, function_call: { name: "send_mail", arguments: ARGUMENTS } },
      { role: "function", name: "send_mail", content: "sent" },
    );
    expect(tokens).toBeGreaterThanOrEqual(100);
  });

  it("counts a tool call's arguments as prompt tokens", async () => {
    const tokens = await streamedPromptTokens(
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "send_mail", arguments: ARGUMENTS } }] },
      { role: "tool", tool_call_id: "call_1", content: "sent" },
    );
    expect(tokens).toBeGreaterThanOrEqual(100);
  });
});

/** A definition of about 2,100 characters (a long description): some 500 tokens at 4 characters a token. */
const REPORT_FUNCTION = {
  name: "file_report",
  description: "Files the quarterly report with the finance team. ".repeat(40),
  parameters: { type: "object", properties: { quarter: { type: "string" }, body: { type: "string" } } },
};
const REPORT_FUNCTION_TOKENS = JSON.stringify(REPORT_FUNCTION).length / 4;

describe("a streamed answer without reported usage, to a request offering long definitions", () => {
  const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "File the report" }];

  it.each([
    ["tools", { tools: [{ type: "function" as const, function: REPORT_FUNCTION }] }],
    ["the deprecated functions", { functions: [REPORT_FUNCTION] }],
  ])("counts the definitions in %s as prompt tokens", async (_, definitions) => {
    const without = await recordedPromptTokens({ messages });
    const offered = await recordedPromptTokens({ messages, ...definitions });
    // The model read every definition: the count grows by about their size, not by nothing.
    expect(offered - without).toBeGreaterThanOrEqual(REPORT_FUNCTION_TOKENS * 0.9);
    expect(offered - without).toBeLessThanOrEqual(REPORT_FUNCTION_TOKENS * 1.2);
  });
});
