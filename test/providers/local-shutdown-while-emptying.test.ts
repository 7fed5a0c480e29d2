/**
 * A sequence is emptied before it serves another tenant (`forOwner`), which waits for the context while
 * another sequence decodes. Shutdown can begin meanwhile, and its `dispose` does not wait for a
 * generation that has not started: one started after it met a disposed context and answered 500
 * `internal_error` (node-llama-cpp's DisposedError). It must answer as any request shutdown catches does:
 * 503 `model_unavailable`, "unloaded".
 */
import { getLlama, LlamaLogLevel, type Llama, type LlamaContextSequence } from "node-llama-cpp";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { GatewayError } from "../../src/errors.js";
import { LocalModelRuntime } from "../../src/providers/local/runtime.js";
import { storiesEntry } from "../support/stories-entry.js";

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
});
afterAll(async () => {
  await llama?.dispose();
});

const request = (content: string, maxTokens: number) => ({ model: "stories", messages: [{ role: "user", content }], max_tokens: maxTokens, temperature: 0 }) as ChatCompletionRequest;

it("answers a request whose sequence was being emptied when shutdown began as unloaded", async () => {
  const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", parallel: 2, queue: 4, queue_timeout_ms: 5_000 });
  const runtime = await LocalModelRuntime.load(llama, storiesEntry({ contextWindow: 512, maxOutputTokens: 400 }), config, 1);
  // acme's long answer holds one sequence, decoding.
  let decoding!: () => void;
  const started = new Promise<void>((resolve) => (decoding = resolve));
  const acme = runtime.generate(request("Once upon a time", 400), new AbortController().signal, { onText: () => decoding() }, "acme").catch((e: unknown) => e);
  await started;
  // Shutdown begins as globex's request starts emptying the other sequence.
  let shutdown: Promise<void> | undefined;
  const slots: { sequence: LlamaContextSequence }[] = [];
  const free = runtime.pool.available;
  for (let i = 0; i < free; i++) slots.push(await runtime.pool.acquire(new AbortController().signal));
  for (const slot of slots) {
    const clear = slot.sequence.clearHistory.bind(slot.sequence);
    slot.sequence.clearHistory = () => {
      shutdown ??= runtime.dispose();
      return clear();
    };
    runtime.pool.release(slot as never);
  }
  const globex = await runtime.generate(request("Lily had a ball", 200), new AbortController().signal, {}, "globex").catch((e: unknown) => e);
  await shutdown;
  await acme;
  expect(shutdown).toBeDefined();
  expect(globex).toBeInstanceOf(GatewayError);
  expect(globex).toMatchObject({ status: 503, code: "model_unavailable" });
});
