/**
 * The in-process model's context sequences serve every tenant in turn. node-llama-cpp keeps what a
 * sequence last evaluated and skips the part of the next prompt that starts the same way, so a prompt
 * that shares a beginning with the one before it is answered sooner: tenant B, handed the sequence
 * tenant A just used (the pool hands out the last one freed), could time guesses at A's prompt. A
 * request must leave nothing of itself in the model's context, and evaluate the whole of its own prompt.
 */
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { LocalModelRuntime } from "../../src/providers/local/runtime.js";
import { storiesEntry } from "../support/stories-entry.js";

let llama: Llama;
let runtime: LocalModelRuntime;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", parallel: 1, queue: 4, queue_timeout_ms: 5_000 });
  runtime = await LocalModelRuntime.load(llama, storiesEntry({ contextWindow: 512, maxOutputTokens: 8 }), config, 1);
});
afterAll(async () => {
  await runtime?.dispose();
  await llama?.dispose();
});

const ask = (content: string) =>
  runtime.generate({ model: "stories", messages: [{ role: "user", content }], max_tokens: 4, temperature: 0 } as ChatCompletionRequest, new AbortController().signal);

/** The one sequence (parallel: 1), borrowed from the pool as the next request would get it. */
async function withSequence<T>(read: (slot: Awaited<ReturnType<LocalModelRuntime["pool"]["acquire"]>>) => T): Promise<T> {
  const slot = await runtime.pool.acquire(new AbortController().signal);
  try {
    return read(slot);
  } finally {
    runtime.pool.release(slot);
  }
}

describe("the in-process model between requests", () => {
  it("keeps none of a request's tokens once it is answered", async () => {
    await ask("Tenant A's private note: the merger with Globex closes on Friday.");
    expect(await withSequence((slot) => slot.sequence.contextTokens.length)).toBe(0);
  });

  it("evaluates the whole prompt of a request that starts like the one before it", async () => {
    const prompt = "Once upon a time there was a little girl named Lily who loved her red ball.";
    await ask(prompt);
    const before = await withSequence((slot) => slot.sequence.tokenMeter.usedInputTokens);
    const second = await ask(prompt);
    const evaluated = (await withSequence((slot) => slot.sequence.tokenMeter.usedInputTokens)) - before;
    // node-llama-cpp meters the prompt's last token with the answer's first: the rest of the prompt is
    // input. A reused state evaluated none of it.
    expect(evaluated).toBeGreaterThanOrEqual(second.promptTokens - 1);
  });
});
