/**
 * A cloud provider whose API key is not set (`/readyz`: unavailable, "FAKE_CLOUD_KEY is not set") is
 * skipped at decision time, with the reason: the dry run names the model the real request is served
 * by, and no request pays a wasted attempt on it. A client naming one of its models gets the last
 * resort the policy allows, or the provider's own 503 `provider_not_configured` when it allows none.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

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

describe("a cloud provider without its API key", () => {
  it.each([
    ["a rule's cloud target, with the local model after it", "auto"],
    ["a client naming the model, with last resorts allowed", "fake-gpt"],
  ])("is skipped for %s: the dry run names the model that answers", async (_label, model) => {
    const dry = await postJson(cloud.gw.url, "/v1/route", ask(model));
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: "local", model: "stories" });
    expect(dry.json.reasons).toContain(SKIPPED);
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", ask(model));
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-model")).toBe(dry.json.model);
    // Served at once: no attempt on the provider that cannot be called.
    expect(real.headers.get("x-switchyard-fallback")).toBeNull();
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
