/**
 * Client data is not only in string values: metadata and tool-call arguments are maps whose keys are
 * client text too ({"ann.lee@example.com": "vip"}). Those keys travel to the cloud like the values.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { toolCallParts, type ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, restore, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy);
});

const EMAIL = "ann.lee@example.com";

describe("PII in object keys of client data", () => {
  it("is sanitized in metadata and tool-call arguments, and restores in the answer", () => {
    const request = {
      model: "gpt-4o-mini",
      metadata: { [EMAIL]: "vip" },
      messages: [
        { role: "user", content: "Who are my contacts?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "tag", arguments: JSON.stringify({ contacts: { [EMAIL]: "friend" } }) } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "done" },
      ],
    } as ChatCompletionRequest;
    const vault = new PseudonymVault();
    const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(request, { vault, tenant: "acme" });
    expect(outcome.kind).toBe("cloud");
    if (outcome.kind !== "cloud") return;
    const sent = JSON.stringify(outcome.request);
    expect(sent).not.toContain(EMAIL);
    const call = outcome.request.messages[1]!.role === "assistant" ? outcome.request.messages[1]!.tool_calls![0]! : undefined;
    expect(JSON.parse(restore(toolCallParts(call!).text, vault, { json: true }))).toEqual({ contacts: { [EMAIL]: "friend" } });
    // Structure stays: the request's own field names are not touched.
    expect(Object.keys(outcome.request)).toEqual(Object.keys(request));
  });

  it("leaves keys without PII, and requests without PII, as they were", () => {
    const request = { model: "gpt-4o-mini", metadata: { team: "blue" }, messages: [{ role: "user", content: "hello there" }] } as ChatCompletionRequest;
    const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "acme" });
    expect(outcome.kind === "cloud" && outcome.request).toBe(request);
  });
});
