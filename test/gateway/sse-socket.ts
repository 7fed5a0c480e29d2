/**
 * The SSE writer served on a real socket and read raw, for tests of how its frames are grouped on the
 * wire (an HTTP client would hand out one piece per chunked-encoding chunk, hiding that grouping).
 */
import { createServer, type RequestListener, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach } from "vitest";
import { writeSse, type StreamEnd } from "../../src/http/sse.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";

export interface SocketRead {
  /** Milliseconds since the server was listening. */
  at: number;
  text: string;
}

/**
 * For one test file: `listen(handler)` serves `handler` on a loopback port and returns the port;
 * `serve(produce, flushIntervalMs)` serves `produce` through writeSse and records each read of the raw
 * TCP stream. The server is closed after each test.
 *
 * @example const { serve } = sseSocketServer(); const { reads, body } = await serve(frames, 20);
 */
export function sseSocketServer() {
  let server: Server | undefined;
  afterEach(async () => {
    const listening = server;
    if (!listening) return;
    server = undefined;
    listening.closeAllConnections();
    await new Promise((resolve) => listening.close(resolve));
  });
  async function listen(handler: RequestListener): Promise<number> {
    const listening = createServer(handler);
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    return (listening.address() as AddressInfo).port;
  }
  async function serve(produce: () => AsyncGenerator<ChatCompletionChunk>, flushIntervalMs: number): Promise<{ reads: SocketRead[]; body: string; end: StreamEnd }> {
    let writing: Promise<StreamEnd> | undefined;
    const port = await listen((_req, res) => {
      writing = writeSse(res, produce(), { includeUsage: false, headers: { "content-type": "text/event-stream" }, flushIntervalMs });
    });
    const started = performance.now();
    const read = await new Promise<{ reads: SocketRead[]; body: string }>((resolve, reject) => {
      const reads: SocketRead[] = [];
      const socket = connect(port, "127.0.0.1", () => socket.write("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
      socket.setEncoding("utf8");
      socket.on("data", (text: string) => reads.push({ at: performance.now() - started, text }));
      socket.on("error", reject);
      socket.on("end", () => resolve({ reads, body: reads.map((r) => r.text).join("") }));
    });
    return { ...read, end: await writing! };
  }
  return { listen, serve };
}
