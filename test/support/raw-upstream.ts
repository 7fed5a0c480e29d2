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
    let body = "";
    req.on("data", (part) => (body += part));
    req.on("end", () => onRequest(body, res, req));
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
