/**
 * A combining mark after a value composes with its last character when the text is read as a model
 * reads it ("m" + U+0301 is "ḿ"): the value must still be replaced whole, not up to that character.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, restore, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy);
});

function send(content: string) {
  const vault = new PseudonymVault();
  const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(
    { model: "gpt-4o-mini", messages: [{ role: "user", content }] } as ChatCompletionRequest,
    { vault, tenant: "acme" },
  );
  if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
  return { sent: outcome.request.messages[0]!.content as string, vault };
}

describe("a combining mark right after a value", () => {
  it("leaves no character of an email behind", () => {
    const { sent, vault } = send("mail ann.smith@example.com\u0301 é");
    expect(sent).toMatch(/^mail <EMAIL_ADDRESS_1>\u0301? é$/);
    expect(restore("<EMAIL_ADDRESS_1>", vault)).toMatch(/^ann\.smith@example\.com/);
  });

  it("or on the first character of a value", () => {
    const { sent } = send("mail a\u0301nn.smith@example.com now");
    expect(sent).toBe("mail <EMAIL_ADDRESS_1> now");
  });

  it("still reads a decomposed accent in a name as the letter", () => {
    const { sent } = send("Dear José Smith, hello");
    expect(sent).not.toContain("Smith");
  });
});
