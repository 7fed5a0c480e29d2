/**
 * The summary of a streamed answer measures time to first token on the first delta carrying any
 * answer: text, a piece of `tool_calls` or of the deprecated `function_call`, not only text. The
 * opening role-only chunk is no answer.
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault } from "../../src/pii/index.js";
import { presentStream, type StreamEnd } from "../../src/pipeline/stages/answer.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";

const chunk = (delta: Record<string, unknown>, finish: string | null = null): ChatCompletionChunk =>
  ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] }) as ChatCompletionChunk;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Streams the opening role chunk, `first` 20 ms later and the end 20 ms after that; returns the
 * summary's ttftMs and when `first` and the end were produced (ms from the request's start).
 */
async function ttftOf(first: Record<string, unknown>): Promise<{ ttft: number | undefined; firstAt: number; endAt: number }> {
  const startedAt = performance.now();
  let end: StreamEnd | undefined;
  let firstAt = NaN;
  let endAt = NaN;
  async function* chunks() {
    yield chunk({ role: "assistant", content: null });
    await sleep(20);
    firstAt = performance.now() - startedAt;
    yield chunk(first);
    await sleep(20);
    endAt = performance.now() - startedAt;
    yield chunk({}, "stop");
  }
  for await (const _ of presentStream(chunks(), { vault: new PseudonymVault(), startedAt, onEnd: (e) => (end = e) })) {
    // drained
  }
  return { ttft: end?.summary.ttftMs, firstAt, endAt };
}

/** Measured when `first` came, not at the opening role chunk nor at the end. */
function expectMeasuredOnFirst({ ttft, firstAt, endAt }: Awaited<ReturnType<typeof ttftOf>>): void {
  expect(ttft).toBeDefined();
  expect(ttft!).toBeGreaterThanOrEqual(firstAt);
  expect(ttft!).toBeLessThan(endAt);
}

describe("time to first token of a streamed answer", () => {
  it("is measured on the first text", async () => {
    expectMeasuredOnFirst(await ttftOf({ content: "Hi" }));
  });

  it("is measured on the first piece of a tool call", async () => {
    expectMeasuredOnFirst(await ttftOf({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "send_mail", arguments: "" } }] }));
  });

  it("is measured on the first piece of a function_call", async () => {
    expectMeasuredOnFirst(await ttftOf({ function_call: { name: "send_mail", arguments: "" } }));
  });
});
