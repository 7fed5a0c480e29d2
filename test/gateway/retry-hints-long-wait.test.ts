/**
 * An upstream 429 whose Retry-After is longer than the provider's `timeout_ms` is not sat out by the
 * gateway: it goes back to the client at once. The client must still hear what the upstream said —
 * its `retry-after`, `retry-after-ms` and its own `x-should-retry`, or none when it sent none — so the
 * official client waits as asked, retries and gets its answer. The gateway's own "do not retry this
 * here" mark must not reach it: with it, the client gave up after one request.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING } from "../support/gateway.js";

const TIMEOUT_MS = 1000;

const cloud = fakeCloudGateway({
  fake: { answer: "Hello after the wait." },
  models: { timeoutMs: TIMEOUT_MS, maxRetries: 2 },
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
});

/** The retry headers of every answer the official client (2 retries, as by default) got, and its result. */
async function askWithDefaultRetries(): Promise<{ answer: string | null | undefined; seen: { status: number; retryHeaders: Record<string, string> }[] }> {
  const seen: { status: number; retryHeaders: Record<string, string> }[] = [];
  const client = new OpenAI({
    apiKey: "unused-key",
    baseURL: `${cloud.gw.url}/v1`,
    maxRetries: 2,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const retryHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (name.includes("retry")) retryHeaders[name] = value;
      });
      seen.push({ status: response.status, retryHeaders });
      return response;
    },
  });
  const completion = await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: "Hi" }] });
  return { answer: completion.choices[0]?.message.content, seen };
}

const limited = (headers: Record<string, string>) => ({
  kind: "error" as const,
  status: 429,
  headers,
  body: { error: { message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded", param: null } },
});

describe("an upstream 429 asking for a wait longer than the provider's timeout_ms", () => {
  it("reaches the official client with the upstream's own hints, and its retry succeeds", async () => {
    cloud.fake.reset();
    cloud.fake.script(limited({ "retry-after": "2", "x-should-retry": "true" }));
    const { answer, seen } = await askWithDefaultRetries();
    expect(answer).toBe("Hello after the wait.");
    expect(seen).toEqual([
      { status: 429, retryHeaders: { "retry-after": "2", "x-should-retry": "true" } },
      { status: 200, retryHeaders: {} },
    ]);
    // The gateway did not retry it itself (that would have slept out the 2 s within a 1 s attempt budget).
    expect(cloud.fake.requests).toHaveLength(2);
  }, 15_000);

  it("adds no x-should-retry of its own when the upstream sent none", async () => {
    cloud.fake.reset();
    cloud.fake.script(limited({ "retry-after-ms": "1500" }));
    const { answer, seen } = await askWithDefaultRetries();
    expect(answer).toBe("Hello after the wait.");
    expect(seen).toEqual([
      { status: 429, retryHeaders: { "retry-after-ms": "1500" } },
      { status: 200, retryHeaders: {} },
    ]);
    expect(cloud.fake.requests).toHaveLength(2);
  }, 15_000);
});
