/**
 * json_schema on the local route, as the official client sees it: an answer always satisfies the
 * schema the client sent (so `chat.completions.parse()` succeeds), and a schema the local model's
 * grammar cannot enforce is a 400 `invalid_json_schema` naming the keyword and where it is — never
 * a 200 that breaks the schema.
 */
import { zodResponseFormat } from "openai/helpers/zod";
import type { ResponseFormatJSONSchema } from "openai/resources/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { fakeCloudGateway, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway({ models: { parallel: 2, queue: 16, maxRetries: 2 } });

const ask = { model: "stories", messages: [{ role: "user" as const, content: "A person as JSON" }], max_tokens: 200 };

function withSchema(schema: Record<string, unknown>): { response_format: ResponseFormatJSONSchema } {
  return { response_format: { type: "json_schema", json_schema: { name: "answer", schema, strict: true } } };
}

async function refusal(schema: Record<string, unknown>) {
  const error = await cloud.gw
    .client()
    .chat.completions.create({ ...ask, ...withSchema(schema) })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ status: 400, type: "invalid_request_error", code: "invalid_json_schema", param: "response_format" });
  return (error as Error).message;
}

describe("json_schema on the local route", () => {
  it("answers a zod union (anyOf) with one of its members, which parse() accepts", async () => {
    const Person = z.object({
      name: z.string().max(30),
      pet: z.union([z.object({ kind: z.literal("dog"), barks: z.boolean() }), z.object({ kind: z.literal("cat"), lives: z.number() })]),
    });
    for (const seed of [1, 2, 3]) {
      const result = await cloud.gw.client().chat.completions.parse({ ...ask, seed, response_format: zodResponseFormat(Person, "person") });
      expect(result.choices[0]?.finish_reason).toBe("stop");
      expect(Person.parse(result.choices[0]?.message.parsed)).toBeTruthy();
    }
  });

  it("answers zod integers, taking the ±MAX_SAFE_INTEGER bounds zod writes for them as no bound", async () => {
    const Age = z.object({ age: z.number().int(), count: z.int().nullable() });
    const format = zodResponseFormat(Age, "age");
    expect(JSON.stringify(format.json_schema.schema)).toContain(`"maximum":${Number.MAX_SAFE_INTEGER}`);
    const result = await cloud.gw.client().chat.completions.parse({ ...ask, seed: 1, response_format: format });
    expect(Age.parse(result.choices[0]?.message.parsed)).toBeTruthy();
  });

  it("follows the zod helper's #/definitions references and nullable fields", async () => {
    interface Node {
      label: string;
      children: Node[];
    }
    const Node: z.ZodType<Node> = z.lazy(() => z.object({ label: z.string().max(12), children: z.array(Node).max(2) }));
    const Doc = z.object({ root: Node, other: Node, note: z.string().max(12).nullable() });
    const format = zodResponseFormat(Doc, "doc");
    expect(JSON.stringify(format.json_schema.schema)).toContain("#/definitions/");
    const result = await cloud.gw.client().chat.completions.parse({ ...ask, max_tokens: 400, seed: 1, response_format: format });
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(Doc.parse(result.choices[0]?.message.parsed)).toBeTruthy();
  });

  it("keeps each type's keywords when `type` lists several", async () => {
    const Answer = z.object({ code: z.string().max(3).nullable(), tags: z.array(z.string().max(4)).max(2).nullable() });
    const schema = {
      type: "object",
      properties: { code: { type: ["string", "null"], maxLength: 3 }, tags: { type: ["array", "null"], items: { type: "string", maxLength: 4 }, maxItems: 2 } },
      required: ["code", "tags"],
      additionalProperties: false,
    };
    for (const seed of [1, 2, 3]) {
      const result = await cloud.gw.client().chat.completions.create({ ...ask, seed, ...withSchema(schema) });
      expect(result.choices[0]?.finish_reason).toBe("stop");
      expect(Answer.safeParse(JSON.parse(result.choices[0]?.message.content ?? "")).success).toBe(true);
    }
  });

  it("refuses `pattern` with a 400 naming the keyword and its path", async () => {
    const message = await refusal({ type: "object", properties: { code: { type: "string", pattern: "^[A-Z]{3}$" } }, required: ["code"], additionalProperties: false });
    expect(message).toContain("`pattern`");
    expect(message).toContain("#/properties/code/pattern");
  });

  it("answers zod dates and date-times, whose format comes with zod's own pattern, as parse() accepts them", async () => {
    const Event = z.object({ on: z.string().date(), at: z.string().datetime(), until: z.iso.datetime({ offset: true }).nullable() });
    const format = zodResponseFormat(Event, "event");
    expect(JSON.stringify(format.json_schema.schema)).toContain('"pattern"');
    for (const seed of [1, 2, 3]) {
      const result = await cloud.gw.client().chat.completions.parse({ ...ask, seed, response_format: format });
      expect(result.choices[0]?.finish_reason).toBe("stop");
      expect(Event.parse(result.choices[0]?.message.parsed)).toBeTruthy();
    }
  });

  it("refuses a `pattern` beside a format when it is not the one zod writes for that format", async () => {
    const message = await refusal({ type: "object", properties: { on: { type: "string", format: "date", pattern: "^2024-" } }, required: ["on"], additionalProperties: false });
    expect(message).toContain("`pattern`");
    expect(message).toContain("#/properties/on/pattern");
  });

  it("refuses number bounds it cannot enforce (`minimum`)", async () => {
    const message = await refusal({ type: "object", properties: { age: { type: "integer", minimum: 18 } }, required: ["age"], additionalProperties: false });
    expect(message).toContain("`minimum`");
    expect(message).toContain("#/properties/age/minimum");
  });

  it("refuses an unknown type instead of answering null", async () => {
    const message = await refusal({ type: "foo" });
    expect(message).toContain('unknown type "foo"');
  });

  it("refuses a $ref it cannot resolve instead of allowing any JSON", async () => {
    expect(await refusal({ type: "object", properties: { a: { $ref: "https://example.com/a.json" } }, required: ["a"] })).toContain("#/properties/a/$ref");
    expect(await refusal({ type: "object", properties: { a: { $ref: "#/$defs/missing" } }, required: ["a"] })).toContain('"#/$defs/missing" points to nothing');
  });

  it("refuses a oneOf whose alternatives may match the same value, which the grammar cannot keep exclusive", async () => {
    const message = await refusal({ type: "object", properties: { n: { oneOf: [{ type: "number" }, { type: "integer" }] } }, required: ["n"] });
    expect(message).toContain("`oneOf` alternatives 0 and 1 may both match one value");
    expect(message).toContain("(at #/properties/n/oneOf)");
  });

  it("answers a oneOf whose alternatives a discriminator keeps apart", async () => {
    const Pet = z.union([z.object({ kind: z.literal("dog"), barks: z.boolean() }), z.object({ kind: z.literal("cat"), lives: z.number() })]);
    const schema = {
      type: "object",
      properties: { pet: { oneOf: [{ $ref: "#/$defs/Dog" }, { $ref: "#/$defs/Cat" }] } },
      required: ["pet"],
      $defs: {
        Dog: { type: "object", properties: { kind: { const: "dog" }, barks: { type: "boolean" } }, required: ["kind", "barks"] },
        Cat: { type: "object", properties: { kind: { const: "cat" }, lives: { type: "number" } }, required: ["kind", "lives"] },
      },
    };
    const result = await cloud.gw.client().chat.completions.create({ ...ask, seed: 1, ...withSchema(schema) });
    expect(result.choices[0]?.finish_reason).toBe("stop");
    expect(z.object({ pet: Pet }).safeParse(JSON.parse(result.choices[0]?.message.content ?? "")).success).toBe(true);
  });

  it("answers a oneOf of many distinct constants with one of them", async () => {
    const words = Array.from({ length: 500 }, (_, i) => `w${i}`);
    const schema = { type: "object", properties: { word: { oneOf: words.map((w) => ({ const: w })) } }, required: ["word"] };
    const result = await cloud.gw.client().chat.completions.create({ ...ask, seed: 1, ...withSchema(schema) });
    expect(words).toContain((JSON.parse(result.choices[0]?.message.content ?? "") as { word: string }).word);
  });

  it("refuses keywords it does not know, such as `not`", async () => {
    expect(await refusal({ type: "object", properties: { a: { not: { type: "string" } } }, required: ["a"] })).toContain("`not` is not supported (at #/properties/a/not)");
  });
});

describe("json_schema with auto routing that prefers the local model", () => {
  let routed: TestGateway;
  beforeAll(async () => {
    const routing = "version: 1\nrules: []\ndefault: { route: local, fallbacks: [cloud] }\n";
    routed = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: cloud.fake.baseURL }), files: { "routing.yaml": routing } });
  });
  afterAll(async () => {
    await routed?.close();
  });

  it("sends a schema the local grammar cannot enforce to the cloud fallback, unchanged", async () => {
    cloud.fake.reset();
    const schema = { type: "object", properties: { code: { type: "string", pattern: "^[A-Z]{3}$" } }, required: ["code"], additionalProperties: false };
    const { response } = await routed
      .client()
      .chat.completions.create({ ...ask, model: "auto", ...withSchema(schema) })
      .withResponse();
    expect(response.headers.get("x-switchyard-route")).toBe("cloud");
    expect(cloud.fake.requests).toHaveLength(1);
    expect(cloud.fake.requests[0]?.body).toMatchObject({ response_format: { type: "json_schema", json_schema: { schema } } });
  });

  it("answers a schema the grammar enforces locally", async () => {
    cloud.fake.reset();
    const schema = { type: "object", properties: { code: { type: "string", maxLength: 3 } }, required: ["code"], additionalProperties: false };
    const { response } = await routed
      .client()
      .chat.completions.create({ ...ask, model: "auto", ...withSchema(schema) })
      .withResponse();
    expect(response.headers.get("x-switchyard-route")).toBe("local");
    expect(cloud.fake.requests).toHaveLength(0);
  });
});
