/**
 * `completion_tokens_details.reasoning_tokens` is part of `completion_tokens` (OpenAI bills the
 * thinking as output and counts it there). Some OpenAI-compatible proxies in front of other vendors
 * report the thinking beside it instead — `completion_tokens: 0, reasoning_tokens: 60` for an answer
 * that was all thinking — and the record priced the request's thinking at $0. Reasoning the total shows
 * was reported beside the completion count is now added to it, as is reasoning above the completion
 * count (which cannot include it).
 */
import { describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { whole: "sk-reasoned-whole-0123456789", stream: "sk-reasoned-stream-0123456789", consistent: "sk-reasoned-ok-0123456789", total: "sk-reasoned-total-0123456789" };
const BASE = { id: "chatcmpl-reasoned", created: 1_700_000_000, model: "upstream-gpt" };
/** How a proxy reported it: the thinking beside the completion count, not inside it (85 = 21 + 4 + 60). */
const BESIDE = { prompt_tokens: 21, completion_tokens: 4, total_tokens: 85, completion_tokens_details: { reasoning_tokens: 60 } };
/** As OpenAI reports it: the thinking inside the completion count (the total says so). */
const INSIDE = { prompt_tokens: 21, completion_tokens: 64, total_tokens: 85, completion_tokens_details: { reasoning_tokens: 60 } };
/** Beside it, with a total that counts neither: a completion count below the reasoning cannot include it. */
const UNTOLD = { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25, completion_tokens_details: { reasoning_tokens: 60 } };

const cloud = upstreamGateway(
  () =>
    startRawUpstream((raw, res) => {
      const sent = JSON.parse(raw) as { stream?: boolean; messages: Array<{ content: string }> };
      const asked = sent.messages.at(-1)!.content;
      const usage = asked === "inside" ? INSIDE : asked === "untold" ? UNTOLD : BESIDE;
      if (!sent.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        const message = { role: "assistant", content: "Paris.", refusal: null };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop", logprobs: null }], usage }));
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunkFrame(BASE, { content: "Paris." }, "stop"));
      res.write(`data: ${JSON.stringify({ ...BASE, object: "chat.completion.chunk", choices: [], usage })}\n\n`);
      res.end("data: [DONE]\n\n");
    }),
  {
    modelsYaml: (raw) => testModelsYaml({ cloudBaseURL: raw.baseURL, maxRetries: 0 }),
    gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) }, waitForModels: false },
  },
);

const ask = (content: string) => ({ model: "fake-gpt", messages: [{ role: "user" as const, content }] });

describe("reasoning tokens an upstream reports beside the completion count", () => {
  it("are counted as completion tokens in a whole answer's record", async () => {
    await cloud.gw.client({ apiKey: KEYS.whole }).chat.completions.create(ask("What is the capital of France?"));
    const [record] = await usageRecords(cloud.gw.url, KEYS.whole, 1);
    expect(Number(record!.completion_tokens)).toBe(64);
  });

  it("are counted as completion tokens in a stream's record", async () => {
    for await (const _ of await cloud.gw.client({ apiKey: KEYS.stream }).chat.completions.create({ ...ask("What is the capital of France?"), stream: true })) {
      // read to the end
    }
    const [record] = await usageRecords(cloud.gw.url, KEYS.stream, 1);
    expect(Number(record!.completion_tokens)).toBe(64);
  });

  it("are not added again when the completion count includes them, as OpenAI's does", async () => {
    await cloud.gw.client({ apiKey: KEYS.consistent }).chat.completions.create(ask("inside"));
    const [record] = await usageRecords(cloud.gw.url, KEYS.consistent, 1);
    expect(Number(record!.completion_tokens)).toBe(64);
  });

  it("are added to a completion count below them, when the total does not say how they were reported", async () => {
    await cloud.gw.client({ apiKey: KEYS.total }).chat.completions.create(ask("untold"));
    const [record] = await usageRecords(cloud.gw.url, KEYS.total, 1);
    expect(Number(record!.completion_tokens)).toBe(64);
  });
});
