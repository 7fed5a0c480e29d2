/**
 * Usage must report the prompt tokens the model really evaluated: the number is billed as saved
 * cloud spend and decides how much room is left for the answer.
 */
import { getLlama, LlamaCompletion, LlamaLogLevel, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { renderPlainPrompt } from "../../src/providers/local/prompt.js";
import { LocalModelRuntime } from "../../src/providers/local/runtime.js";
import { STORIES_MODEL } from "../support/gateway.js";
import { storiesEntry } from "../support/stories-entry.js";

let llama: Llama;
let model: LlamaModel;
let runtime: LocalModelRuntime;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: STORIES_MODEL });
  const entry = storiesEntry({ contextWindow: 512, maxOutputTokens: 16 });
  const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", parallel: 1, queue: 4, queue_timeout_ms: 5_000 });
  runtime = await LocalModelRuntime.load(llama, entry, config, 1);
});
afterAll(async () => {
  await runtime?.dispose();
  await model?.dispose();
  await llama?.dispose();
});

/** What LlamaCompletion puts in the context for `text` before it generates: its own count, not ours. */
async function evaluatedPromptTokens(text: string): Promise<number> {
  const context = await model.createContext({ contextSize: 512, sequences: 1, threads: 1 });
  try {
    const sequence = context.getSequence();
    await new LlamaCompletion({ contextSequence: sequence }).generateCompletion(text, { maxTokens: 1, temperature: 0 });
    // The one sampled token is returned, not evaluated: the context holds the prompt alone.
    return sequence.contextTokens.length;
  } finally {
    await context.dispose();
  }
}

describe("local prompt tokens", () => {
  it.each(["Once upon a time", "Hello there. How are you today, my friend?", "  leading spaces and ünïcödé 🙂"])(
    "are exactly what the model evaluates (%j)",
    async (content) => {
      const request = { model: "stories", messages: [{ role: "user", content }], max_tokens: 2, temperature: 0 } as ChatCompletionRequest;
      const result = await runtime.generate(request, new AbortController().signal);
      expect(result.promptTokens).toBe(await evaluatedPromptTokens(renderPlainPrompt(request.messages).text));
    },
  );

  it("feeds the model the whole of a prompt that fits the window, however close to its end", async () => {
    const sentence = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ";
    let content = sentence;
    // Past the tenth of the window node-llama-cpp keeps free by default, still inside the window.
    while (runtime.countTokens(content + sentence) < runtime.contextSize - 12) content += sentence;
    const request = { model: "stories", messages: [{ role: "user", content }], max_tokens: 2, temperature: 0 } as ChatCompletionRequest;
    const result = await runtime.generate(request, new AbortController().signal);
    expect(result.promptTokens).toBeGreaterThan(runtime.contextSize * 0.9);
    const slot = await runtime.pool.acquire(new AbortController().signal);
    try {
      // The prompt, then the answer's tokens but the last (sampled, not evaluated).
      expect(slot.sequence.contextTokens.length).toBe(result.promptTokens + result.completionTokens - 1);
    } finally {
      runtime.pool.release(slot);
    }
  });
});
