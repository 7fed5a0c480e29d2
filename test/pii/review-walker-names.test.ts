/**
 * Names the walker meets outside free text: JSON-schema property names (and the keywords that list
 * them), message `name`s in the identifier form OpenAI allows, and the names of fields the gateway
 * does not know. Each either goes out as the interface it is, consistently, or is rewritten.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy);
});

const EMAIL = "ann.smith@example.com";

function toCloud(request: Record<string, unknown>) {
  const vault = new PseudonymVault();
  const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud({ model: "gpt-4o-mini", ...request } as ChatCompletionRequest, {
    vault,
    tenant: "acme",
  });
  if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
  return { sent: outcome.request as unknown as Record<string, any>, vault, summary: outcome.summary };
}

/** Every name a schema's `required`-like keywords list is one of its properties. */
function listedNamesAreProperties(schema: Record<string, any>) {
  const names = Object.keys(schema.properties);
  expect(names.length).toBeGreaterThan(0);
  for (const name of schema.required ?? []) expect(names).toContain(name);
  for (const [name, needs] of Object.entries<string[]>(schema.dependentRequired ?? {})) {
    expect(names).toContain(name);
    for (const need of needs) expect(names).toContain(need);
  }
  for (const [name, needs] of Object.entries<unknown>(schema.dependencies ?? {})) {
    expect(names).toContain(name);
    if (Array.isArray(needs)) for (const need of needs) expect(names).toContain(need);
  }
}

describe("JSON-schema property names", () => {
  const cities = {
    type: "object",
    properties: { London: { type: "number" }, Paris: { type: "number" }, Berlin: { type: "number" } },
    required: ["London", "Paris", "Berlin"],
    dependentRequired: { London: ["Paris"] },
    dependencies: { Paris: ["Berlin"] },
    additionalProperties: false,
  };

  it("of the identifier shape are the tool's interface: `required` and friends name them unchanged", () => {
    const { sent } = toCloud({
      messages: [{ role: "user", content: "Temperatures per city, please." }],
      tools: [{ type: "function", function: { name: "record", strict: true, parameters: cities } }],
      response_format: { type: "json_schema", json_schema: { name: "forecast", strict: true, schema: cities } },
    });
    expect(sent.tools[0].function.parameters).toEqual(cities);
    expect(sent.response_format.json_schema.schema).toEqual(cities);
  });

  it("holding personal data are rewritten, identically wherever the schema names them", () => {
    const schema = {
      type: "object",
      properties: { [EMAIL]: { type: "boolean" }, "John Smith": { type: "string" }, note: { type: "string", default: "mail bob.jones@example.org" } },
      required: [EMAIL, "John Smith"],
      dependentRequired: { [EMAIL]: ["John Smith"] },
      dependencies: { "John Smith": [EMAIL] },
      additionalProperties: false,
    };
    const { sent } = toCloud({
      messages: [{ role: "user", content: "hi" }],
      response_format: { type: "json_schema", json_schema: { name: "o", strict: true, schema } },
    });
    const out = sent.response_format.json_schema.schema;
    const text = JSON.stringify(out);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain("John Smith");
    expect(text).not.toContain("bob.jones");
    listedNamesAreProperties(out);
    expect(out.required).toEqual(["<EMAIL_ADDRESS_1>", "<PERSON_1>"]);
  });

  it("are told apart from a property called `required` and from values that hold such a keyword", () => {
    const schema = {
      type: "object",
      properties: { required: { type: "boolean", default: { required: [EMAIL] } } },
      required: ["required"],
    };
    const { sent } = toCloud({ messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "f", parameters: schema } }] });
    const out = sent.tools[0].function.parameters;
    expect(out.required).toEqual(["required"]);
    expect(JSON.stringify(out)).not.toContain(EMAIL);
  });
});

describe("message names in the identifier form", () => {
  it.each(["John_Smith", "Alice-Sullivan", "JohnSmith", "Kwame_Ortega", "Anne-Marie_Dupont"])("%s goes out as an identifier-safe alias", (name) => {
    const { sent, summary } = toCloud({ messages: [{ role: "user", name, content: "hi" }] });
    expect(sent.messages[0].name).toMatch(/^PERSON_\d+$/);
    expect(summary).toEqual([{ type: "PERSON", action: "pseudonymize", count: 1 }]);
  });

  it("keeps the parts around a person identifier-safe, and names without a person as they were", () => {
    const { sent } = toCloud({
      messages: [
        { role: "user", name: "support_bot", content: "hi" },
        { role: "user", name: "ask_John_Smith", content: "hi" },
        { role: "user", name: "dataLoader", content: "hi" },
      ],
    });
    expect(sent.messages.map((m: { name: string }) => m.name)).toEqual(["support_bot", expect.stringMatching(/^ask_PERSON_1$/), "dataLoader"]);
  });

  it("is the same alias as the person in the content, and restores bare in the answer", () => {
    const { sent, vault } = toCloud({ messages: [{ role: "user", name: "John_Smith", content: "I am John Smith." }] });
    expect(sent.messages[0]).toMatchObject({ name: "PERSON_1", content: "I am <PERSON_1>." });
    expect([...vault.bareAliases()]).toEqual(["PERSON_1"]);
  });
});

describe("names of fields the gateway does not know", () => {
  it("are scanned at the top level and in messages, as inside nested unknown objects", () => {
    const { sent } = toCloud({
      messages: [{ role: "user", content: "hi", [EMAIL]: true }],
      [EMAIL]: true,
      extension: { [EMAIL]: true },
    });
    expect(JSON.stringify(sent)).not.toContain(EMAIL);
    expect(Object.keys(sent)).toEqual(["model", "messages", "<EMAIL_ADDRESS_1>", "extension"]);
    expect(Object.keys(sent.messages[0])).toEqual(["role", "content", "<EMAIL_ADDRESS_1>"]);
    expect(sent.extension).toEqual({ "<EMAIL_ADDRESS_1>": true });
  });

  it("are scanned in tools, content parts and tool calls too, and known field names never are", () => {
    const { sent } = toCloud({
      messages: [
        { role: "user", content: [{ type: "text", text: "hi", [EMAIL]: 1 }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" }, [EMAIL]: 1 }] },
        { role: "tool", tool_call_id: "c1", content: "ok" },
      ],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } }, [EMAIL]: 1 }],
    });
    expect(JSON.stringify(sent)).not.toContain(EMAIL);
    expect(Object.keys(sent.tools[0])).toEqual(["type", "function", "<EMAIL_ADDRESS_1>"]);
  });
});

describe("message names holding a token", () => {
  it("are still read as written, where the underscores make the token", () => {
    const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(
      { model: "gpt-4o-mini", messages: [{ role: "user", name: "ghp_abcdefghijklmnopqrstuvwxyz0123456789", content: "hi" }] } as ChatCompletionRequest,
      { vault: new PseudonymVault(), tenant: "acme" },
    );
    expect(outcome.kind === "blocked" && outcome.types).toEqual(["SECRET"]);
  });
});
