/**
 * Streamed calls are answer data for the SSE writer, whichever form they take: pieces of the
 * deprecated `delta.function_call` from a fast producer share socket writes as text and `tool_calls`
 * pieces do, instead of going out one write each.
 */
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { writeSse } from "../../src/http/sse.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";

const functionCallChunk = (piece: string): ChatCompletionChunk =>
  ({
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { function_call: { arguments: piece } }, finish_reason: null, logprobs: null }],
  }) as ChatCompletionChunk;

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Serves `produce` through writeSse and records each read of the raw TCP stream. */
async function serve(produce: () => AsyncGenerator<ChatCompletionChunk>, flushIntervalMs: number) {
  server = createServer((_req, res) => void writeSse(res, produce(), { includeUsage: false, headers: { "content-type": "text/event-stream" }, flushIntervalMs }));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise<{ reads: string[]; body: string }>((resolve, reject) => {
    const reads: string[] = [];
    const socket = connect(port, "127.0.0.1", () => socket.write("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => reads.push(text));
    socket.on("error", reject);
    socket.on("end", () => resolve({ reads, body: reads.join("") }));
  });
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
