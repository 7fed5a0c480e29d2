/**
 * A json_schema too large for the local model's grammar (a huge `enum`, too many nodes, too many
 * bytes) is refused before any grammar is built: compiling and sampling such a grammar runs on the
 * gateway's event loop and stalled every tenant for seconds to minutes. The refusal is the usual 400
 * `invalid_json_schema` naming the limit and where it is, and routing sends such a schema, unchanged,
 * to a cloud model instead.
 */
import type { ResponseFormatJSONSchema } from "openai/resources/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let fake: FakeOpenAI;
let gw: TestGateway;
let routed: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }) });
  const routing = "version: 1\nrules: []\ndefault: { route: local, fallbacks: [cloud] }\n";
  routed = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), files: { "routing.yaml": routing } });
});
afterAll(async () => {
  await routed?.close();
  await gw?.close();
  await fake?.close();
});

const ask = { messages: [{ role: "user" as const, content: "Pick one" }], max_tokens: 40 };

function withSchema(schema: Record<string, unknown>): { response_format: ResponseFormatJSONSchema } {
  return { response_format: { type: "json_schema", json_schema: { name: "answer", schema, strict: true } } };
}

const words = (n: number, prefix = "w") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function refusal(schema: Record<string, unknown>) {
  const error = await gw
    .client()
    .chat.completions.create({ ...ask, model: "stories", ...withSchema(schema) })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ status: 400, type: "invalid_request_error", code: "invalid_json_schema", param: "response_format" });
  return (error as Error).message;
}

describe("json_schema too large for the local grammar", () => {
  it("refuses an enum of more than 1,000 values, naming the limit and where it is", async () => {
    const schema = { type: "object", properties: { pick: { type: "string", enum: words(5_000) } }, required: ["pick"], additionalProperties: false };
    expect(await refusal(schema)).toContain("`enum` has 5000 values, more than the 1000 the local model takes (at #/properties/pick/enum)");
  });

  it("refuses a oneOf of thousands of constants, which is an enum written another way", async () => {
    const message = await refusal({ oneOf: words(2_500).map((w) => ({ const: w })) });
    expect(message).toContain("the schema has more than 1500 `enum`/`const` values, the most the local model takes (at #/oneOf/1500)");
  });

  it("refuses a schema whose enums together pass the limit on values, though each is small", async () => {
    const properties = Object.fromEntries(words(200, "p").map((p) => [p, { enum: words(10, `${p}-`) }]));
    const message = await refusal({ type: "object", properties, required: [], additionalProperties: false });
    expect(message).toContain("the schema has more than 1500 `enum`/`const` values, the most the local model takes (at #/properties/p150)");
  });

  it("refuses a schema of more than 500 nodes, such as an object of 600 properties", async () => {
    const properties = Object.fromEntries(words(600, "p").map((p) => [p, { type: "boolean" }]));
    const message = await refusal({ type: "object", properties, required: [], additionalProperties: false });
    expect(message).toContain("the schema has more than 500 nodes besides `enum`/`const` ones, the most the local model takes (at #/properties/p499)");
  });

  it("refuses a schema of more than 64 KiB of JSON, whatever it holds", async () => {
    const schema = { type: "object", description: "x".repeat(70_000), properties: { a: { type: "boolean" } }, required: ["a"], additionalProperties: false };
    expect(await refusal(schema)).toContain("the schema is longer than 65536 characters of JSON, the most the local model takes (at #)");
  });

  it("refuses a small schema whose nested alternatives reach one definition twice at every level", async () => {
    // 2 KB of schema; node-llama-cpp's compiler doubles its work per level (24 levels took 1 s, 30 a minute).
    const $defs: Record<string, unknown> = { d30: { type: "string" } };
    for (let i = 0; i < 30; i++) $defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { type: "boolean" }] }] };
    expect(await refusal({ $ref: "#/$defs/d0", $defs })).toContain("its references reach the same definitions through too many paths (more than 20000 nodes with every `$ref` written out)");
  });

  it("answers a schema whose anyOf repeats an alternative at every level on the local model, the repeats merged", async () => {
    // `anyOf: [$ref X, $ref X, null]` 30 definitions deep: compiling it as sent took 38 s.
    const $defs: Record<string, unknown> = { d30: { type: "string", enum: ["leaf"] } };
    for (let i = 0; i < 30; i++) $defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }, { type: "null" }] };
    const result = await gw.client().chat.completions.create({ ...ask, model: "stories", seed: 1, max_tokens: 20, ...withSchema({ $ref: "#/$defs/d0", $defs }) });
    expect([null, "leaf"]).toContain(JSON.parse(result.choices[0]?.message.content ?? ""));
  });

  it("answers an enum of exactly 1,000 values on the local model with one of them", async () => {
    const values = words(1_000);
    const result = await gw.client().chat.completions.create({ ...ask, model: "stories", seed: 1, ...withSchema({ type: "string", enum: values }) });
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(values).toContain(JSON.parse(result.choices[0]?.message.content ?? ""));
  });

  it("answers a schema at every limit (nodes, values, size) on the local model", async () => {
    // Exactly at every limit: 500 other nodes (the object, `size`, its 498 alternatives) and 1,500 values (3 enums of 500).
    const groups = ["a", "b", "c"].map((g) => words(500, g));
    const properties = Object.fromEntries(groups.map((g, i) => [`pick${i}`, { enum: g }]));
    const schema = {
      type: "object",
      properties: { ...properties, size: { anyOf: Array.from({ length: 498 }, (_, i) => ({ type: "string", minLength: i % 4, maxLength: 4 + (i >> 2) % 4 })) } },
      required: [...Object.keys(properties), "size"],
      additionalProperties: false,
    };
    // And, with a description, exactly 64 KiB of JSON.
    const described = { description: "", ...schema };
    described.description = "x".repeat(64 * 1024 - JSON.stringify(described).length);
    expect(JSON.stringify(described)).toHaveLength(64 * 1024);
    const result = await gw.client().chat.completions.create({ ...ask, model: "stories", seed: 1, max_tokens: 300, ...withSchema(described) });
    expect(result.choices[0]?.finish_reason).toBe("stop");
    const answer = JSON.parse(result.choices[0]?.message.content ?? "") as Record<string, string>;
    groups.forEach((g, i) => expect(g).toContain(answer[`pick${i}`]));
  });

  it("with auto routing, sends a large enum to the cloud fallback unchanged", async () => {
    fake.reset();
    const schema = { type: "object", properties: { pick: { type: "string", enum: words(5_000) } }, required: ["pick"], additionalProperties: false };
    const { response } = await routed
      .client()
      .chat.completions.create({ ...ask, model: "auto", ...withSchema(schema) })
      .withResponse();
    expect(response.headers.get("x-switchyard-route")).toBe("cloud");
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body).toMatchObject({ response_format: { type: "json_schema", json_schema: { schema } } });
  });
});
