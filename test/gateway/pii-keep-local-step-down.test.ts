/**
 * pii.yaml's `keep_local` (per entity type, or `non_text_content.cloud`) moves a cloud-bound request
 * to an on-host model that can serve it — the rule's own local targets, then the default local model
 * when the rule allows last resorts — or refuses it with 503 `pii_keep_local`. The dry run
 * (`POST /v1/route`) predicts the same: the local hop, or that refusal; never the cloud model, and
 * never the local model's own 400 ("does not support tools") in place of the keep-local refusal.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { postJson, SHIPPED_POLICIES, startTestGateway, testModelsYaml, type JsonAnswer, type TestGateway } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: strict-cloud
    when: { metadata: { case: strict } }
    then: { route: cloud, degrade: false }
  - name: tools-or-images
    when: { any: [{ tools: true }, { images: true }] }
    then: { route: cloud }
default: { route: cloud }
`;

let fake: FakeOpenAI;
let gw: TestGateway;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  const shipped = await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8");
  const pii = shipped
    .replace(/^  budget_ms: \d+/m, "  budget_ms: 5000")
    .replace(/^  EMAIL_ADDRESS: \{\}/m, "  EMAIL_ADDRESS: { cloud: keep_local }")
    .replace(/^(non_text_content:[^\n]*\n  cloud:) allow/m, "$1 keep_local");
  expect(pii).toContain("EMAIL_ADDRESS: { cloud: keep_local }");
  expect(pii).toMatch(/non_text_content:[^\n]*\n  cloud: keep_local/);
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }), files: { "routing.yaml": ROUTING, "pii.yaml": pii } });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});
beforeEach(() => fake.reset());

async function both(body: Record<string, unknown>): Promise<{ real: JsonAnswer; dry: JsonAnswer }> {
  const dry = await postJson(gw.url, "/v1/route", body);
  const real = await postJson(gw.url, "/v1/chat/completions", { max_tokens: 2, ...body });
  return { real, dry };
}

const EMAIL = [{ role: "user", content: "Please write to maria.lopez@example.net about her refund" }];
const TOOLS = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }];
const IMAGE = [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }];

describe("pii.yaml keep_local: the real request and the dry run agree", { timeout: 60_000 }, () => {
  it("a request the local model can serve is answered locally, and the dry run names that local hop", async () => {
    const { real, dry } = await both({ model: "auto", messages: EMAIL });
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-route")).toBe("local");
    expect(real.headers.get("x-switchyard-model")).toBe("stories");
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: "local", model: "stories" });
    expect(dry.json.fallbacks).toEqual([]);
    expect((dry.json.reasons as string[]).join("\n")).toContain("fake-gpt: pii.yaml keep_local (EMAIL_ADDRESS): no cloud");
    // What the real answer's x-switchyard-pii reports (EMAIL_ADDRESS=keep_local:1).
    expect(real.headers.get("x-switchyard-pii")).toBe("EMAIL_ADDRESS=keep_local:1");
    expect((dry.json.pii as { actions: unknown }).actions).toEqual({ EMAIL_ADDRESS: "keep_local" });
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ["tools the local model cannot call, with an e-mail address", { model: "auto", messages: EMAIL, tools: TOOLS }],
    ["an image (non_text_content.cloud: keep_local) the local model cannot see", { model: "auto", messages: IMAGE }],
    ["a rule with degrade: false (no last resort) and an e-mail address", { model: "auto", messages: EMAIL, metadata: { case: "strict" } }],
  ])("%s: 503 pii_keep_local from both", async (_label, body) => {
    const { real, dry } = await both(body);
    expect(real.status).toBe(503);
    expect(real.json.error).toMatchObject({ code: "pii_keep_local", type: "server_error" });
    expect(real.json.error?.message).toContain("no local model could take it");
    expect(dry.status).toBe(real.status);
    expect(dry.json).toEqual(real.json);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("pii.yaml keep_local is reported like any PII action", { timeout: 60_000 }, () => {
  const keptLocalCount = async (type: string) => {
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const line = metrics.split("\n").find((l) => l.startsWith(`switchyard_pii_actions_total{type="${type}",action="keep_local"}`));
    return line === undefined ? 0 : Number(line.split(" ").at(-1));
  };
  const eventuallyCounted = async (type: string, atLeast: number) => {
    for (let i = 0; i < 100 && (await keptLocalCount(type)) < atLeast; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return keptLocalCount(type);
  };

  it("an answer kept on the host says so in x-switchyard-pii and in switchyard_pii_actions_total", async () => {
    const before = await keptLocalCount("EMAIL_ADDRESS");
    const real = await postJson(gw.url, "/v1/chat/completions", { model: "auto", max_tokens: 2, messages: EMAIL });
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-route")).toBe("local");
    expect(real.headers.get("x-switchyard-pii")).toBe("EMAIL_ADDRESS=keep_local:1");
    expect(await eventuallyCounted("EMAIL_ADDRESS", before + 1)).toBe(before + 1);
  });

  it.each([
    ["tools the local model cannot call", { messages: EMAIL, tools: TOOLS }, "EMAIL_ADDRESS", "EMAIL_ADDRESS=keep_local:1"],
    ["an image the local model cannot see", { messages: IMAGE }, "NON_TEXT_CONTENT", "NON_TEXT_CONTENT=keep_local:1"],
  ])("the 503 pii_keep_local for %s says so too", async (_label, body, type, header) => {
    const before = await keptLocalCount(type);
    const real = await postJson(gw.url, "/v1/chat/completions", { model: "auto", max_tokens: 2, ...body });
    expect(real.status).toBe(503);
    expect(real.json.error).toMatchObject({ code: "pii_keep_local" });
    expect(real.headers.get("x-switchyard-pii")).toBe(header);
    expect(await eventuallyCounted(type, before + 1)).toBe(before + 1);
  });
});

describe("pii.yaml keep_local with the local model down", { timeout: 60_000 }, () => {
  let down: TestGateway;
  beforeAll(async () => {
    const shipped = await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8");
    const pii = shipped.replace(/^  budget_ms: \d+/m, "  budget_ms: 5000").replace(/^  EMAIL_ADDRESS: \{\}/m, "  EMAIL_ADDRESS: { cloud: keep_local }");
    down = await startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0, localPath: "/nonexistent/model.gguf" }),
      files: { "routing.yaml": ROUTING, "pii.yaml": pii },
    });
  });
  afterAll(async () => {
    await down?.close();
  });

  it("answers with why the local model cannot serve (its own 503), not that no local model exists", async () => {
    const real = await postJson(down.url, "/v1/chat/completions", { model: "auto", max_tokens: 2, messages: EMAIL });
    expect(real.status).toBe(503);
    expect(real.json.error).toMatchObject({ code: "model_unavailable" });
    expect(real.json.error?.message).toMatch(/The local model 'stories' is unavailable: .+/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("pii.yaml keep_local, then a refusal on the host", { timeout: 60_000 }, () => {
  let blocking: TestGateway;
  beforeAll(async () => {
    const shipped = await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8");
    const pii = shipped
      .replace(/^  budget_ms: \d+/m, "  budget_ms: 5000")
      .replace(/^  EMAIL_ADDRESS: \{\}/m, "  EMAIL_ADDRESS: { cloud: keep_local }")
      .replace(/^  CREDIT_CARD: \{\}/m, "  CREDIT_CARD: { local: block }");
    expect(pii).toContain("CREDIT_CARD: { local: block }");
    blocking = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }), files: { "routing.yaml": ROUTING, "pii.yaml": pii } });
  });
  afterAll(async () => {
    await blocking?.close();
  });

  it("a card the local rules block: the dry run's refusal reports the keep_local too, as the real one", async () => {
    const body = { model: "auto", messages: [{ role: "user", content: "Write to maria.lopez@example.net, card 4539 1488 0343 6467, about the refund" }] };
    const dry = await postJson(blocking.url, "/v1/route", body);
    const real = await postJson(blocking.url, "/v1/chat/completions", { max_tokens: 2, ...body });
    expect(real.status).toBe(400);
    expect(real.headers.get("x-switchyard-pii")).toMatch(/^EMAIL_ADDRESS=keep_local:1, CREDIT_CARD=block:1/);
    expect(dry.status).toBe(real.status);
    expect(dry.headers.get("x-switchyard-pii")).toBe(real.headers.get("x-switchyard-pii"));
    expect(fake.requests).toHaveLength(0);
  });
});
