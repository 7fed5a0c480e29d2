/**
 * The answer stage reads chunks whose parts are missing (a usage chunk without `choices`, a finish
 * choice without `delta`) as empty: the answer and its usage are still collected, and the stream ends
 * as finished, not failed; a part repeated on every piece (a call's name) is kept once, as the cloud
 * provider shapes such a stream (`streamShaper`) before the answer stage reads it.
 */
import { expect, it } from "vitest";
import { PseudonymVault } from "../../src/pii/index.js";
import { presentStream, type StreamEnd } from "../../src/pipeline/stages/answer.js";
import { streamShaper } from "../../src/providers/cloud/answer-shape.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";

/** The chunks as the cloud provider hands them to the answer stage. */
async function* shaped(chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ChatCompletionChunk> {
  const shape = streamShaper();
  for await (const chunk of chunks) yield shape(chunk);
}

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

it("keeps a call's name once when the server repeats it with the id on every piece", async () => {
  const piece = (args: string) => ({ index: 0, id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: args } });
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    for (const args of ['{"city":', '"Paris"}']) {
      yield { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { tool_calls: [piece(args)] }, finish_reason: null, logprobs: null }] };
    }
    yield { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls", logprobs: null }] };
  }
  let end: StreamEnd | undefined;
  for await (const _ of presentStream(shaped(chunks()), { vault: new PseudonymVault(), startedAt: performance.now(), onEnd: (e) => (end = e) }));
  expect(end?.summary.message?.tool_calls).toEqual([{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
});

it("keeps the deprecated function call's name once when the server repeats it on every piece", async () => {
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    for (const args of ['{"city":', '"Paris"}']) {
      yield { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { function_call: { name: "get_weather", arguments: args } }, finish_reason: null, logprobs: null }] };
    }
    yield { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "function_call", logprobs: null }] };
  }
  let end: StreamEnd | undefined;
  for await (const _ of presentStream(shaped(chunks()), { vault: new PseudonymVault(), startedAt: performance.now(), onEnd: (e) => (end = e) }));
  expect(end?.summary.message).toMatchObject({ function_call: { name: "get_weather", arguments: '{"city":"Paris"}' } });
});
