/**
 * Streamed calls are answer data for the SSE writer, whichever form they take: pieces of the
 * deprecated `delta.function_call` from a fast producer share socket writes as text and `tool_calls`
 * pieces do, instead of going out one write each.
 */
import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../../src/providers/types.js";
import { sseSocketServer } from "./sse-socket.js";

const functionCallChunk = (piece: string): ChatCompletionChunk =>
  ({
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { function_call: { arguments: piece } }, finish_reason: null, logprobs: null }],
  }) as ChatCompletionChunk;

const { serve: serveOnSocket } = sseSocketServer();

/** Serves `produce` through writeSse and records each read of the raw TCP stream. */
async function serve(produce: () => AsyncGenerator<ChatCompletionChunk>, flushIntervalMs: number): Promise<{ reads: string[]; body: string }> {
  const { reads, body } = await serveOnSocket(produce, flushIntervalMs);
  return { reads: reads.map((r) => r.text), body };
}

describe("writeSse with a streamed function_call", () => {
  it("groups a fast producer's call pieces into far fewer socket writes than frames", async () => {
    const { reads, body } = await serve(async function* () {
      for (let i = 0; i < 100; i++) {
        yield functionCallChunk(`a${i}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }, 20);
    const pieces = [...body.matchAll(/data: (\{.*?\})\n\n/g)].map((m) => (JSON.parse(m[1]!) as ChatCompletionChunk).choices[0]?.delta.function_call?.arguments);
    expect(pieces).toEqual(Array.from({ length: 100 }, (_, i) => `a${i}`));
    expect(reads.length).toBeLessThan(30);
  });
});
