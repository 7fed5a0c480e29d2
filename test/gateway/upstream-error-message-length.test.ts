/**
 * An upstream's error message is quoted to the client cut short, however the upstream words it: an
 * error body already in OpenAI's shape too, an error in a 200's body or a stream's first event, and
 * an error page that is not JSON (which the client is not shown, but the logs were, whole).
 * A broken upstream that answers with a page-long message (a stack trace, an echoed request) must
 * not become a page-long error for the client, nor several copies of it in each log line.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_CHARS } from "../../src/providers/cloud/error-body.js";
import { testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { startRawUpstream } from "../support/raw-upstream.js";
import { NO_FALLBACK_ROUTING } from "../support/routing-fixtures.js";

const LONG = "stack frame ".repeat(40_000);

/** How the upstream answers the next request. */
let answer: (res: ServerResponse) => void = () => undefined;

const cloud = upstreamGateway(() => startRawUpstream((_body, res) => answer(res)), {
  modelsYaml: (upstream) => testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }),
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
});

const openAIError = { error: { message: LONG, type: "server_error", code: "boom", param: null } };

async function chat(stream: boolean) {
  const logsBefore = cloud.gw.logs.length;
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "fake-gpt", stream, messages: [{ role: "user", content: "hi" }] }),
  });
  const error = ((await response.json()) as { error: { message: string; code: string } }).error;
  await new Promise((resolve) => setTimeout(resolve, 50));
  const loggedChars = cloud.gw.logs.slice(logsBefore).reduce((sum, line) => sum + line.length, 0);
  return { status: response.status, error, loggedChars };
}

describe("an upstream error with a page-long message", () => {
  it.each([500, 400, 429])("HTTP %i in OpenAI's shape: the client and the logs get it cut short", async (status) => {
    answer = (res) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(openAIError));
    const r = await chat(false);
    expect(r.error.message).toContain("stack frame");
    expect(r.error.message.length).toBeLessThan(MAX_MESSAGE_CHARS + 200);
    expect(r.error.code).toBe(status === 500 ? "upstream_error" : "boom");
    expect(r.loggedChars).toBeLessThan(20 * MAX_MESSAGE_CHARS);
  });

  it("as an error page that is not JSON: the logs get it cut short", async () => {
    answer = (res) => res.writeHead(502, { "content-type": "text/html" }).end(`<html><body><pre>${LONG}</pre></body></html>`);
    const r = await chat(false);
    expect(r.status).toBe(502);
    expect(r.loggedChars).toBeLessThan(20 * MAX_MESSAGE_CHARS);
  });

  it("in a 200's body: the client and the logs get it cut short", async () => {
    answer = (res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(openAIError));
    const r = await chat(false);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.error.message).toContain("stack frame");
    expect(r.error.message.length).toBeLessThan(MAX_MESSAGE_CHARS + 200);
    expect(r.loggedChars).toBeLessThan(20 * MAX_MESSAGE_CHARS);
  });

  it("as a stream's first event: the client and the logs get it cut short", async () => {
    answer = (res) => res.writeHead(200, { "content-type": "text/event-stream" }).end(`data: ${JSON.stringify(openAIError)}\n\n`);
    const r = await chat(true);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.error.message).toContain("stack frame");
    expect(r.error.message.length).toBeLessThan(MAX_MESSAGE_CHARS + 200);
    expect(r.loggedChars).toBeLessThan(20 * MAX_MESSAGE_CHARS);
  });
});
