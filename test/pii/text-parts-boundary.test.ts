/**
 * Reading a message's text parts joined must not cost what each part says on its own: a value at the
 * end of one part is found even when the next part starts with letters or digits, and the joined
 * reading never stretches a value into the next part.
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

function sendParts(texts: string[]) {
  const vault = new PseudonymVault();
  const request = { model: "gpt-4o-mini", messages: [{ role: "user", content: texts.map((text) => ({ type: "text", text })) }] } as ChatCompletionRequest;
  const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(request, { vault, tenant: "acme" });
  if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
  const sent = (outcome.request.messages[0]!.content as { text: string }[]).map((p) => p.text);
  return { sent, vault };
}

describe("a value at the end of a text part, followed by another part", () => {
  it.each([
    ["a card before a word", ["my card 4111111111111111", "thanks"], /4111/],
    ["a card before digits", ["my card 4111111111111111", "2 items please"], /4111/],
    ["an SSN before a word", ["ssn 536-22-4187", "ok"], /536-22|4187/],
    ["a phone before another phone", ["Call me at +1 415 555 2671", "Or at +1 415 555 2672"], /415|2671|2672/],
  ])("%s is replaced", (_label, texts, leak) => {
    const { sent } = sendParts(texts);
    expect(sent.join("")).not.toMatch(leak);
    expect(sent[1]).toMatch(/^(thanks|2 items please|ok|Or at <PHONE_NUMBER_2>)$/);
  });

  it("an email keeps the next part's words, which are read on their own", () => {
    const { sent, vault } = sendParts(["write to ann.smith@example.com", "Thanks, Bob"]);
    expect(sent[0]).toBe("write to <EMAIL_ADDRESS_1>");
    expect(sent[1]).toMatch(/^Thanks, /);
    expect(sent[1]).not.toContain("Bob");
    expect(restore("I wrote to <EMAIL_ADDRESS_1>.", vault)).toBe("I wrote to ann.smith@example.com.");
  });

  it("a value genuinely split across parts is still found whole", () => {
    const { sent, vault } = sendParts(["card 4111 1111 ", "1111 1111"]);
    expect(sent.join("")).not.toMatch(/4111|1111/);
    expect(restore(sent.join(""), vault)).toBe("card 4111 1111 1111 1111");
  });
});
