/**
 * The answer stage reads chunks whose parts are missing (a usage chunk without `choices`, a finish
 * choice without `delta`) as empty: the answer and its usage are still collected, and the stream ends
 * as finished, not failed.
 */
import { expect, it } from "vitest";
import { PseudonymVault } from "../../src/pii/index.js";
import { presentStream, type StreamEnd } from "../../src/pipeline/stages/answer.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";

it("collects the answer and usage across chunks without choices or deltas", async () => {
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    yield { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "Hello" }, finish_reason: null, logprobs: null }] };
    yield { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, finish_reason: "stop" }] } as unknown as ChatCompletionChunk;
    yield { id: "c", object: "chat.completion.chunk", usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } } as unknown as ChatCompletionChunk;
  }
  let end: StreamEnd | undefined;
  let seen = 0;
  for await (const _ of presentStream(chunks(), { vault: new PseudonymVault(), startedAt: performance.now(), onEnd: (e) => (end = e) })) seen++;
  expect(seen).toBe(3);
  expect(end?.error).toBeUndefined();
  expect(end?.summary).toMatchObject({ message: { role: "assistant", content: "Hello" }, promptTokens: 3, completionTokens: 1, usageReported: true });
});
