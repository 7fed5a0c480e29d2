/**
 * When every target is too small for the prompt, the real request and the dry run answer the same
 * 400 `context_length_exceeded`: the largest window's, each window being the one the model runs with
 * (`ProviderSet.contextWindow`), which its 400 states — not models.yaml's number. node-llama-cpp pads an
 * in-process model's window up to a multiple of 256 tokens: `stories-narrow` (context_window 1050)
 * and `stories-wide` (1100) both run with 1,280, so neither is larger and the first tried is reported.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startTestGateway, STORIES_MODEL, testModelsYaml, type TestGateway } from "../support/gateway.js";

/** Two windows as declared, one as run; different completion reserves make their 400s tell them apart. */
const MODELS = testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }).replace(
  "  fake-gpt:\n",
  `  stories-narrow:
    provider: local
    path: ${STORIES_MODEL}
    context_window: 1050
    max_output_tokens: 32
    capabilities: { tools: false, json_schema: true, vision: false }
    price: { usd_per_hour: 0.1 }
  stories-wide:
    provider: local
    path: ${STORIES_MODEL}
    context_window: 1100
    max_output_tokens: 48
    capabilities: { tools: false, json_schema: true, vision: false }
    price: { usd_per_hour: 0.1 }
  fake-gpt:
`,
);

const ROUTING = `
version: 1
rules: []
default: { route: stories-narrow, fallbacks: [stories-wide], degrade: false }
`;

// Estimated at ~750 tokens, so both fit models.yaml's windows at decision time; stories260K's own
// tokenizer counts ~1,800, which neither runtime window holds.
const body = { model: "auto", messages: [{ role: "user", content: "word ".repeat(600) }] };

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ modelsYaml: MODELS, files: { "routing.yaml": ROUTING } });
});
afterAll(async () => {
  await gw?.close();
});

describe("every target too small for the prompt, as their runtimes count it", () => {
  it("answers the real request and the dry run with the same 400: the first of the equally large runtime windows", async () => {
    const real = await postJson(gw.url, "/v1/chat/completions", body);
    expect(real.status).toBe(400);
    expect(real.json.error).toMatchObject({ code: "context_length_exceeded", param: "messages" });
    expect(real.json.error?.message).toContain("maximum context length is 1280 tokens");

    const dry = await postJson(gw.url, "/v1/route", body);
    expect(dry.status).toBe(400);
    expect(dry.json.error).toEqual(real.json.error);
  });
});
