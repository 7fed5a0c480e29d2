import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/yaml-file.js";
import { createPiiEngine, deadlineIn, parsePiiPolicy } from "../../src/pii/index.js";
import { defaultPolicyText, found } from "./support.js";

const withCustom = (entries: string) => defaultPolicyText.replace("custom_recognizers: []", `custom_recognizers:\n${entries}`);

function loadError(yaml: string): string {
  try {
    parsePiiPolicy(yaml, "policies/pii.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("the policy loaded");
}

describe("policy loading", () => {
  it("loads the shipped default policy with its documented defaults", () => {
    const policy = parsePiiPolicy(defaultPolicyText);
    expect(policy.defaults).toEqual({ threshold: 0.5, local: "allow", cloud: "pseudonymize" });
    expect(policy.entities.SECRET).toEqual({ cloud: "block" });
  });

  it("names file, line, field and expectation for a bad action", () => {
    const message = loadError(defaultPolicyText.replace("cloud: block", "cloud: shred"));
    expect(message).toMatch(/^policies\/pii\.yaml:\d+:\d+: entities\.SECRET\.cloud: /);
    expect(message).toContain("pseudonymize");
  });

  it("rejects unknown keys and unknown entity types", () => {
    expect(loadError(defaultPolicyText.replace("  budget_ms: 250", "  budget_ms: 250\n  budjet: 3"))).toMatch(/scan.*budjet/);
    expect(loadError(defaultPolicyText.replace("  URL: {}", "  URLS: {}"))).toMatch(/entities\.URLS: unknown entity type/);
  });

  it("rejects a custom pattern RE2 cannot run, pointing at the pattern", () => {
    const message = loadError(withCustom('  - { type: TICKET_ID, pattern: "(T)\\\\d+\\\\1" }'));
    expect(message).toMatch(/^policies\/pii\.yaml:\d+:\d+: custom_recognizers\[0\]\.pattern: must be an RE2 regular expression/);
  });

  it.each([
    ['{ type: ticket-id, pattern: "T\\\\d+" }', "custom_recognizers[0].type"],
    ['{ type: TICKET_ID, pattern: "T\\\\d+", validator: crc32 }', "custom_recognizers[0].validator"],
    ['{ type: TICKET_ID, pattern: "" }', "custom_recognizers[0].pattern"],
  ])("rejects %s at %s", (entry, field) => {
    expect(loadError(withCustom(`  - ${entry}`))).toContain(field);
  });

  it("rejects a phone region libphonenumber does not know", () => {
    expect(loadError(defaultPolicyText.replace("[US, GB,", "[XX, GB,"))).toContain("phone_regions[0]");
  });
});

describe("custom recognizers", () => {
  it("find their type, apply the validator and context", () => {
    const policy = parsePiiPolicy(
      withCustom(
        [
          '  - { type: EMPLOYEE_ID, pattern: "EMP-[0-9]{6}", context: [employee], score: 0.3 }',
          '  - { type: LOYALTY_CARD, pattern: "LC[0-9]{16}", validator: luhn, score: 0.9 }',
        ].join("\n"),
      ).replace("entities:", "entities:\n  EMPLOYEE_ID: { cloud: redact }"),
    );
    const engine = createPiiEngine(policy, { names: false });
    expect(found(engine, "employee EMP-004211 joined")).toEqual([["EMPLOYEE_ID", "EMP-004211"]]);
    expect(found(engine, "badge EMP-004211 joined")).toEqual([]);
    expect(found(engine, "card LC4111111111111111")).toEqual([["LOYALTY_CARD", "LC4111111111111111"]]);
    expect(found(engine, "card LC4111111111111112")).toEqual([]);
  });

  it("run a catastrophic-backtracking pattern in linear time", () => {
    const policy = parsePiiPolicy(withCustom('  - { type: AAA, pattern: "(a+)+$" }'));
    const engine = createPiiEngine(policy, { names: false });
    const text = `${"a".repeat(30_000)}!`;
    const started = performance.now();
    engine.scan(text, deadlineIn(5_000));
    // A backtracking engine needs ~2^30000 steps here; RE2 is linear.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
