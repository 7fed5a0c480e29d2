import { beforeAll, describe, expect, it } from "vitest";
import { toolCallParts, type ChatCompletionRequest } from "../../src/api/chat-request.js";
import {
  createPiiEngine,
  createSanitizer,
  PseudonymVault,
  restore,
  vaultFromJSON,
  vaultToJSON,
  withHistory,
  type CloudSafeRequest,
  type PiiEngine,
  type PiiPolicy,
} from "../../src/pii/index.js";
import { defaultPolicy, policyWith } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy);
});

const ENV = { SWITCHYARD_PII_HASH_KEY: "test-key-0123456789" };
const user = (content: string): ChatCompletionRequest => ({ model: "gpt-4o-mini", messages: [{ role: "user", content }] });
const userText = (request: ChatCompletionRequest) => request.messages[0]!.content as string;

/** Rules differ between tests; what the engine detects does not, so the shared engine serves them all. */
function cloud(request: ChatCompletionRequest, p: PiiPolicy = policy, vault = new PseudonymVault(), tenant = "acme") {
  return createSanitizer({ policy: p, engine, env: ENV }).sanitizeForCloud(request, { vault, tenant });
}
function withCloudAction(action: PiiPolicy["defaults"]["cloud"]): PiiPolicy {
  return policyWith({ entities: { ...policy.entities, EMAIL_ADDRESS: { cloud: action } } });
}

describe("actions", () => {
  const request = user("Reply to ann.lee@example.com and Ann Lee, card 4111 1111 1111 1111.");

  it("pseudonymizes by default for the cloud, and the answer restores", () => {
    const vault = new PseudonymVault();
    const outcome = cloud(request, policy, vault);
    expect(outcome.kind).toBe("cloud");
    if (outcome.kind !== "cloud") return;
    expect(userText(outcome.request)).toBe("Reply to <EMAIL_ADDRESS_1> and <PERSON_1>, card <CREDIT_CARD_1>.");
    expect(restore(userText(outcome.request), vault)).toBe(userText(request));
    expect(outcome.summary).toEqual([
      { type: "CREDIT_CARD", action: "pseudonymize", count: 1 },
      { type: "EMAIL_ADDRESS", action: "pseudonymize", count: 1 },
      { type: "PERSON", action: "pseudonymize", count: 1 },
    ]);
  });

  it("allows, redacts, masks and hashes as the rule says", () => {
    const text = (p: PiiPolicy, tenant = "acme") => {
      const outcome = cloud(user("mail ann.lee@example.com"), p, new PseudonymVault(), tenant);
      return outcome.kind === "cloud" ? userText(outcome.request) : outcome.kind;
    };
    expect(text(withCloudAction("allow"))).toBe("mail ann.lee@example.com");
    expect(text(withCloudAction("redact"))).toBe("mail <EMAIL_ADDRESS>");
    expect(text(withCloudAction("mask"))).toBe("mail ***.***@******e.com");
    const hashed = text(withCloudAction("hash"));
    expect(hashed).toMatch(/^mail <EMAIL_ADDRESS:[0-9a-f]{16}>$/);
    expect(text(withCloudAction("hash"))).toBe(hashed);
    expect(text(withCloudAction("hash"), "globex")).not.toBe(hashed);
  });

  it("masks all but the last four digits of a card", () => {
    const p = policyWith({ entities: { ...policy.entities, CREDIT_CARD: { cloud: "mask" } } });
    const outcome = cloud(user("card 5500-0000-0000-0004 ok"), p);
    expect(outcome.kind === "cloud" && userText(outcome.request)).toBe("card ****-****-****-0004 ok");
  });

  it("gives one value written two ways one placeholder, restored as first written", () => {
    const vault = new PseudonymVault();
    const text = "Charge 4111 1111 1111 1111, not 4111-1111-1111-1111 or 4111111111111111; mail Ann.Lee@Example.com or ann.lee@example.com; IBAN DE89 3704 0044 0532 0130 00 = DE89370400440532013000.";
    const outcome = cloud(user(text), policy, vault);
    expect(outcome.kind).toBe("cloud");
    if (outcome.kind !== "cloud") return;
    const sent = userText(outcome.request);
    expect(sent).toBe(
      "Charge <CREDIT_CARD_1>, not <CREDIT_CARD_1> or <CREDIT_CARD_1>; mail <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_1>; IBAN <IBAN_CODE_1> = <IBAN_CODE_1>.",
    );
    expect(restore("Card <CREDIT_CARD_1>, <EMAIL_ADDRESS_1>, <IBAN_CODE_1>", vault)).toBe(
      "Card 4111 1111 1111 1111, Ann.Lee@Example.com, DE89 3704 0044 0532 0130 00",
    );
    // The conversation store's copy of the vault keeps it so in later turns.
    const later = cloud(user("and 4111111111111111 again"), policy, vaultFromJSON(vaultToJSON(vault)));
    expect(later.kind === "cloud" && userText(later.request)).toBe("and <CREDIT_CARD_1> again");
  });

  it("keeps values that only look alike apart: numbers of two countries, values of two types", () => {
    const vault = new PseudonymVault();
    const phones = cloud(user("Call Stockholm at +46 8 574 21 13 or the US office at (468) 574-2113."), policy, vault);
    expect(phones.kind === "cloud" && userText(phones.request)).toMatch(/at <PHONE_NUMBER_1> or the US office at <PHONE_NUMBER_2>\.$/);
    expect(vault.placeholderFor("US_SSN", "123-45-6789")).toBe("<US_SSN_1>");
    expect(vault.placeholderFor("PHONE_NUMBER", "123 456 789")).not.toBe("<US_SSN_1>");
    // The same string is still one value whatever type it is found as.
    expect(vault.placeholderFor("PHONE_NUMBER", "123-45-6789")).toBe("<US_SSN_1>");
    const reloaded = vaultFromJSON(vaultToJSON(vault));
    expect(reloaded.placeholderFor("PHONE_NUMBER", "123456789")).toBe(vault.placeholderFor("PHONE_NUMBER", "123 456 789"));
    expect(reloaded.placeholderFor("US_SSN", "123 45 6789")).toBe("<US_SSN_1>");
  });

  it("hashes one value written two ways alike", () => {
    const p = policyWith({ entities: { ...policy.entities, CREDIT_CARD: { cloud: "hash" } } });
    const outcome = cloud(user("card 4111 1111 1111 1111 or 4111-1111-1111-1111"), p);
    const sent = outcome.kind === "cloud" ? userText(outcome.request) : "";
    const hashes = sent.match(/<CREDIT_CARD:[0-9a-f]+>/g);
    expect(hashes).toHaveLength(2);
    expect(hashes![0]).toBe(hashes![1]);
  });

  it("refuses to start when a rule hashes and the key variable is unset", () => {
    expect(() => createSanitizer({ policy: withCloudAction("hash"), engine, env: {} })).toThrow(/SWITCHYARD_PII_HASH_KEY/);
  });

  it("blocks secrets with a 400 that names the type and never the value", () => {
    const secret = "sk-proj-Zx81Qw72Er63Ty54Ui45Op36";
    const outcome = cloud(user(`my key is ${secret} and mail ann.lee@example.com`));
    expect(outcome.kind).toBe("blocked");
    if (outcome.kind !== "blocked") return;
    expect(outcome.types).toEqual(["SECRET"]);
    expect(outcome.error.status).toBe(400);
    expect(outcome.error.code).toBe("pii_blocked");
    const shown = JSON.stringify(outcome.error.toJSON()) + outcome.error.message + JSON.stringify(outcome.summary);
    expect(shown).toContain("SECRET");
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain("ann.lee");
  });

  it("forces the local route for keep_local types and sends nothing", () => {
    const outcome = cloud(request, withCloudAction("keep_local"));
    expect(outcome).toMatchObject({ kind: "keep_local", types: ["EMAIL_ADDRESS"] });
    expect(outcome).not.toHaveProperty("request");
  });

  it("lets the local route see everything by default without scanning", () => {
    const sanitizer = createSanitizer({ policy, engine, env: ENV });
    const outcome = sanitizer.sanitizeForLocal(request, { vault: new PseudonymVault(), tenant: "acme" });
    expect(outcome).toMatchObject({ kind: "local", request, summary: [] });
  });

  it("applies local rules when the policy has some", () => {
    const p = policyWith({ defaults: { ...policy.defaults, local: "redact" } });
    const outcome = createSanitizer({ policy: p, engine, env: ENV }).sanitizeForLocal(user("mail ann.lee@example.com"), {
      vault: new PseudonymVault(),
      tenant: "acme",
    });
    expect(outcome.kind === "local" && userText(outcome.request)).toBe("mail <EMAIL_ADDRESS>");
  });
});

describe("every place text travels", () => {
  const EMAIL = "ann.lee@example.com";
  const request = {
    model: "gpt-4o-mini",
    user: EMAIL,
    metadata: { id: EMAIL },
    messages: [
      { role: "system", content: `Support agent for ${EMAIL}` },
      { role: "developer", content: [{ type: "text", text: `cc ${EMAIL}` }] },
      {
        role: "user",
        name: "Ann Lee",
        content: [
          { type: "text", text: `I am ${EMAIL}` },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "send_mail", arguments: `{"to":"${EMAIL}","id":"${EMAIL}"}` } }],
      },
      { role: "tool", tool_call_id: "call_1", content: `sent to ${EMAIL}` },
    ],
    tools: [
      {
        type: "function",
        function: {
          name: "send_mail",
          description: `Sends mail, e.g. to ${EMAIL}`,
          parameters: { type: "object", properties: { to: { type: "string", description: `like ${EMAIL}`, enum: [EMAIL], default: EMAIL } } },
        },
      },
    ],
    response_format: { type: "json_schema", json_schema: { name: "reply", description: `for ${EMAIL}` } },
    unknown_extension: { note: `from ${EMAIL}` },
  } as ChatCompletionRequest;

  it("leaves no value anywhere in the request or the history, and keeps structure intact", () => {
    const vault = new PseudonymVault();
    const sanitizer = createSanitizer({ policy, engine, env: ENV });
    const history = [{ role: "user" as const, content: `earlier: ${EMAIL}, +1 415-555-0132` }];
    const outcome = sanitizer.sanitizeForCloud(request, { vault, tenant: "acme", history });
    expect(outcome.kind).toBe("cloud");
    if (outcome.kind !== "cloud") return;
    const sent = JSON.stringify(withHistory(outcome.request, outcome.history));
    expect(sent).not.toContain(EMAIL);
    expect(sent).not.toContain("Ann Lee");
    expect(sent).not.toContain("415-555-0132");
    expect(sent).toContain("data:image/png;base64,iVBORw0KGgo=");
    const args = JSON.parse(outcome.request.messages[3]!.role === "assistant" ? toolCallParts(outcome.request.messages[3]!.tool_calls![0]!).text : "");
    expect(args).toEqual({ to: "<EMAIL_ADDRESS_1>", id: "<EMAIL_ADDRESS_1>" });
    expect(outcome.request.messages[2]).toMatchObject({ name: "PERSON_1" });
    expect(outcome.request.model).toBe("gpt-4o-mini");
    expect(outcome.request.tools![0]).toMatchObject({ function: { name: "send_mail" } });
    const merged = withHistory(outcome.request, outcome.history).messages.map((m) => m.role);
    expect(merged).toEqual(["system", "developer", "user", "user", "assistant", "tool"]);
  });

  it("does not copy a request that has nothing to sanitize", () => {
    const clean = user("What is the capital of the moon?");
    const outcome = createSanitizer({ policy, engine, env: ENV }).sanitizeForCloud(clean, { vault: new PseudonymVault(), tenant: "t" });
    expect(outcome.kind === "cloud" && outcome.request).toBe(clean);
  });

  it("routes requests with images locally when the policy says unscannable content stays local", () => {
    const p = policyWith({ non_text_content: { cloud: "keep_local" } });
    expect(cloud(request, p)).toMatchObject({ kind: "keep_local", types: ["NON_TEXT_CONTENT"] });
  });
});

describe("fail closed", () => {
  it("returns a typed failure, not a request, when the scan overruns its budget", () => {
    const p = policyWith({ scan: { ...policy.scan, budget_ms: 0.001 } });
    const big = user("ann.lee@example.com call +1 415-555-0132 ".repeat(20_000));
    const outcome = createSanitizer({ policy: p, engine, env: ENV }).sanitizeForCloud(big, { vault: new PseudonymVault(), tenant: "t" });
    expect(outcome).toMatchObject({ kind: "failed", fallback: "refuse", cause: { reason: "budget_exceeded" } });
    expect(outcome).not.toHaveProperty("request");
    expect(outcome.kind === "failed" && outcome.error.status).toBe(503);
  });

  it("offers the local fallback when the policy configures it", () => {
    const p = policyWith({ scan: { ...policy.scan, max_text_chars: 10, on_failure: "local" } });
    const outcome = createSanitizer({ policy: p, engine: createPiiEngine(p), env: ENV }).sanitizeForCloud(user("a text longer than ten"), {
      vault: new PseudonymVault(),
      tenant: "t",
    });
    expect(outcome).toMatchObject({ kind: "failed", fallback: "local", cause: { reason: "text_too_long" } });
  });

  it("wraps a recognizer that throws into a failure", () => {
    const broken: PiiEngine = { recognizers: [], entityTypes: [], scan: () => { throw new TypeError("boom"); } };
    const outcome = createSanitizer({ policy, engine: broken, env: ENV }).sanitizeForCloud(user("hi"), { vault: new PseudonymVault(), tenant: "t" });
    expect(outcome).toMatchObject({ kind: "failed", cause: { reason: "recognizer_error" } });
  });
});

describe("egress chokepoint", () => {
  it("is a type error to pass an unsanitized request where a CloudSafeRequest is required", () => {
    const sendToCloud = (request: CloudSafeRequest) => request.model;
    // @ts-expect-error a plain ChatCompletionRequest is not CloudSafe
    expect(sendToCloud(user("hi"))).toBe("gpt-4o-mini");
  });
});

describe("hosted image addresses", () => {
  const withImage = (url: string): ChatCompletionRequest => ({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: [{ type: "text", text: "What is in this picture?" }, { type: "image_url", image_url: { url } }] }],
  });
  const urlSent = (request: ChatCompletionRequest) => ((request.messages[0]!.content as Array<{ image_url?: { url: string } }>)[1]!.image_url!.url);

  it("go to the cloud as they are, so the model can fetch the image", () => {
    const url = "https://upload.wikimedia.org/wikipedia/commons/3/3a/Cat03.jpg";
    const outcome = cloud(withImage(url));
    expect(outcome.kind).toBe("cloud");
    if (outcome.kind === "cloud") expect(urlSent(outcome.request)).toBe(url);
  });

  it("still never carry personal data inside them to the cloud", () => {
    const email = "ann.lee@example.com";
    const outcome = cloud(withImage(`https://img.example.com/avatar?owner=${email}`));
    expect(outcome.kind).toBe("cloud");
    if (outcome.kind === "cloud") expect(urlSent(outcome.request)).not.toContain(email);
  });
});
