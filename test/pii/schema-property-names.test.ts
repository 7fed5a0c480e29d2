/**
 * JSON-schema property names under rewriting: two names must not become one (the first property
 * silently dropped), and a name of the identifier shape that is a card number, an SSN or a token is
 * data, not the tool's interface.
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

const schema = (props: string[]) => ({
  type: "object",
  additionalProperties: false,
  required: props,
  properties: Object.fromEntries(props.map((p, i) => [p, { type: "string", description: `field ${i}` }])),
});
const request = (props: string[]) =>
  ({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "f", strict: true, parameters: schema(props) } }] }) as ChatCompletionRequest;
const requiredOf = (outcome: { kind: string; request?: ChatCompletionRequest }) =>
  outcome.kind === "cloud" && (outcome.request!.tools![0] as unknown as { function: { parameters: { required: string[] } } }).function.parameters.required;
const send = (props: string[], p: PiiPolicy = policy) =>
  createSanitizer({ policy: p, engine, env: {} }).sanitizeForCloud(request(props), { vault: new PseudonymVault(), tenant: "acme" });

describe("property names that become one name when rewritten", () => {
  it("are refused with a 400 under redact, not merged", () => {
    const redacting = { ...policy, entities: { ...policy.entities, EMAIL_ADDRESS: { ...policy.entities.EMAIL_ADDRESS, cloud: "redact" as const } } };
    const outcome = send(["ann@example.com", "bob@example.com"], redacting);
    expect(outcome.kind).toBe("blocked");
    expect(outcome.kind === "blocked" && outcome.error.status).toBe(400);
    expect(outcome.kind === "blocked" && outcome.error.message).toMatch(/same name/);
  });

  it("are refused in any caller object too", () => {
    const redacting = { ...policy, entities: { ...policy.entities, EMAIL_ADDRESS: { ...policy.entities.EMAIL_ADDRESS, cloud: "redact" as const } } };
    const outcome = createSanitizer({ policy: redacting, engine, env: {} }).sanitizeForCloud(
      { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], metadata: { "ann@example.com": "a", "bob@example.com": "b" } } as unknown as ChatCompletionRequest,
      { vault: new PseudonymVault(), tenant: "acme" },
    );
    expect(outcome.kind).toBe("blocked");
  });

  it("stay apart under pseudonymize", () => {
    const outcome = send(["ann@example.com", "bob@example.com"]);
    expect(requiredOf(outcome)).toEqual([
      "<EMAIL_ADDRESS_1>",
      "<EMAIL_ADDRESS_2>",
    ]);
  });
});

describe("property names of the identifier shape", () => {
  it("holding a card number, an SSN or a token do not go out in clear, and a token is blocked", () => {
    const outcome = send(["4111111111111111", "536-22-4187", "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12"]);
    expect(outcome.kind).toBe("blocked");
    expect(outcome.kind === "blocked" && outcome.types).toEqual(["SECRET"]);
    const cards = send(["4111111111111111", "536-22-4187", "city"]);
    if (cards.kind !== "cloud") throw new Error(cards.kind);
    expect(JSON.stringify(cards.request.tools)).not.toMatch(/4111|536-22|4187/);
  });

  it("that are words stay the tool's interface, people's and places' names included", () => {
    const outcome = send(["London", "first_name", "Jordan", "city"]);
    expect(requiredOf(outcome)).toEqual([
      "London",
      "first_name",
      "Jordan",
      "city",
    ]);
  });
});
