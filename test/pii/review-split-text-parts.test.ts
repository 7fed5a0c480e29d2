/**
 * Providers join a message's consecutive text parts into one text, so a value split across two parts
 * reaches the model whole: the scan reads the parts joined too, and no fragment of the value goes out.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, restore, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { applyAcrossParts } from "../../src/pii/text-run.js";
import { defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy);
});

const text = (t: string) => ({ type: "text", text: t });

function toCloud(content: unknown[]) {
  const vault = new PseudonymVault();
  const request = { model: "gpt-4o-mini", messages: [{ role: "user", content }] } as ChatCompletionRequest;
  const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(request, { vault, tenant: "acme" });
  if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
  const parts = outcome.request.messages[0]!.content as { type: string; text?: string }[];
  return { parts, vault, summary: outcome.summary, request, sent: outcome.request };
}

describe("PII split across text parts", () => {
  it.each([
    ["a card", ["card 4111 1111 ", "1111 1111"], "CREDIT_CARD", /4111|1111/],
    ["an email", ["write to ann.smith", "@example.com"], "EMAIL_ADDRESS", /ann\.smith|example\.com/],
    ["an email over three parts", ["write to ann", ".smith@exam", "ple.com today"], "EMAIL_ADDRESS", /ann|smith|exam|ple\.com/],
  ])("%s goes out as one placeholder, no fragment left, and restores whole", (_label, texts, type, fragment) => {
    const { parts, vault, summary } = toCloud(texts.map(text));
    const joined = parts.map((p) => p.text).join("");
    expect(joined).not.toMatch(fragment);
    expect(joined).toContain(`<${type}_1>`);
    expect(summary).toEqual([{ type, action: "pseudonymize", count: 1 }]);
    expect(restore(joined, vault)).toBe(texts.join(""));
  });

  it("counts a value inside one part once, and leaves parts without PII as they were", () => {
    const content = [text("Hi, I am John Smith."), text(" Thanks!")];
    const { parts, summary } = toCloud(content);
    expect(parts.map((p) => p.text)).toEqual(["Hi, I am <PERSON_1>.", " Thanks!"]);
    expect(summary).toEqual([{ type: "PERSON", action: "pseudonymize", count: 1 }]);
    const clean = [text("hello "), text("there")];
    const { sent, request } = toCloud(clean);
    expect(sent.messages[0]!.content).toBe(request.messages[0]!.content);
  });

  it("reads parts an image separates on their own", () => {
    const { parts } = toCloud([text("write to ann.smith"), { type: "image_url", image_url: { url: "https://example.org/a.png" } }, text("@example.com")]);
    expect(parts[0]!.text).toBe("write to ann.smith");
    expect(parts[2]!.text).toBe("@example.com");
  });
});

describe("applyAcrossParts", () => {
  it("puts the replacement where the value starts and removes the rest of its span", () => {
    const parts = ["ab", "cd", "ef"];
    const entity = { type: "X", start: 1, end: 5, score: 1 };
    expect(applyAcrossParts(parts, [entity], () => "<X>")).toEqual(["a<X>", "", "f"]);
    expect(applyAcrossParts(parts, [entity], (_e, value) => value)).toBe(parts);
  });
});
