/**
 * The gateway's upstream API key never reaches a client or the logs through an upstream's error: a
 * proxy that echoes the request's credentials in its error message has them replaced before the
 * message is quoted or logged.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { chatAndLogs } from "../support/chat-and-logs.js";
import { testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { startRawUpstream } from "../support/raw-upstream.js";
import { NO_FALLBACK_ROUTING } from "../support/routing-fixtures.js";

/** The key the test gateway sends upstream (`FAKE_CLOUD_KEY`, set by startTestGateway). */
const UPSTREAM_KEY = "sk-upstream-secret";

let answer: (res: ServerResponse) => void = () => undefined;

const cloud = upstreamGateway(() => startRawUpstream((_body, res) => answer(res)), {
  modelsYaml: (upstream) => testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }),
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
});

async function chatThrough(status: number, contentType: string, body: string) {
  answer = (res) => res.writeHead(status, { "content-type": contentType }).end(body);
  return chatAndLogs(cloud.gw);
}

describe("an upstream error that echoes the gateway's upstream key", () => {
  it.each([500, 400, 429])("HTTP %i in OpenAI's shape: the client keeps the reason, without the key", async (status) => {
    const r = await chatThrough(status, "application/json", JSON.stringify({ error: { message: `proxy refused: Authorization: Bearer ${UPSTREAM_KEY}`, type: "server_error" } }));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.text).toContain("proxy refused: Authorization: Bearer [redacted]");
    expect(r.text).not.toContain(UPSTREAM_KEY);
    expect(r.logs).not.toContain(UPSTREAM_KEY);
  });

  it("worded another server's way: neither the client nor the logs get the key", async () => {
    const r = await chatThrough(500, "application/json", JSON.stringify({ detail: `upstream call with api_key=${UPSTREAM_KEY} failed` }));
    expect(r.status).toBe(502);
    expect(r.text).not.toContain(UPSTREAM_KEY);
    expect(r.logs).not.toContain(UPSTREAM_KEY);
  });

  it("in a page that is not JSON: the logs do not get the key", async () => {
    const r = await chatThrough(503, "text/html", `<html><pre>headers: {"authorization": "Bearer ${UPSTREAM_KEY}"}</pre></html>`);
    expect(r.status).toBe(502);
    expect(r.text).not.toContain(UPSTREAM_KEY);
    expect(r.logs).not.toContain(UPSTREAM_KEY);
  });
});
