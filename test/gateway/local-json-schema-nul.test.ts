/**
 * A json_schema whose `const`/`enum` strings or property names hold a NUL (U+0000) is valid JSON
 * Schema, but the local model's grammar cannot be built from it. It is refused before routing like
 * any schema beyond the local grammar: sent to a cloud model when the policy has one (else a 400
 * naming the NUL and where it is), not a 400 "Failed to parse grammar" once the local model was chosen.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grammarRefusal } from "../../src/providers/local/grammar-schema.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let fake: FakeOpenAI;
let routed: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const routing = "version: 1\nrules: []\ndefault: { route: local, fallbacks: [cloud] }\n";
  routed = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), files: { "routing.yaml": routing } });
});
afterAll(async () => {
  await routed?.close();
  await fake?.close();
});

const schemas = {
  const: { type: "string", const: "a\u0000b" },
  enum: { enum: ["plain", "with\u0000nul"] },
  "property name": { type: "object", properties: { "a\u0000b": { type: "boolean" } }, required: ["a\u0000b"], additionalProperties: false },
};

async function chat(model: string, schema: Record<string, unknown>) {
  const response = await fetch(`${routed.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content: "Pick one" }], response_format: { type: "json_schema", json_schema: { name: "answer", schema } } }),
  });
  return { status: response.status, route: response.headers.get("x-switchyard-route"), json: (await response.json()) as { error?: { message: string; code: string } } };
}

describe("a json_schema with a NUL in a literal", () => {
  it.each(Object.entries(schemas))("in a %s: routing sends it to the cloud model instead of failing", async (_kind, schema) => {
    fake.reset();
    const r = await chat("auto", schema);
    expect(r.status).toBe(200);
    expect(r.route).toBe("cloud");
    expect(fake.requests).toHaveLength(1);
  });

  it.each(Object.entries(schemas))("in a %s: the local grammar's refusal names the NUL and where it is", (_kind, schema) => {
    expect(grammarRefusal(schema)).toMatch(/^a NUL character \(U\+0000\) is not supported in .+ \(at #\/(const|enum|properties)\)$/);
  });

  it("other control characters still compile locally", () => {
    expect(grammarRefusal({ type: "object", properties: { "tab\there": { const: "line\nbreak\u0001" } }, required: ["tab\there"] })).toBeUndefined();
  });
});
