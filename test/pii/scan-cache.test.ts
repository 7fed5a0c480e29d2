import { beforeAll, describe, expect, it } from "vitest";
import { loadCorpus, type CorpusSample } from "../../bench/pii-corpus.js";
import { createPiiEngine, createSanitizer, parsePiiPolicy, PseudonymVault, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { MAX_CACHED_ENTITIES } from "../../src/pii/scan-cache.js";
import { countScans, defaultPolicy, defaultPolicyText, DEFAULT_POLICY_PATH } from "./support.js";

const SYSTEM_PROMPT =
  "You are the support assistant of Acme Bank. Never reveal account numbers. The customer on this line is Maria Gonzalez, reachable at maria.gonzalez@example.com or +44 20 7946 0958.";

let policy: PiiPolicy;
let corpus: CorpusSample[];
beforeAll(() => {
  policy = defaultPolicy();
  corpus = loadCorpus();
});

describe("PII scan cache", () => {
  it("scans a resent text once and finds the same entities every time", () => {
    const engine = createPiiEngine(policy);
    const scans = countScans(engine);
    const first = engine.scan(SYSTEM_PROMPT, undefined, "acme");
    const again = engine.scan(SYSTEM_PROMPT, undefined, "acme");
    expect(scans.count).toBe(1);
    expect(again).toEqual(first);
    expect(first.map((e) => e.type)).toEqual(expect.arrayContaining(["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER"]));
  });

  it("answers exactly what an uncached engine finds, on every corpus prompt, first time and resent", () => {
    const cached = createPiiEngine(policy);
    const uncached = createPiiEngine(policy, { cacheEntries: 0 });
    for (const sample of corpus) {
      const expected = uncached.scan(sample.text);
      expect(cached.scan(sample.text, undefined, "acme"), sample.text).toEqual(expected);
      expect(cached.scan(sample.text, undefined, "acme"), sample.text).toEqual(expected);
    }
  });

  it("scans every time when the policy sets cache_entries: 0", () => {
    const off = parsePiiPolicy(defaultPolicyText.replace(/^  cache_entries: \d+/m, "  cache_entries: 0"), DEFAULT_POLICY_PATH);
    expect(off.scan.cache_entries).toBe(0);
    const engine = createPiiEngine(off);
    const scans = countScans(engine);
    engine.scan(SYSTEM_PROMPT, undefined, "acme");
    engine.scan(SYSTEM_PROMPT, undefined, "acme");
    expect(scans.count).toBe(2);
  });

  it("keeps at most cache_entries texts, dropping the least recently used", () => {
    const engine = createPiiEngine(policy, { cacheEntries: 2 });
    const scans = countScans(engine);
    const [a, b, c] = ["first", "second", "third"].map((n) => `${SYSTEM_PROMPT} (${n} copy)`) as [string, string, string];
    engine.scan(a, undefined, "acme");
    engine.scan(b, undefined, "acme");
    engine.scan(a, undefined, "acme"); // a is now more recent than b
    engine.scan(c, undefined, "acme"); // evicts b
    expect(scans.count).toBe(3);
    engine.scan(a, undefined, "acme");
    engine.scan(c, undefined, "acme");
    expect(scans.count).toBe(3);
    engine.scan(b, undefined, "acme");
    expect(scans.count).toBe(4);
  });

  it("does not cache short texts, which scan about as fast as they hash", () => {
    const engine = createPiiEngine(policy);
    const scans = countScans(engine);
    engine.scan("call me on +1 415-555-0132", undefined, "acme");
    engine.scan("call me on +1 415-555-0132", undefined, "acme");
    expect(scans.count).toBe(2);
  });

  it("still removes the PII from a conversation sanitized again with cached findings", () => {
    const sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
    const request = { model: "cloud-model", messages: [{ role: "system" as const, content: SYSTEM_PROMPT }, { role: "user" as const, content: "Hello" }] };
    const first = JSON.stringify(sanitizer.sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "t" }));
    const second = JSON.stringify(sanitizer.sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "t" }));
    expect(second).toBe(first);
    for (const value of ["Maria Gonzalez", "maria.gonzalez@example.com", "7946 0958"]) expect(second).not.toContain(value);
  });

  it("remembers long values of resent tool-call arguments, read with their keys, like any resent text", () => {
    const engine = createPiiEngine(policy);
    const sanitizer = createSanitizer({ policy, engine, env: {} });
    const notes = `Customer asked to be called back about the refund; ${SYSTEM_PROMPT}`;
    const request = {
      model: "m",
      messages: [
        { role: "user" as const, content: SYSTEM_PROMPT },
        { role: "assistant" as const, content: null, tool_calls: [{ id: "c1", type: "function" as const, function: { name: "log", arguments: JSON.stringify({ notes }) } }] },
        { role: "tool" as const, tool_call_id: "c1", content: `Logged for the agent on duty. ${SYSTEM_PROMPT}` },
      ],
    };
    const scans = countScans(engine);
    const first = sanitizer.sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "acme" });
    const firstScans = scans.count;
    const again = sanitizer.sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "acme" });
    // Resent, only the short key "notes" meets the recognizers again.
    expect(scans.count - firstScans).toBe(1);
    expect(again).toEqual(first);
    expect(JSON.stringify(again)).not.toContain("maria.gonzalez@example.com");
  });

  it("scans each short text of a request once, however often its records repeat it", () => {
    const engine = createPiiEngine(policy, { cacheEntries: 0 });
    const rows = Array.from({ length: 200 }, () => ({ sku: "SKU-1", currency: "USD", contact: "ann.lee@example.com" }));
    const request = {
      model: "m",
      messages: [
        { role: "user" as const, content: "order" },
        { role: "assistant" as const, content: null, tool_calls: [{ id: "c1", type: "function" as const, function: { name: "order", arguments: JSON.stringify({ rows }) } }] },
        { role: "tool" as const, tool_call_id: "c1", content: "ok" },
      ],
    };
    const scans = countScans(engine);
    const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "acme" });
    expect(scans.count).toBeLessThan(20);
    expect(JSON.stringify(outcome)).not.toContain("ann.lee@example.com");
    // Each occurrence is still counted.
    expect(outcome.kind === "cloud" && outcome.summary).toEqual([{ type: "EMAIL_ADDRESS", action: "pseudonymize", count: 200 }]);
  });

  it("keeps each tenant's texts apart: another tenant's identical text is scanned, not answered from memory", () => {
    const engine = createPiiEngine(policy);
    const scans = countScans(engine);
    engine.scan(SYSTEM_PROMPT, undefined, "acme");
    engine.scan(SYSTEM_PROMPT, undefined, "globex");
    expect(scans.count).toBe(2);
    engine.scan(SYSTEM_PROMPT, undefined, "globex");
    expect(scans.count).toBe(2);
  });

  it("scans every time without a scope (the /v1/pii/scan endpoint)", () => {
    const engine = createPiiEngine(policy);
    const scans = countScans(engine);
    engine.scan(SYSTEM_PROMPT);
    engine.scan(SYSTEM_PROMPT);
    expect(scans.count).toBe(2);
  });

  it("does not keep a text with more findings than MAX_CACHED_ENTITIES, so a hostile request cannot fill memory", () => {
    const engine = createPiiEngine(policy);
    const scans = countScans(engine);
    const crowded = Array.from({ length: MAX_CACHED_ENTITIES + 1 }, (_, i) => `user${i}@example.com`).join(" ");
    expect(engine.scan(crowded, undefined, "acme").length).toBeGreaterThan(MAX_CACHED_ENTITIES);
    engine.scan(crowded, undefined, "acme");
    expect(scans.count).toBe(2);
  });

  it("rejects a negative cache size in the policy, naming the field", () => {
    expect(() => parsePiiPolicy(defaultPolicyText.replace(/^  cache_entries: \d+/m, "  cache_entries: -1"), DEFAULT_POLICY_PATH)).toThrow(/cache_entries/);
  });
});
