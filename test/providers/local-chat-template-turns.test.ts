/**
 * A chat-template model answers a conversation that ends with an assistant message the way OpenAI
 * does: with a new assistant turn after it, not by continuing the last message's text. Usage then
 * reports the prompt the model really evaluated (the count assumed a new turn all along).
 */
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { LocalModelRuntime } from "../../src/providers/local/runtime.js";
import { withChatTemplate, type TemplatedModel } from "../support/chat-template-model.js";
import { STORIES_MODEL } from "../support/gateway.js";
import { storiesEntry } from "../support/stories-entry.js";

let llama: Llama;
let templated: TemplatedModel;
let runtime: LocalModelRuntime;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  templated = await withChatTemplate(STORIES_MODEL);
  const entry = { ...storiesEntry({ contextWindow: 512, maxOutputTokens: 16 }), path: templated.path };
  const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", parallel: 1, queue: 4, queue_timeout_ms: 5_000 });
  runtime = await LocalModelRuntime.load(llama, entry, config, 1);
  expect(runtime.usesChatTemplate).toBe(true);
});
afterAll(async () => {
  await runtime?.dispose();
  await llama?.dispose();
  await templated?.remove();
});

/** The text in the one slot's context after a generation: the prompt and the answer but its last token. */
async function evaluatedText(): Promise<{ tokens: number; text: string }> {
  const slot = await runtime.pool.acquire(new AbortController().signal);
  try {
    const tokens = slot.sequence.contextTokens;
    return { tokens: tokens.length, text: slot.sequence.model.detokenize(tokens, true) };
  } finally {
    runtime.pool.release(slot);
  }
}

describe("a chat-template conversation ending with an assistant message", () => {
  it.each([
    ["ends with the assistant", [{ role: "user", content: "Tell me a story." }, { role: "assistant", content: "Once upon a time" }]],
    ["ends with the user", [{ role: "user", content: "Tell me a story." }, { role: "assistant", content: "Once upon a time" }, { role: "user", content: "More." }]],
  ])("gets a new assistant turn and bills what was evaluated (%s)", async (_, messages) => {
    const request = { model: "stories", messages, max_tokens: 4, temperature: 0 } as ChatCompletionRequest;
    const result = await runtime.generate(request, new AbortController().signal);
    const evaluated = await evaluatedText();
    // Detokenized text has a space before each marker the template glued to a message.
    const closed = evaluated.text.search(/Once upon a time ?<\|im_end\|>/);
    expect(closed).toBeGreaterThan(0);
    expect(evaluated.text.lastIndexOf("<|im_start|>assistant\n")).toBeGreaterThan(closed);
    expect(evaluated.tokens).toBe(result.promptTokens + result.completionTokens - 1);
  });
});
