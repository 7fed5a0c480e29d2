/**
 * The gateway's upstream API key never reaches a client or the logs through an error object an
 * upstream sends with a 200: in the JSON body, as a stream's first event, or mid-stream. (Error
 * statuses are covered by upstream-error-secrets.test.ts.)
 */
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING } from "../support/gateway.js";
import type { ScriptedReply } from "../support/fake-openai.js";

/** The key the test gateway sends upstream (`FAKE_CLOUD_KEY`, set by startTestGateway). */
const UPSTREAM_KEY = "sk-upstream-secret";

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });
beforeEach(() => cloud.fake.reset());

async function chatThrough(reply: ScriptedReply, stream: boolean) {
  cloud.fake.script(reply);
  const logsBefore = cloud.gw.logs.length;
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "fake-gpt", stream, messages: [{ role: "user", content: "hi" }] }),
  });
  const text = await response.text();
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { status: response.status, text, logs: cloud.gw.logs.slice(logsBefore).join("\n") };
}

describe("an upstream error object that echoes the gateway's upstream key", () => {
  it("in a 200's JSON body: the client keeps the reason, without the key", async () => {
    const r = await chatThrough({ kind: "echo-credentials", where: "body" }, false);
    expect(cloud.fake.requests[0]!.headers.authorization).toContain(UPSTREAM_KEY);
    expect(r.status).toBe(502);
    expect(r.text).toContain("proxy refused the request: Authorization: Bearer [redacted]");
    expect(r.text).not.toContain(UPSTREAM_KEY);
    expect(r.logs).not.toContain(UPSTREAM_KEY);
  });

  it("as a stream's first event: neither the client nor the logs get the key", async () => {
    const r = await chatThrough({ kind: "echo-credentials", where: "first-event" }, true);
    expect(r.status).toBe(502);
    expect(r.text).toContain("Bearer [redacted]");
    expect(r.text).not.toContain(UPSTREAM_KEY);
    expect(r.logs).not.toContain(UPSTREAM_KEY);
  });

  it("as an event mid-stream: the client's error event and the logs are without the key", async () => {
    const r = await chatThrough({ kind: "echo-credentials", where: "later-event", after: 2 }, true);
    expect(r.status).toBe(200);
    expect(r.text).toContain("w1 ");
    expect(r.text).toContain("Bearer [redacted]");
    expect(r.text).not.toContain(UPSTREAM_KEY);
    expect(r.logs).not.toContain(UPSTREAM_KEY);
  });
});
