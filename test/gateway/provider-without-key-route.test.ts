/**
 * A cloud provider whose API key is not set (`/readyz`: unavailable, "FAKE_CLOUD_KEY is not set") is
 * skipped at decision time, with the reason: the dry run names the model the real request is served
 * by, and no request pays a wasted attempt on it. A target the policy chose is skipped as any target
 * is; a model the client named is answered by the last resort the policy allows, reported as the
 * fallback it is (as when its provider fails at run time), or by the provider's own 503
 * `provider_not_configured` when the policy allows none or the one it allows cannot hold the prompt.
 */
import { describe, expect, it } from "vitest";
import { readFallbackHeader } from "../../src/policy/fallback.js";
import { fakeCloudGateway, postJson } from "../support/gateway.js";
import { usageRecords } from "../support/usage-api.js";

const ROUTING = `
version: 1
rules:
  - name: explicit-no-fallback
    when: { model: gpt-4o }
    then: { route: requested, pin: true, degrade: false }
  - name: explicit-model
    when: { not: { model: auto } }
    then: { route: requested, pin: true }
default: { route: cloud, fallbacks: [local] }
`;

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING }, env: { FAKE_CLOUD_KEY: "" } } });
const ask = (model: string) => ({ model, messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 4 });
const SKIPPED = "skipped fake-gpt: provider not configured (FAKE_CLOUD_KEY is not set)";

/** The usage record of the request `response` answered (no API keys: every record is the anonymous tenant's). */
async function usageOf(headers: Headers): Promise<Record<string, string> | undefined> {
  const id = headers.get("x-request-id");
  const deadline = Date.now() + 5000;
  for (;;) {
    const row = (await usageRecords(cloud.gw.url, "unused", 1)).find((r) => r.request_id === id);
    if (row || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a cloud provider without its API key", () => {
  it("is skipped for a rule's cloud target, with the local model after it: the dry run names the model that answers", async () => {
    const dry = await postJson(cloud.gw.url, "/v1/route", ask("auto"));
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: "local", model: "stories" });
    expect(dry.json.reasons).toContain(SKIPPED);
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", ask("auto"));
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-model")).toBe(dry.json.model);
    // The policy chose among its targets: no fallback, and no attempt on the provider that cannot be called.
    expect(real.headers.get("x-switchyard-fallback")).toBeNull();
    expect((await usageOf(real.headers))?.fallback).toBe("false");
    expect(cloud.fake.requests).toEqual([]);
  });

  it.each(["fake-gpt", "cloud"])(
    "answers a client naming its model ('%s') from the last resort, reported as a fallback from it (dry run too)",
    async (model) => {
      const logged = cloud.gw.logs.length;
      const real = await postJson(cloud.gw.url, "/v1/chat/completions", ask(model));
      expect(real.status).toBe(200);
      expect(real.headers.get("x-switchyard-model")).toBe("stories");
      // As when the provider fails at run time: the client learns another model answered.
      expect(readFallbackHeader(real.headers.get("x-switchyard-fallback") ?? "")).toEqual(["fake-gpt", "stories"]);
      expect(await usageOf(real.headers)).toMatchObject({ route: "local", model: "stories", fallback: "true", status: "200" });
      const warnings = cloud.gw.logs.slice(logged).map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.level === 40);
      expect(warnings).toContainEqual(expect.objectContaining({ model: "fake-gpt", code: "provider_not_configured", next: "stories", msg: "target not configured; falling back" }));
      // Still no attempt on the provider that cannot be called.
      expect(cloud.fake.requests).toEqual([]);

      const dry = await postJson(cloud.gw.url, "/v1/route", ask(model));
      expect(dry.status).toBe(200);
      expect(dry.json).toMatchObject({ route: "local", model: "stories" });
      expect(dry.json.reasons).toContain(SKIPPED);
      expect(dry.json.reasons).toContain("fallback from fake-gpt, the model asked for: its provider is not configured");
    },
  );

  it("answers a client naming its model the provider's own 503 when the last resort cannot hold the prompt, not the last resort's 400 (dry run too)", async () => {
    // ~1,000 tokens as estimated at decision time (stories' 2,048 window holds it); ~2,400 as stories' tokenizer counts them.
    const body = { model: "fake-gpt", messages: [{ role: "user", content: "word ".repeat(800) }] };
    const error = { code: "provider_not_configured", message: "The provider 'fake' is not configured: FAKE_CLOUD_KEY is not set." };
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", body);
    // fake-gpt's window would take it: the missing key, not the last resort's window, is why it is not answered.
    expect(real.status).toBe(503);
    expect(real.json.error).toMatchObject(error);
    expect(real.headers.get("x-should-retry")).toBe("false");
    expect(readFallbackHeader(real.headers.get("x-switchyard-fallback") ?? "")).toEqual(["fake-gpt", "stories"]);
    expect(await usageOf(real.headers)).toMatchObject({ route: "cloud", model: "fake-gpt", fallback: "true", status: "503", error: "provider_not_configured" });
    const dry = await postJson(cloud.gw.url, "/v1/route", body);
    expect(dry.status).toBe(503);
    expect(dry.json).toEqual(real.json);
    expect(cloud.fake.requests).toEqual([]);
  });

  it("answers a client naming its model, with no last resort allowed, the provider's own 503 (dry run too)", async () => {
    const error = { code: "provider_not_configured", message: "The provider 'fake' is not configured: FAKE_CLOUD_KEY is not set." };
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", ask("gpt-4o"));
    expect(real.status).toBe(503);
    expect(real.json.error).toMatchObject(error);
    const dry = await postJson(cloud.gw.url, "/v1/route", ask("gpt-4o"));
    expect(dry.json).toMatchObject({ route: "deny", model: null });
    expect(dry.json.reasons).toContain(`denied with 503 provider_not_configured: ${error.message}`);
  });
});
