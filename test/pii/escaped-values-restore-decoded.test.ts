/**
 * A value first seen behind escapes (`ann.lee%40example.com` in a logged URL, `Jos\u00e9` in JSON) is
 * restored in the answer and in tool-call arguments as the value it spells, not in the escapes of the
 * context it was found in: a send_email tool needs `ann.lee@example.com`. URLs and secrets keep their
 * escapes, which are part of them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, createSanitizer, PseudonymVault, restore, restoreToolCall, type Sanitizer } from "../../src/pii/index.js";
import { cloudTextOf, patientPolicy } from "./support.js";

let sanitizer: Sanitizer;
beforeAll(() => {
  const policy = patientPolicy();
  sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
});

function sanitized(content: string): { vault: PseudonymVault; text: string } {
  const vault = new PseudonymVault();
  return { vault, text: cloudTextOf(sanitizer, content, vault) };
}

describe("values found behind escapes restore decoded", () => {
  it("a percent-encoded address reaches a tool call as the address", () => {
    const { vault, text } = sanitized("Log: GET /lookup?email=ann.lee%40example.com 404. Email this user.");
    expect(text).toContain("<EMAIL_ADDRESS_1>");
    const call = restoreToolCall({ id: "c", type: "function", function: { name: "send_email", arguments: '{"to":"<EMAIL_ADDRESS_1>"}' } } as Parameters<typeof restoreToolCall>[0], vault);
    expect(call.type === "function" && JSON.parse(call.function.arguments).to).toBe("ann.lee@example.com");
  });

  it("a JSON-escaped name reaches the answer as the name", () => {
    const { vault, text } = sanitized('Fix: {"greeting": "Dear Jos\\u00e9 Garc\\u00eda, welcome back"}');
    expect(text).toContain("<PERSON_1>");
    expect(restore("Hello <PERSON_1>!", vault)).toBe("Hello José García!");
  });

  it("the same value written plainly later keeps its placeholder", () => {
    const { vault } = sanitized("Log: GET /lookup?email=ann.lee%40example.com 404.");
    expect(vault.placeholderFor("EMAIL_ADDRESS", "ann.lee@example.com")).toBe("<EMAIL_ADDRESS_1>");
    expect(vault.placeholderFor("EMAIL_ADDRESS", "ann.lee%40example.com")).toBe("<EMAIL_ADDRESS_1>");
  });

  it("URLs and secrets keep their escapes", () => {
    const vault = new PseudonymVault();
    vault.placeholderFor("URL", "https://x.io/a%20b?to=ann%40x.io");
    vault.placeholderFor("SECRET", "p%40ssw0rd-Xy7");
    expect(restore("<URL_1> <SECRET_1>", vault)).toBe("https://x.io/a%20b?to=ann%40x.io p%40ssw0rd-Xy7");
  });
});
