/**
 * Review of "a client gone before the answer started streaming gets no answer generated": writeSse
 * ends the source at once, but in the gateway its source is presentStream's generator, which had not
 * started, and returning an unstarted generator runs none of its body: the provider's stream was
 * never told to stop, and onEnd (usage, the shutdown's wait for the stream) never ran.
 */
import { PassThrough } from "node:stream";
import { ServerResponse, IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { expect, it } from "vitest";
import { writeSse } from "../../src/http/sse.js";
import { PseudonymVault } from "../../src/pii/index.js";
import { presentStream, type StreamEnd } from "../../src/pipeline/stages/answer.js";
import type { ChatCompletionChunk, ChunkStream } from "../../src/providers/types.js";

it("review: a stream the client left before it started stops its provider and still ends", async () => {
  let pulled = 0;
  let stopped = false;
  const source: ChunkStream = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        pulled++;
        return { done: false, value: { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [] } as unknown as ChatCompletionChunk };
      },
      return: async () => {
        stopped = true;
        return { done: true, value: undefined };
      },
    }),
  };
  const ends: StreamEnd[] = [];
  const chunks = presentStream(source, { vault: new PseudonymVault(), startedAt: 0, onEnd: (end) => ends.push(end) });
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  res.assignSocket(new PassThrough() as unknown as Socket);
  res.destroy();
  await writeSse(res, chunks, { includeUsage: false, headers: { "content-type": "text/event-stream" }, flushIntervalMs: 0 });
  expect(pulled).toBe(0);
  expect(stopped).toBe(true);
  expect(ends).toHaveLength(1);
  expect(ends[0]!.aborted).toBe(true);
});
