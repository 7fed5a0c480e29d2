/**
 * The request walker over every kind of tool the official client can send: custom tools and calls
 * (openai v5+), the deprecated `function` role and `function_call`. Tool names of the identifier shape
 * OpenAI allows are structure and stay; any other text, names that are not identifiers included, is
 * scanned.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ChatCompletionRequestSchema, type ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy);
});

const EMAIL = "ann.lee@example.com";

function cloudRequest(body: unknown): ChatCompletionRequest {
  const request = ChatCompletionRequestSchema.parse(body);
  const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "acme" });
  if (outcome.kind !== "cloud") throw new Error(`expected a cloud outcome, got ${outcome.kind}`);
  return outcome.request;
}

describe("sanitizing custom tools and function messages", () => {
  it("scans custom tool descriptions, grammar texts and call inputs, and keeps their names", () => {
    const sent = cloudRequest({
      model: "m",
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "custom", custom: { name: "write_note", input: `to ${EMAIL}` } }] },
        { role: "tool", tool_call_id: "c1", content: "ok" },
      ],
      tools: [{ type: "custom", custom: { name: "write_note", description: `owner ${EMAIL}`, format: { type: "grammar", grammar: { syntax: "regex", definition: EMAIL } } } }],
      tool_choice: { type: "custom", custom: { name: "write_note" } },
    });
    const text = JSON.stringify(sent);
    expect(text).not.toContain(EMAIL);
    expect(sent.tools).toEqual([
      {
        type: "custom",
        custom: {
          name: "write_note",
          description: expect.stringMatching(/^owner <EMAIL_ADDRESS_1>$/),
          format: { type: "grammar", grammar: { syntax: "regex", definition: "<EMAIL_ADDRESS_1>" } },
        },
      },
    ]);
    expect(sent.messages[1]).toMatchObject({ tool_calls: [{ id: "c1", type: "custom", custom: { name: "write_note", input: "to <EMAIL_ADDRESS_1>" } }] });
    expect(sent.tool_choice).toEqual({ type: "custom", custom: { name: "write_note" } });
  });

  it("scans a call's name in resent history when it is not an identifier", () => {
    const sent = cloudRequest({
      model: "m",
      messages: [
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "c1", type: "custom", custom: { name: EMAIL, input: "x" } },
            { id: "c2", type: "function", function: { name: EMAIL, arguments: "{}" } },
          ],
        },
      ],
    });
    expect(JSON.stringify(sent)).not.toContain(EMAIL);
  });

  it("scans function messages and the deprecated function_call's JSON arguments", () => {
    const sent = cloudRequest({
      model: "m",
      messages: [
        { role: "user", content: "who?" },
        // The e-mail is JSON-escaped: only a scan of the decoded arguments finds it.
        { role: "assistant", content: null, function_call: { name: "owner_of", arguments: `{"hint":"${EMAIL.replace("@", "\\u0040")}"}` } },
        { role: "function", name: "owner_of", content: `It is ${EMAIL}` },
      ],
    });
    expect(JSON.stringify(sent)).not.toContain(EMAIL);
    expect(JSON.stringify(sent)).not.toContain("\\\\u0040example.com");
    expect(sent.messages[1]).toMatchObject({ function_call: { name: "owner_of", arguments: '{"hint":"<EMAIL_ADDRESS_1>"}' } });
    expect(sent.messages[2]).toEqual({ role: "function", name: "owner_of", content: "It is <EMAIL_ADDRESS_1>" });
  });
});
