/**
 * A request whose Host header cannot make a URL (`Host: a b`, a path in it, HTTP/1.1 without one)
 * never reaches the app: @hono/node-server refuses it first. Its answer was a 400 with an empty body
 * and no x-request-id, which the OpenAI SDKs report as an unreadable error. It is now a 400 in
 * OpenAI's error shape, code `malformed_request` like other malformed HTTP, with an x-request-id.
 */
import { rawExchange } from "../support/raw-socket.js";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway();

/** Sends raw bytes and reads until the server closes the connection. */
function raw(request: string): Promise<string> {
  return rawExchange(Number(new URL(cloud.gw.url).port), request);
}

function parse(text: string) {
  const split = text.indexOf("\r\n\r\n");
  const head = text.slice(0, split);
  return { statusLine: head.split("\r\n")[0], headers: head.toLowerCase().split("\r\n").slice(1), body: text.slice(split + 4) };
}

const cases: Record<string, string> = {
  "a Host with a space": "GET /v1/models HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n",
  "a Host with a path": "GET /healthz HTTP/1.1\r\nHost: evil.com/../admin?x#\r\nConnection: close\r\n\r\n",
  "HTTP/1.1 without Host": "GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n",
  "a POST with a bad Host": 'POST /v1/route HTTP/1.1\r\nHost: a b\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
};

describe("a request with a bad Host header", () => {
  for (const [name, request] of Object.entries(cases)) {
    it(`${name}: 400 in OpenAI's error shape with an x-request-id`, async () => {
      const answer = parse(await raw(request));
      expect(answer.statusLine).toBe("HTTP/1.1 400 Bad Request");
      expect(answer.headers).toContain("content-type: application/json");
      expect(answer.headers.some((h) => /^x-request-id: [0-9a-f-]{36}$/.test(h))).toBe(true);
      const body = JSON.parse(answer.body) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ type: "invalid_request_error", code: "malformed_request", param: null });
      expect(body.error.message).toMatch(/Host/);
    });
  }

  it("a good Host on the same server is still served", async () => {
    const answer = parse(await raw("GET /healthz HTTP/1.1\r\nHost: localhost:1234\r\nConnection: close\r\n\r\n"));
    expect(answer.statusLine).toBe("HTTP/1.1 200 OK");
  });
});
