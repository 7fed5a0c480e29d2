/**
 * Two servers of a pool may differ only in what is cut from their shown URL (user info, query): one
 * proxy reached with two accounts. They were shown as the same `server` label, so /metrics merged
 * their gauges and, once the first was ejected, counted the second's ejections as a decrease of the
 * first's: prom-client threw and every scrape of /metrics failed with a 500 from then on.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let fake: FakeOpenAI;
let gw: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const port = new URL(fake.url).port;
  const urls = [`http://acct-a:pw-a@127.0.0.1:${port}/v1`, `http://acct-b:pw-b@127.0.0.1:${port}/v1`];
  const yaml = testModelsYaml({ cloudBaseURL: "POOL", maxRetries: 0 }).replace("base_url: POOL", `base_urls: [${urls.join(", ")}]`);
  gw = await startTestGateway({ modelsYaml: yaml, files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

/** The `switchyard_pool_server_*` samples of the fake provider, by metric and server label. */
async function poolSamples(): Promise<Record<string, Record<string, string>>> {
  const response = await fetch(`${gw.url}/metrics`);
  expect(response.status).toBe(200);
  const families = parsePrometheusTextFormat(await response.text());
  const samples: Record<string, Record<string, string>> = {};
  for (const family of families) {
    if (!family.name.startsWith("switchyard_pool_server_")) continue;
    for (const metric of family.metrics as Array<{ labels?: Record<string, string>; value?: string }>) {
      if (metric.labels?.provider !== "fake") continue;
      (samples[family.name] ??= {})[metric.labels.server!] = metric.value!;
    }
  }
  return samples;
}

describe("pool servers whose URLs differ only in their credentials", () => {
  it("get a series each, and /metrics keeps answering after one is ejected", async () => {
    const before = await poolSamples();
    expect(Object.keys(before["switchyard_pool_server_up"] ?? {})).toHaveLength(2);

    fake.script({ kind: "error", status: 503 });
    const failed = await gw.client().chat.completions.create({ model: "cloud", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);

    const after = await poolSamples();
    const ejections = Object.values(after["switchyard_pool_server_ejections_total"] ?? {}).map(Number);
    expect(ejections.sort()).toEqual([0, 1]);
    expect(Object.values(after["switchyard_pool_server_up"] ?? {}).map(Number).sort()).toEqual([0, 1]);
    // Neither label shows a credential; /readyz names the one ejected by the same label.
    for (const server of Object.keys(after["switchyard_pool_server_up"]!)) expect(server).not.toMatch(/pw-|acct-/);
    const ejected = Object.entries(after["switchyard_pool_server_up"]!).find(([, up]) => up === "0")![0];
    const readyz = (await (await fetch(`${gw.url}/readyz`)).json()) as { components: Record<string, { detail: string }> };
    expect(readyz.components["provider:fake"]!.detail).toContain(`ejected: ${ejected} (`);
  });
});
