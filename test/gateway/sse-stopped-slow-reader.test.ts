/**
 * The SSE writer stopped (the shutdown's deadline) while its client is slow to read. Its producer is
 * paused then, so no failure of the producer's can end the answer: an in-process generation runs ahead
 * of a slow client into its buffer, and the writer would have written all of that before the error
 * event, past any flush allowance. The writer ends the answer itself when the signal aborts: the
 * error event goes out right after what the client has not read yet, and the producer is stopped.
 */
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { shuttingDown } from "../../src/errors.js";
import { writeSse, type StreamEnd } from "../../src/http/sse.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";
import { sseSocketServer } from "./sse-socket.js";

const { listen } = sseSocketServer();

const chunk = (content: string): ChatCompletionChunk =>
  ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null, logprobs: null }] }) as ChatCompletionChunk;

it("ends an answer waiting for a slow client with the signal's reason, after what the client has not read", async () => {
  const stop = new AbortController();
  const producer = { pulled: 0, stopped: false };
  let writing: Promise<StreamEnd> | undefined;
  const port = await listen((_req, res) => {
    writing = writeSse(
      res,
      (async function* () {
        // A producer with more than the client will ever read, as a buffered generation has.
        try {
          for (;;) {
            producer.pulled++;
            yield chunk("x".repeat(16_000));
          }
        } finally {
          producer.stopped = true;
        }
      })(),
      { includeUsage: false, headers: { "content-type": "text/event-stream" }, flushIntervalMs: 0, signal: stop.signal },
    );
  });
  const socket = connect(port, "127.0.0.1", () => socket.write("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
  let text = "";
  socket.setEncoding("utf8");
  socket.on("data", (part: string) => (text += part));
  const ended = new Promise<string>((resolve, reject) => {
    socket.on("error", reject);
    socket.on("end", () => resolve(text));
  });
  await expect.poll(() => text.length).toBeGreaterThan(0);
  socket.pause();
  // The writer waits for the client: the producer is no longer pulled.
  await expect.poll(async () => {
    const before = producer.pulled;
    await sleep(100);
    return producer.pulled === before;
  }).toBe(true);

  stop.abort(shuttingDown());
  // The writer is done without the client having read anything more, and the producer is stopped.
  // It reports how the stream ended, for the access log: the 200 went out, but the answer did not finish.
  expect(await Promise.race([writing!, sleep(2_000).then(() => "still waiting")])).toBe("shutting_down");
  expect(producer.stopped).toBe(true);
  socket.resume();
  const events = (await ended).split("\n\n").filter((event) => event.includes("data: "));
  expect(events.at(-1)).toMatch(/data: \{"error":\{.*"code":"shutting_down"/);
  expect(events.filter((event) => event.includes('"error"'))).toHaveLength(1);
  expect(text).not.toContain("data: [DONE]");
});
