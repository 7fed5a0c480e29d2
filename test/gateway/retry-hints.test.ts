/**
 * Answers a retry cannot change carry `x-should-retry: false`, which OpenAI's SDKs obey before their
 * own rules. Without it the official client (2 retries by default) retries a policy's 429 twice, and
 * sleeps out a spent budget's Retry-After — the seconds until the month ends — before giving up.
 * An upstream's own retry hints on a 429 are passed on as it sent them.
 */
import OpenAI, { RateLimitError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";
import { apiKeysEnv } from "../support/usage-api.js";

const KEYS = { spent: "sk-retry-spent-0123456789", open: "sk-retry-open-0123456789" };

const ROUTING = `
version: 1
degrade: { local_overload: none, cloud_failure: none }
rules:
  - name: no-gpt-4o
    when: { model: gpt-4o }
    then: { deny: { status: 429, code: policy_denied, message: "gpt-4o is not allowed here." } }
  - name: explicit-model
    when: { not: { model: auto } }
    then: { route: requested, pin: true }
default: { route: local }
`;

let upstream: RawUpstream;
let gw: TestGateway;
beforeAll(async () => {
  upstream = await startRawUpstream((body, res) => {
    if ((JSON.parse(body) as { user?: string }).user === "spend") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "Hello" }, finish_reason: "stop" }], usage: { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 } }));
      return;
    }
    res.writeHead(429, { "content-type": "application/json", "retry-after": "1", "x-should-retry": "false" });
    res.end(JSON.stringify({ error: { message: "quota exhausted", type: "insufficient_quota", code: "insufficient_quota" } }));
  });
  const cloudBaseURL = upstream.baseURL;
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL, maxRetries: 0 }),
    files: { "routing.yaml": ROUTING, "budgets.yaml": "version: 1\ntenants:\n  spent: { monthly_usd: 0.0000001, action: deny }\n" },
    env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) },
    waitForModels: false,
  });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

/** Chat requests the gateway answered (its access log), so a test sees the client's retries. */
const answered = () => gw.logs.filter((line) => (JSON.parse(line) as { msg: string; path?: string }).msg === "request").length;

/** The official client with its default retries; `rejected` is what `create` threw and how long it took. */
async function ask(key: string, model: string): Promise<{ error: unknown; ms: number; requests: number }> {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1` });
  const before = answered();
  const startedAt = Date.now();
  const error = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] }).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 100));
  return { error, ms: Date.now() - startedAt, requests: answered() - before };
}

describe("retry hints for the official client", () => {
  it("does not have a spent budget's 429 retried or slept out", async () => {
    const spend = new OpenAI({ apiKey: KEYS.spent, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await spend.chat.completions.create({ model: "fake-gpt", user: "spend", messages: [{ role: "user", content: "Hi" }] });
    // The spend is recorded in the background.
    await new Promise((r) => setTimeout(r, 300));
    const { error, ms, requests } = await ask(KEYS.spent, "fake-gpt");
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).code).toBe("budget_exceeded");
    // Ops tracing a refusal see which policy was in force, as on every other answer.
    expect((error as RateLimitError).headers?.get("x-switchyard-policy")).toMatch(/^[0-9a-f]{12}$/);
    expect(ms).toBeLessThan(3000);
    expect(requests).toBe(1);
  });

  it("does not have a policy's denial retried", async () => {
    const { error, requests } = await ask(KEYS.open, "gpt-4o");
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).code).toBe("policy_denied");
    expect(requests).toBe(1);
  });

  it("passes on an upstream 429's own x-should-retry with its Retry-After", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS.open}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("x-should-retry")).toBe("false");
  });
});
