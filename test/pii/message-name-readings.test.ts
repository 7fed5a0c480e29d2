/**
 * A message `name` is read twice: with its separators as spaces (people: "John_Smith") and as written
 * (tokens, whose underscores and hyphens belong to them). What either reading finds counts: a secret
 * next to a person's name is still a secret, and `block` still refuses the request.
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

const send = (name: string, p: PiiPolicy = policy) =>
  createSanitizer({ policy: p, engine: p === policy ? engine : createPiiEngine(p), env: {} }).sanitizeForCloud(
    { model: "gpt-4o-mini", messages: [{ role: "user", name, content: "hi" }] } as ChatCompletionRequest,
    { vault: new PseudonymVault(), tenant: "acme" },
  );

describe("a message name holding a secret and a person", () => {
  it.each(["sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12_John_Smith", "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12-Paris"])("%s is blocked for the secret", (name) => {
    const outcome = send(name);
    expect(outcome.kind).toBe("blocked");
    expect(outcome.kind === "blocked" && outcome.types).toEqual(["SECRET"]);
  });

  it("goes out with neither the secret nor the person when secrets are redacted", () => {
    const redacting = { ...policy, entities: { ...policy.entities, SECRET: { ...policy.entities.SECRET, cloud: "redact" as const } } };
    const outcome = send("sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12_John_Smith", redacting);
    if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
    const name = outcome.request.messages[0]!.name!;
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name).not.toMatch(/Ab12Cd34|John|Smith/);
  });

  it("a person alone still goes out as an identifier-safe alias", () => {
    const outcome = send("ask_John_Smith");
    expect(outcome.kind === "cloud" && outcome.request.messages[0]!.name).toBe("ask_PERSON_1");
    expect(outcome.kind === "cloud" && outcome.summary).toEqual([{ type: "PERSON", action: "pseudonymize", count: 1 }]);
  });
});

describe("a message name holding a number with hyphens after a person", () => {
  it("goes out without the SSN", () => {
    const outcome = send("John_Smith_536-22-4187");
    expect(outcome.kind === "cloud" && outcome.request.messages[0]!.name).not.toMatch(/536|4187|John|Smith/);
  });
});
