/**
 * pii.yaml's `keep_local` moving a cloud-bound request to the host is a redirect, not a fallback: the
 * cloud model was never called, nothing failed. The answer carries no `x-switchyard-fallback` (the
 * dry run names no fallback either), its usage record says `fallback: false`, and
 * `switchyard_fallbacks_total` does not count it — so a dashboard's fallback rate is the providers'
 * failures, not every request with personal data. `x-switchyard-pii: EMAIL_ADDRESS=keep_local:1`
 * says what moved it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { postJson, SHIPPED_POLICIES, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { usageRecords } from "../support/usage-api.js";

const ROUTING = `
version: 1
rules: []
default: { route: cloud }
`;

let fake: FakeOpenAI;
let gw: TestGateway;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  const shipped = await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8");
  const pii = shipped.replace(/^  budget_ms: \d+/m, "  budget_ms: 5000").replace(/^  EMAIL_ADDRESS: \{\}/m, "  EMAIL_ADDRESS: { cloud: keep_local }");
  expect(pii).toContain("EMAIL_ADDRESS: { cloud: keep_local }");
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }), files: { "routing.yaml": ROUTING, "pii.yaml": pii } });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

const fallbacksCounted = async () => {
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  return metrics
    .split("\n")
    .filter((line) => line.startsWith("switchyard_fallbacks_total{"))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
};

describe("a request pii.yaml keeps on the host", { timeout: 60_000 }, () => {
  it("is answered locally without being reported as a fallback", async () => {
    const body = { model: "auto", max_tokens: 2, messages: [{ role: "user", content: "Please write to maria.lopez@example.net about her refund" }] };
    const dry = await postJson(gw.url, "/v1/route", body);
    expect(dry.json).toMatchObject({ route: "local", model: "stories", fallbacks: [] });

    const real = await postJson(gw.url, "/v1/chat/completions", body);
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-model")).toBe("stories");
    expect(real.headers.get("x-switchyard-pii")).toBe("EMAIL_ADDRESS=keep_local:1");
    expect(real.headers.get("x-switchyard-fallback")).toBeNull();
    expect(fake.requests).toHaveLength(0);

    const [record] = await usageRecords(gw.url, "unused-key", 1);
    expect(record).toMatchObject({ route: "local", model: "stories", fallback: "false", pii_actions: "EMAIL_ADDRESS:keep_local=1" });
    expect(await fallbacksCounted()).toBe(0);
  });
});
