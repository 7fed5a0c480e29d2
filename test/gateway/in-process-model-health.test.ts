/**
 * With two in-process models, each model's own load state decides whether a rule's target can serve:
 * a broken `defaults.local` does not make a loaded model that a rule names unhealthy.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { postJson, startTestGateway, STORIES_MODEL, type TestGateway } from "../support/gateway.js";

let fake: FakeOpenAI;
let gw: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const broken = join(await mkdtemp(join(tmpdir(), "switchyard-broken-")), "broken.gguf");
  await writeFile(broken, "not a gguf file");
  const models = `
providers:
  local: { type: llama_cpp, threads: 1, parallel: 1, queue: 4 }
  fake: { type: openai_compatible, base_url: ${fake.baseURL}, api_key_env: FAKE_CLOUD_KEY, max_retries: 0 }
models:
  main-local:
    provider: local
    path: ${broken}
    context_window: 2048
    capabilities: { tools: false, json_schema: true, vision: false }
    price: { usd_per_hour: 0.1 }
  stories:
    provider: local
    path: ${STORIES_MODEL}
    context_window: 2048
    max_output_tokens: 64
    capabilities: { tools: false, json_schema: true, vision: false }
    price: { usd_per_hour: 0.1 }
  fake-gpt:
    provider: fake
    upstream_model: upstream-gpt
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
    price: { input_per_1m: 0.15, output_per_1m: 0.6 }
defaults: { local: main-local, cloud: fake-gpt, baseline: fake-gpt }
`;
  gw = await startTestGateway({ modelsYaml: models, files: { "routing.yaml": "version: 1\ndefault: { route: stories, degrade: false }\n" } });
});

afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

describe("a loaded in-process model beside a broken defaults.local", () => {
  const body = { model: "auto", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 4 };

  it("serves the request from the loaded model the rule names", async () => {
    const real = await postJson(gw.url, "/v1/chat/completions", body);
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-model")).toBe("stories");
  });

  it("names that model in the dry run", async () => {
    const dry = await postJson(gw.url, "/v1/route", body);
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: "local", model: "stories" });
  });
});
