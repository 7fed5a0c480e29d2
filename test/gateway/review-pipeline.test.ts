/**
 * Review: the request pipeline as production clients hit it — clients that hang up mid-answer,
 * usage of answers that did not finish, odd inputs to the local model.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml } from "../support/gateway.js";
import { usageRecords } from "../support/usage-api.js";

const KEY = "sk-review-pipeline-0123456789";

const cloud = fakeCloudGateway({
  models: { parallel: 1 },
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: `review=${KEY}` } },
});

interface Totals {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
}
async function totals(): Promise<Totals> {
  const res = await fetch(`${cloud.gw.url}/v1/usage`, { headers: { authorization: `Bearer ${KEY}` } });
  return ((await res.json()) as { totals: Totals }).totals;
}
async function totalsAfter(requests: number): Promise<Totals> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const t = await totals();
    if (t.requests >= requests || Date.now() > deadline) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const client = () => cloud.gw.client({ apiKey: KEY });

async function abortAfter(chunks: number, body: Parameters<ReturnType<typeof client>["chat"]["completions"]["create"]>[0]): Promise<void> {
  const controller = new AbortController();
  const stream = (await client().chat.completions.create({ ...body, stream: true }, { signal: controller.signal })) as AsyncIterable<unknown>;
  let received = 0;
  try {
    for await (const _ of stream) if (++received === chunks) controller.abort();
  } catch {
    // the SDK reports the abort; what matters is what the gateway recorded
  }
}

describe("review: pipeline", () => {
  it("records the tokens of a cloud stream the client left midway, not zero", async () => {
    const before = await totals();
    cloud.fake.script({ kind: "stream", chunks: 200, delayMs: 10 });
    await abortAfter(5, { model: "cloud", messages: [{ role: "user", content: "Tell me a long story about a lighthouse keeper." }] });
    const after = await totalsAfter(before.requests + 1);
    expect(after.requests).toBe(before.requests + 1);
    expect(after.prompt_tokens).toBeGreaterThan(before.prompt_tokens);
    // An estimate (about 4 characters a token) of the five or more `wN ` pieces relayed.
    expect(after.completion_tokens).toBeGreaterThanOrEqual(before.completion_tokens + 3);
  });

  it("records the tokens of a local stream the client left midway, not zero", async () => {
    const before = await totals();
    await abortAfter(5, { model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 1900 });
    const after = await totalsAfter(before.requests + 1);
    expect(after.requests).toBe(before.requests + 1);
    expect(after.prompt_tokens).toBeGreaterThan(before.prompt_tokens);
    expect(after.completion_tokens).toBeGreaterThanOrEqual(before.completion_tokens + 5);
  });

  // The host's time is charged for the generation the client walked away from; with no tokens the
  // baseline was $0, so the export showed the local model costing more than the cloud would have.
  it("records the prompt of a non-streamed local answer the client left, so its savings are not negative", async () => {
    const before = (await usageRecords(cloud.gw.url, KEY, 0)).length;
    const controller = new AbortController();
    const leaving = client().chat.completions.create(
      { model: "local", messages: [{ role: "user", content: "Once upon a time there was a lighthouse" }], max_tokens: 1900 },
      { signal: controller.signal, maxRetries: 0 },
    );
    setTimeout(() => controller.abort(), 300);
    await expect(leaving).rejects.toThrow();
    const rows = await usageRecords(cloud.gw.url, KEY, before + 1);
    const row = rows.at(-1)!;
    expect(row).toMatchObject({ route: "local", status: "499", error: "client_closed_request" });
    expect(Number(row.prompt_tokens)).toBeGreaterThan(0);
    expect(Number(row.cost_usd)).toBeGreaterThan(0);
    expect(Number(row.savings_usd)).toBeGreaterThan(0);
  });

  it("names why a stream the client left ended: client_closed_request, as for an answer not streamed", async () => {
    const before = (await usageRecords(cloud.gw.url, KEY, 0)).length;
    await abortAfter(5, { model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 1900 });
    const rows = await usageRecords(cloud.gw.url, KEY, before + 1);
    expect(rows.at(-1)).toMatchObject({ route: "local", status: "499", error: "client_closed_request" });
  });

  // Estimated from the text, an abandoned prompt was billed 24 tokens where the model evaluated 16,
  // inflating its baseline and savings by half.
  it("records an abandoned local answer's prompt as the model evaluated it, the same as when answered", async () => {
    const messages = [{ role: "user" as const, content: "Once upon a time there was a little fox who lived in the woods" }];
    const earlier = (await usageRecords(cloud.gw.url, KEY, 0)).length;
    const answered = await client().chat.completions.create({ model: "local", messages, max_tokens: 2 });
    const evaluated = answered.usage!.prompt_tokens;
    // The answered request's record lands after its answer: wait for it before counting.
    const before = (await usageRecords(cloud.gw.url, KEY, earlier + 1)).length;
    await abortAfter(5, { model: "local", messages, max_tokens: 1900 });
    const controller = new AbortController();
    const leaving = client().chat.completions.create({ model: "local", messages, max_tokens: 1900 }, { signal: controller.signal, maxRetries: 0 });
    setTimeout(() => controller.abort(), 300);
    await expect(leaving).rejects.toThrow();
    const rows = (await usageRecords(cloud.gw.url, KEY, before + 2)).slice(before);
    expect(rows.map((r) => [r.status, Number(r.prompt_tokens)])).toEqual([
      ["499", evaluated],
      ["499", evaluated],
    ]);
  });

  it("trims a conversation to the window the local model really has, when models.yaml leaves context_window at its default", async () => {
    // stories260K was trained on 2,048 tokens; context_window defaults to 4,096.
    const yaml = testModelsYaml({ cloudBaseURL: cloud.fake.baseURL, maxRetries: 0, parallel: 1 }).replace(/^ {4}context_window: 2048\n/m, "");
    expect(yaml).not.toContain("context_window: 2048");
    const local = await startTestGateway({ modelsYaml: yaml, files: { "routing.yaml": NO_FALLBACK_ROUTING } });
    try {
      const old = "Once upon a time there was a little girl named Lily. ".repeat(110);
      const { data, response } = await local
        .client()
        .chat.completions.create({
          model: "local",
          messages: [
            { role: "user", content: old },
            { role: "assistant", content: old },
            { role: "user", content: "Once upon a time" },
          ],
          max_tokens: 8,
        })
        .withResponse();
      expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
      expect(Number(response.headers.get("x-switchyard-context-dropped"))).toBeGreaterThan(0);
    } finally {
      await local.close();
    }
  });
});
