/**
 * Cached prompt tokens: an upstream that served part of the prompt from its cache says so in
 * `usage.prompt_tokens_details.cached_tokens` (in a whole answer and in a stream's usage chunk), and
 * bills those tokens at its cached-input price. A model with `cached_input_per_1m` is recorded at that
 * price, so /v1/usage shows what the provider charges; a model without it prices them as input, as before.
 */
import { describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { apiKeysEnv, usageRecords, usageTotals } from "../support/usage-api.js";

const KEYS = { whole: "sk-cached-whole-0123456789", stream: "sk-cached-stream-0123456789", plain: "sk-cached-plain-0123456789", baseline: "sk-cached-base-0123456789", export: "sk-cached-export-0123456789", quiet: "sk-cached-quiet-0123456789" };

/** The fake upstream answers 11 prompt tokens, 8 of them cached; 7 completion tokens (a stream: one per word). */
const CACHED = 8;
const PROMPT = 11;
const ANSWER = "One two three four five.";

const cloud = upstreamGateway(() => startFakeOpenAI({ answer: ANSWER, cachedTokens: CACHED }), {
  modelsYaml: (fake) =>
    testModelsYaml({ cloudBaseURL: fake.baseURL })
      .replace("price: { input_per_1m: 0.15, output_per_1m: 0.6 }", "price: { input_per_1m: 0.15, cached_input_per_1m: 0.075, output_per_1m: 0.6 }")
      .replace("price: { input_per_1m: 2.5, output_per_1m: 10 }", "price: { input_per_1m: 2.5, cached_input_per_1m: 1.25, output_per_1m: 10 }")
      .replace(
        "defaults:",
        `  plain-gpt:
    provider: fake
    context_window: 128000
    price: { input_per_1m: 0.15, output_per_1m: 0.6 }
defaults:`,
      ),
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) } },
});

const usd = (nanos: number) => nanos / 1e9;
const ask = { messages: [{ role: "user" as const, content: "What is the capital of France?" }] };

describe("cached prompt tokens reported by a cloud upstream", () => {
  it("are priced at cached_input_per_1m in a whole answer", async () => {
    const answer = await cloud.gw.client({ apiKey: KEYS.whole }).chat.completions.create({ ...ask, model: "fake-gpt" });
    expect(answer.usage?.prompt_tokens_details?.cached_tokens).toBe(CACHED);

    const totals = await usageTotals(cloud.gw.url, KEYS.whole, 1);
    expect(totals).toMatchObject({ requests: 1, prompt_tokens: PROMPT, cached_prompt_tokens: CACHED, completion_tokens: 7 });
    // 3 uncached × $0.15 + 8 cached × $0.075 + 7 × $0.60, per 1M: 450 + 600 + 4200 nano-dollars.
    expect(totals.cost_usd).toBe(usd(5250));
    // The baseline (gpt-4o) would have had the same tokens cached: 3 × $2.5 + 8 × $1.25 + 7 × $10.
    expect(totals.baseline_cost_usd).toBe(usd(7500 + 10_000 + 70_000));
    expect(totals.savings_usd).toBe(usd(87_500 - 5250));
  });

  it("are priced at cached_input_per_1m in a stream's usage chunk", async () => {
    const stream = await cloud.gw.client({ apiKey: KEYS.stream }).chat.completions.create({ ...ask, model: "fake-gpt", stream: true, stream_options: { include_usage: true } });
    let cached: number | undefined;
    for await (const chunk of stream) cached = chunk.usage?.prompt_tokens_details?.cached_tokens ?? cached;
    expect(cached).toBe(CACHED);

    const totals = await usageTotals(cloud.gw.url, KEYS.stream, 1);
    // Five words, five completion tokens.
    expect(totals).toMatchObject({ requests: 1, prompt_tokens: PROMPT, cached_prompt_tokens: CACHED, completion_tokens: 5 });
    expect(totals.cost_usd).toBe(usd(450 + 600 + 3000));
  });

  it("are priced at cached_input_per_1m in a stream whose client did not ask for usage", async () => {
    // The gateway asks the upstream for the usage chunk anyway, and keeps it from the client.
    const stream = await cloud.gw.client({ apiKey: KEYS.quiet }).chat.completions.create({ ...ask, model: "fake-gpt", stream: true });
    for await (const chunk of stream) expect(chunk.usage ?? undefined).toBeUndefined();
    const totals = await usageTotals(cloud.gw.url, KEYS.quiet, 1);
    expect(totals).toMatchObject({ requests: 1, prompt_tokens: PROMPT, cached_prompt_tokens: CACHED, completion_tokens: 5 });
    expect(totals.cost_usd).toBe(usd(450 + 600 + 3000));
  });

  it("cost the input price on a model without cached_input_per_1m, as before", async () => {
    await cloud.gw.client({ apiKey: KEYS.plain }).chat.completions.create({ ...ask, model: "plain-gpt" });
    const totals = await usageTotals(cloud.gw.url, KEYS.plain, 1);
    expect(totals).toMatchObject({ requests: 1, prompt_tokens: PROMPT, cached_prompt_tokens: CACHED, completion_tokens: 7 });
    // 11 × $0.15 + 7 × $0.60 per 1M.
    expect(totals.cost_usd).toBe(usd(1650 + 4200));
  });

  it("claim no savings for a request the baseline model answered itself", async () => {
    await cloud.gw.client({ apiKey: KEYS.baseline }).chat.completions.create({ ...ask, model: "gpt-4o" });
    const totals = await usageTotals(cloud.gw.url, KEYS.baseline, 1);
    expect(totals.cost_usd).toBe(usd(7500 + 10_000 + 70_000));
    expect(totals.savings_usd).toBe(0);
  });
});

/** The value of `switchyard_cached_prompt_tokens_total` for `model` on the cloud route (0 before its first count). */
async function cachedCounter(model: string): Promise<number> {
  const text = await (await fetch(`${cloud.gw.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("switchyard_cached_prompt_tokens_total{") && l.includes(`model="${model}"`) && l.includes('route="cloud"'));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("cached prompt tokens outside /v1/usage", () => {
  it("are counted in /metrics per route and model, apart from switchyard_tokens_total", async () => {
    const before = await cachedCounter("fake-gpt");
    await cloud.gw.client({ apiKey: KEYS.whole }).chat.completions.create({ ...ask, model: "fake-gpt" });
    await expect.poll(() => cachedCounter("fake-gpt")).toBe(before + CACHED);
    const text = await (await fetch(`${cloud.gw.url}/metrics`)).text();
    // A kind of its own in switchyard_tokens_total would count the cached tokens twice in a sum over kinds.
    expect(text).not.toMatch(/switchyard_tokens_total\{[^}]*kind="cached/);
  });

  it("are a column of the CSV export", async () => {
    await cloud.gw.client({ apiKey: KEYS.export }).chat.completions.create({ ...ask, model: "plain-gpt" });
    const rows = await usageRecords(cloud.gw.url, KEYS.export, 1);
    expect(rows).toEqual([expect.objectContaining({ model: "plain-gpt", prompt_tokens: String(PROMPT), cached_prompt_tokens: String(CACHED), cost_usd: String(usd(1650 + 4200)) })]);
  });
});
