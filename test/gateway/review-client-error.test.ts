/**
 * Requests Node's HTTP parser refuses before the app runs (headers too large, a malformed request
 * line) are answered in OpenAI's error shape, with the parser's status, and the connection closes.
 */
import { Hono } from "hono";
import { rawExchange } from "../support/raw-socket.js";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/app.js";
import { startServer, type RunningServer } from "../../src/server.js";

let server: RunningServer;
beforeAll(async () => {
  const app = new Hono();
  app.get("/", (c) => c.text("ok"));
  const gateway = { app, close: async () => undefined } as unknown as Gateway;
  server = await startServer(gateway, { port: 0, host: "127.0.0.1", log: pino({ level: "silent" }), shutdownTimeoutMs: 1000 });
});
afterAll(() => server.close());

/** Sends raw bytes and reads until the server closes the connection. */
function raw(request: string): Promise<string> {
  return rawExchange(server.port, request);
}

function parse(text: string) {
  const [head, body] = text.split("\r\n\r\n");
  return { statusLine: head!.split("\r\n")[0], head: head!.toLowerCase(), body: JSON.parse(body!) as { error: Record<string, unknown> } };
}

describe("review: errors of Node's HTTP parser", () => {
  it("headers too large: 431 with an OpenAI-shaped body", async () => {
    const answer = parse(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`));
    expect(answer.statusLine).toBe("HTTP/1.1 431 Request Header Fields Too Large");
    expect(answer.head).toContain("content-type: application/json");
    expect(answer.head).toContain("connection: close");
    expect(answer.body.error).toMatchObject({ type: "invalid_request_error", code: "request_headers_too_large", param: null });
    expect(typeof answer.body.error.message).toBe("string");
  });

  it("a malformed request line: 400 with an OpenAI-shaped body", async () => {
    const answer = parse(await raw("THIS IS NOT HTTP\r\n\r\n"));
    expect(answer.statusLine).toBe("HTTP/1.1 400 Bad Request");
    expect(answer.body.error).toMatchObject({ type: "invalid_request_error", code: "malformed_request", param: null });
  });

  it("still serves well-formed requests", async () => {
    const text = await raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
  });
});
