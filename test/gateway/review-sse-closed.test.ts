/**
 * A response that closed before writeSse was called (the client left while the request was being
 * prepared) gets no answer generated into it: the source stream is ended at once.
 */
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { writeSse } from "../../src/http/sse.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";

const chunk = (content: string): ChatCompletionChunk =>
  ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null, logprobs: null }] }) as ChatCompletionChunk;

describe("review: writeSse on a response that already closed", () => {
  it("pulls nothing from the source and ends it", async () => {
    let pulled = 0;
    let ended = false;
    async function* produce() {
      try {
        for (let i = 0; i < 1000; i++) {
          pulled++;
          yield chunk(`t${i}`);
        }
      } finally {
        ended = true;
      }
    }
    const done = new Promise<void>((resolve, reject) => {
      const server = createServer((_req, res) => {
        res.destroy();
        res.once("close", () => {
          const source = produce();
          // Started, as a provider's stream is by the time it is handed over.
          void source.next().then(() =>
            writeSse(res, source, { includeUsage: false, headers: { "content-type": "text/event-stream" }, flushIntervalMs: 0 })
              .then(() => resolve(), reject)
              .finally(() => server.close()),
          );
        });
      });
      server.listen(0, "127.0.0.1", () => {
        const socket = connect((server.address() as AddressInfo).port, "127.0.0.1", () => socket.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
        socket.on("error", () => undefined);
      });
    });
    await done;
    expect(pulled).toBe(1);
    expect(ended).toBe(true);
  });
});
