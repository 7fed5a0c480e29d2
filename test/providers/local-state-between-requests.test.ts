/**
 * The in-process model's context sequences serve every tenant in turn. node-llama-cpp keeps what a
 * sequence last evaluated and skips the part of the next prompt that starts the same way, so a prompt
 * that shares a beginning with the one before it is answered sooner: tenant B, handed the sequence
 * tenant A just used (the pool hands out the last one freed), could time guesses at A's prompt. Another
 * tenant's request evaluates the whole of its prompt; a tenant's own next turn still reuses its own.
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

const ask = (content: string, tenant: string) =>
  runtime.generate({ model: "stories", messages: [{ role: "user", content }], max_tokens: 4, temperature: 0 } as ChatCompletionRequest, new AbortController().signal, {}, tenant);

/** The one sequence (parallel: 1), borrowed from the pool as the next request would get it. */
async function withSequence<T>(read: (slot: Awaited<ReturnType<LocalModelRuntime["pool"]["acquire"]>>) => T): Promise<T> {
  const slot = await runtime.pool.acquire(new AbortController().signal);
  try {
    return read(slot);
  } finally {
    runtime.pool.release(slot);
  }
}

/** The prompt tokens `next` made the one sequence evaluate. */
async function evaluatedBy(next: () => Promise<unknown>): Promise<number> {
  const before = await withSequence((slot) => slot.sequence.tokenMeter.usedInputTokens);
  await next();
  return (await withSequence((slot) => slot.sequence.tokenMeter.usedInputTokens)) - before;
}

const PROMPT = "Once upon a time there was a little girl named Lily who loved her red ball.";

describe("the in-process model between requests", () => {
  it("evaluates the whole prompt of another tenant's request that starts like the one before it", async () => {
    await ask(`${PROMPT} Tenant A's private note: the merger closes on Friday.`, "acme");
    const prompt = runtime.countTokens(PROMPT);
    // node-llama-cpp meters the prompt's last token with the answer's first: the rest is input. A state
    // reused from acme's request would have evaluated a few tokens at most.
    expect(await evaluatedBy(() => ask(PROMPT, "globex"))).toBeGreaterThanOrEqual(prompt - 2);
  });

  it("reuses what a tenant's last request evaluated for its next one", async () => {
    await ask(`${PROMPT} And then?`, "acme");
    expect(await evaluatedBy(() => ask(`${PROMPT} And then?`, "acme"))).toBeLessThan(runtime.countTokens(PROMPT) / 2);
  });
});
