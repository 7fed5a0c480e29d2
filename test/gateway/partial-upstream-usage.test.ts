/**
 * An upstream whose `usage` lacks the token counts (some OpenAI-compatible servers send only
 * `total_tokens`) is counted by the gateway, as an answer without usage is: it is never recorded as
 * free. A streaming client that asked for usage gets one usage chunk, with counts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";
import { apiKeysEnv, usageTotals } from "../support/usage-api.js";

const KEYS = { whole: "sk-partial-whole-0123456789", stream: "sk-partial-stream-0123456789" };
const ANSWER = "The capital of France is Paris.";
const PARTIAL_USAGE = { total_tokens: 40 };

let upstream: RawUpstream;
let gw: TestGateway;
beforeAll(async () => {
  upstream = await startRawUpstream((body, res) => {
    const head = { id: "c1", created: 1, model: "upstream-gpt" };
    if ((JSON.parse(body) as { stream?: boolean }).stream) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
      event({ ...head, object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: ANSWER }, finish_reason: null }] });
      event({ ...head, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
      event({ ...head, object: "chat.completion.chunk", choices: [], usage: PARTIAL_USAGE });
      res.end("data: [DONE]\n\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ...head, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: ANSWER }, finish_reason: "stop" }], usage: PARTIAL_USAGE }));
  });
  const cloudBaseURL = upstream.baseURL;
  const keys = apiKeysEnv(KEYS);
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL }), files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: keys }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

const ask = { model: "cloud", messages: [{ role: "user" as const, content: "What is the capital of France?" }] };

describe("an upstream usage without token counts", () => {
  it("is counted by the gateway for a whole answer, not recorded as free", async () => {
    const completion = await gw.client({ apiKey: KEYS.whole }).chat.completions.create(ask);
    expect(completion.choices[0]?.message.content).toBe(ANSWER);
    const totals = await usageTotals(gw.url, KEYS.whole, 1);
    expect(totals.prompt_tokens).toBeGreaterThan(5);
    expect(totals.completion_tokens).toBeGreaterThan(3);
    expect(totals.cost_usd).toBeGreaterThan(0);
  });

  it("is completed with the gateway's counts in a stream: one usage chunk for the client, and a priced record", async () => {
    const chunks = [];
    for await (const chunk of await gw.client({ apiKey: KEYS.stream }).chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } })) chunks.push(chunk);
    const usages = chunks.filter((c) => c.usage != null).map((c) => c.usage!);
    expect(usages).toHaveLength(1);
    expect(usages[0]!.prompt_tokens).toBeGreaterThan(5);
    expect(usages[0]!.completion_tokens).toBeGreaterThan(3);
    expect(usages[0]!.total_tokens).toBe(usages[0]!.prompt_tokens + usages[0]!.completion_tokens);
    const totals = await usageTotals(gw.url, KEYS.stream, 1);
    expect(totals.prompt_tokens).toBe(usages[0]!.prompt_tokens);
    expect(totals.completion_tokens).toBe(usages[0]!.completion_tokens);
    expect(totals.cost_usd).toBeGreaterThan(0);
  });
});
