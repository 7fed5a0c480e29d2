/**
 * A bare node:http upstream for tests whose answers the fake OpenAI server cannot shape (truncated or
 * malformed streams, chosen statuses and headers): each request's whole body is read, then handed to
 * the test with the response to write.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RawUpstream {
  /** `http://127.0.0.1:<port>/v1`, for a provider's base URL. */
  readonly baseURL: string;
  /** Closes open connections too, so a stream held open does not keep the test waiting. */
  close(): Promise<void>;
}

/** @example const upstream = await startRawUpstream((body, res) => res.end("data: [DONE]\n\n")); */
export async function startRawUpstream(onRequest: (body: string, res: ServerResponse, req: IncomingMessage) => void): Promise<RawUpstream> {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    // Decoded whole, so a character split between two packets reads as itself.
    req.on("end", () => onRequest(Buffer.concat(parts).toString("utf8"), res, req));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The fields every completion or chunk of one scripted upstream carries. */
export interface CompletionBase {
  id: string;
  created: number;
  model: string;
}

/** One SSE frame of a `chat.completion.chunk` with a single choice (no usage). */
export function chunkFrame(base: CompletionBase, delta: object, finish: string | null): string {
  return `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
}
