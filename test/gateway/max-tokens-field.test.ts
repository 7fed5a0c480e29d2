/**
 * A routing rule's `max_tokens` cap holds whichever field a server reads the limit from: every field
 * the client sent is capped, and a provider with `max_tokens_field` gets the limit in force under that
 * one name (OpenAI's reasoning models refuse `max_tokens`; servers that know only `max_tokens` ignore
 * `max_completion_tokens`).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { SHIPPED_POLICIES, startTestGateway, testModelsYaml, upstreamGateway } from "../support/gateway.js";

const CAPPED = `
version: 1
degrade: { local_overload: none, cloud_failure: none }
rules:
  - name: capped
    when: { not: { model: auto } }
    then: { route: requested, pin: true, max_tokens: 50 }
default: { route: local }
`;
const gateway = { files: { "routing.yaml": CAPPED }, waitForModels: false };
const asSent = upstreamGateway(() => startFakeOpenAI(), { modelsYaml: (f) => testModelsYaml({ cloudBaseURL: f.baseURL }), gateway });
const oneField = upstreamGateway(() => startFakeOpenAI(), {
  modelsYaml: (f) => testModelsYaml({ cloudBaseURL: f.baseURL }).replace("    api_key_env: FAKE_CLOUD_KEY\n", "    api_key_env: FAKE_CLOUD_KEY\n    max_tokens_field: max_completion_tokens\n"),
  gateway,
});
const ask = { model: "gpt-4o", messages: [{ role: "user" as const, content: "Hi" }] };

/** The limit fields of the one request the upstream received. */
function limits(upstream: typeof asSent.upstream) {
  expect(upstream.requests).toHaveLength(1);
  const body = upstream.requests[0]!.body as Record<string, unknown>;
  return { max_tokens: body.max_tokens, max_completion_tokens: body.max_completion_tokens };
}

describe("a routing rule's max_tokens cap, limits as the client spelled them", () => {
  it("caps both fields when the client sent both", async () => {
    asSent.upstream.reset();
    await asSent.gw.client().chat.completions.create({ ...ask, max_tokens: 2000, max_completion_tokens: 1000 });
    expect(limits(asSent.upstream)).toEqual({ max_tokens: 50, max_completion_tokens: 50 });
  });

  it("caps the larger field and keeps a lower one the client sent", async () => {
    asSent.upstream.reset();
    await asSent.gw.client().chat.completions.create({ ...ask, max_tokens: 2000, max_completion_tokens: 30 });
    expect(limits(asSent.upstream)).toEqual({ max_tokens: 50, max_completion_tokens: 30 });
  });

  it("sends the cap as max_tokens when the client set no limit", async () => {
    asSent.upstream.reset();
    await asSent.gw.client().chat.completions.create(ask);
    expect(limits(asSent.upstream)).toEqual({ max_tokens: 50, max_completion_tokens: undefined });
  });
});

describe("a provider with max_tokens_field: max_completion_tokens", () => {
  it("gets the cap under that field alone when the client set no limit", async () => {
    oneField.upstream.reset();
    await oneField.gw.client().chat.completions.create(ask);
    expect(limits(oneField.upstream)).toEqual({ max_tokens: undefined, max_completion_tokens: 50 });
  });

  it("gets the client's max_tokens under that field, streamed or not", async () => {
    oneField.upstream.reset();
    await oneField.gw.client().chat.completions.create({ ...ask, max_tokens: 20 });
    expect(limits(oneField.upstream)).toEqual({ max_tokens: undefined, max_completion_tokens: 20 });
    oneField.upstream.reset();
    const stream = await oneField.gw.client().chat.completions.create({ ...ask, max_tokens: 2000, stream: true });
    for await (const _ of stream);
    expect(limits(oneField.upstream)).toEqual({ max_tokens: undefined, max_completion_tokens: 50 });
  });
});

describe("the shipped openai provider pointed elsewhere by OPENAI_BASE_URL", () => {
  it("gets the client's limit as the client spelled it (a server reading only max_tokens keeps it)", async () => {
    const upstream = await startFakeOpenAI();
    const modelsYaml = await readFile(join(SHIPPED_POLICIES, "models.yaml"), "utf8");
    const gw = await startTestGateway({ modelsYaml, env: { OPENAI_BASE_URL: upstream.baseURL, OPENAI_API_KEY: "sk-upstream" }, waitForModels: false });
    try {
      await gw.client().chat.completions.create({ model: "gpt-4o-mini", max_tokens: 7, messages: [{ role: "user", content: "Hi" }] });
      expect(limits(upstream)).toEqual({ max_tokens: 7, max_completion_tokens: undefined });
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
