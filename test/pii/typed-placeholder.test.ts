/**
 * A client's text shaped like one of the conversation's placeholders goes to the cloud under a
 * placeholder of its own, so the model's echo of it restores to what the client typed, never to the
 * value the vault holds under that name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, restore, vaultFromJSON, vaultToJSON, type Sanitizer } from "../../src/pii/index.js";
import { placeholdersTypedIn } from "../../src/pii/typed-placeholder.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { defaultPolicy, patientPolicy } from "./support.js";

let sanitizer: Sanitizer;
beforeAll(() => {
  const policy = patientPolicy();
  sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
});

function toCloud(vault: PseudonymVault, ...contents: string[]): string[] {
  const request: ChatCompletionRequest = { model: "gpt-4o-mini", messages: contents.map((content) => ({ role: "user" as const, content })) };
  const outcome = sanitizer.sanitizeForCloud(request, { vault, tenant: "acme" });
  if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
  return outcome.request.messages.map((m) => m.content as string);
}

describe("text typed like a placeholder", () => {
  it("is sent under its own placeholder when the vault holds that one, and the echo restores to it", () => {
    const vault = new PseudonymVault();
    const [first] = toCloud(vault, "Mail john.smith@example.com");
    const [typed] = toCloud(vault, "What does <EMAIL_ADDRESS_1> mean?");
    expect(first).toBe("Mail <EMAIL_ADDRESS_1>");
    expect(typed).toBe("What does <EMAIL_ADDRESS_2> mean?");
    expect(restore(typed!, vault)).toBe("What does <EMAIL_ADDRESS_1> mean?");
    // The real address still restores as itself.
    expect(restore(first!, vault)).toBe("Mail john.smith@example.com");
  });

  it("never hides the finding it sits in: a private key with a vault placeholder inside is still blocked", () => {
    const vault = new PseudonymVault();
    toCloud(vault, "Mail john.smith@example.com");
    const key = "-----BEGIN RSA PRIVATE KEY-----\n<EMAIL_ADDRESS_1>\nMIIEowIBAAKCAQEAx8gQ1XtW9kz7Lz0sN2d8fX4mJ8Yp\n-----END RSA PRIVATE KEY-----";
    const request: ChatCompletionRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: key }] };
    const outcome = sanitizer.sanitizeForCloud(request, { vault, tenant: "acme" });
    expect(outcome.kind).toBe("blocked");
    expect(outcome.kind === "blocked" && outcome.types).toEqual(["SECRET"]);
  });

  it("inside a finding the policy lets through (allow), still goes out under its own placeholder", () => {
    const base = defaultPolicy();
    const policy = { ...base, scan: { ...base.scan, budget_ms: 10_000 }, entities: { ...base.entities, SECRET: { ...base.entities.SECRET!, cloud: "allow" as const } } };
    const allowing = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
    const vault = new PseudonymVault();
    const send = (content: string) => {
      const outcome = allowing.sanitizeForCloud({ model: "gpt-4o-mini", messages: [{ role: "user", content }] }, { vault, tenant: "acme" });
      if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
      return outcome.request.messages[0]!.content as string;
    };
    send("Mail john.smith@example.com");
    const key = "-----BEGIN RSA PRIVATE KEY-----\n<EMAIL_ADDRESS_1>\nMIIEowIBAAKCAQEAx8gQ1XtW9kz7Lz0sN2d8fX4mJ8Yp\n-----END RSA PRIVATE KEY-----";
    const sent = send(key);
    expect(sent).toBe(key.replace("<EMAIL_ADDRESS_1>", "<EMAIL_ADDRESS_2>"));
    expect(restore(sent, vault)).toBe(key);
  });

  it("is never the placeholder a value of the same request gets, wherever the value stands", () => {
    const vault = new PseudonymVault();
    const sent = toCloud(vault, "Mail john.smith@example.com", "What does <EMAIL_ADDRESS_1> mean?");
    expect(sent).toEqual(["Mail <EMAIL_ADDRESS_2>", "What does <EMAIL_ADDRESS_1> mean?"]);
    expect(sent.map((text) => restore(text, vault))).toEqual(["Mail john.smith@example.com", "What does <EMAIL_ADDRESS_1> mean?"]);
  });

  it("is looked for in time linear in runs of capitals and underscores, with and without brackets", () => {
    for (const text of ["A_".repeat(500_000), "<A_".repeat(300_000), "\\u003cB_".repeat(100_000)]) {
      expect(leastCpuMs(() => placeholdersTypedIn({ messages: [{ role: "user", content: text }] }, () => {}))).toBeLessThan(1_000);
    }
  });

  it("is left alone when the vault does not hold it", () => {
    expect(toCloud(new PseudonymVault(), "Templates use <PERSON_1> for a name.")).toEqual(["Templates use <PERSON_1> for a name."]);
  });

  it("never shares a placeholder with a real value its digits spell, also after the vault is stored", () => {
    const vault = new PseudonymVault();
    vault.placeholderFor("CREDIT_CARD", "4111 1111 1111 1111");
    const typed = vault.placeholderFor("CREDIT_CARD", "<CREDIT_CARD_4111111111111111>");
    expect(typed).toBe("<CREDIT_CARD_2>");
    const reloaded = vaultFromJSON(vaultToJSON(vault));
    expect(reloaded.placeholderFor("CREDIT_CARD", "4111-1111-1111-1111")).toBe("<CREDIT_CARD_1>");
    expect(reloaded.placeholderFor("CREDIT_CARD", "<CREDIT_CARD_4111111111111111>")).toBe("<CREDIT_CARD_2>");
  });
});
