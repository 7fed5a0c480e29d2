/**
 * A client naming the local model while its only slot is busy, with a secret in an early turn: the
 * rule's fallbacks are two models of one cloud provider, the large one first. pii.yaml blocks the secret
 * for the large model, which gets the whole conversation; the small one's window leaves that turn out.
 * The block is about the large model's prompt, not the provider's health: the small model is still
 * tried and answers (before, the refusal took the whole provider out of the chain, and the client got
 * the local model's 503).
 */
import { describe, expect, it } from "vitest";
import { chatAs, whileLocalBusy } from "../support/busy-local-slot.js";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { readFallbackHeader } from "../../src/policy/fallback.js";
import { apiKeysEnv } from "../support/usage-api.js";

const KEYS = { holder: "sk-same-provider-holder-0123456789", asker: "sk-same-provider-asker-0123456789" };
const SECRET = "Deploy with this key: AKIAIOSFODNN7EXAMPLE and password=hunter2-Tr0ub4dor";
const FILLER = "The deployment notes go on about regions, quotas and rollbacks. ".repeat(20);

// The client's model, then the provider's two models; no last resorts.
const ROUTING = NO_FALLBACK_ROUTING.replace("then: { route: requested, pin: true }", "then: { route: requested, fallbacks: [fake-gpt, fake-mini], pin: true }");

// One local slot and no queue: while it is busy, the local model refuses at once.
const cloud = upstreamGateway(() => startFakeOpenAI(), {
  modelsYaml: (fake) =>
    testModelsYaml({ cloudBaseURL: fake.baseURL, parallel: 1, queue: 0, maxRetries: 0 }).replace(
      "defaults:",
      `  fake-mini:
    provider: fake
    upstream_model: upstream-mini
    context_window: 256
    max_output_tokens: 16
    price: { input_per_1m: 0.1, output_per_1m: 0.4 }
defaults:`,
    ),
  gateway: { files: { "routing.yaml": ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) } },
});

describe("a fallback the PII policy blocks the request for, after the local model was busy", () => {
  it("leaves its provider's smaller model in the chain, whose trimmed prompt carries no secret", async () => {
    const messages = [
      { role: "user", content: `${SECRET} ${FILLER}` },
      { role: "assistant", content: "Noted." },
      { role: "user", content: "Once upon a time" },
    ];
    const res = await whileLocalBusy(cloud.gw.url, KEYS.holder, () => chatAs(cloud.gw.url, KEYS.asker, { messages }));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("fake-mini");
    // The blocked model was not called: named in no fallback path.
    expect(readFallbackHeader(res.headers.get("x-switchyard-fallback")!)).toEqual(["stories", "fake-mini"]);
    expect(res.headers.get("x-switchyard-pii")).toContain("SECRET=block:2");
    const sent = cloud.upstream.requests.filter((r) => r.path.startsWith("/v1/chat"));
    expect(sent.map((r) => (r.body as { model: string }).model)).toEqual(["upstream-mini"]);
    expect(JSON.stringify(sent[0]!.body)).not.toContain("AKIA");
  });
});
