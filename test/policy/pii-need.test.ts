/**
 * When the router needs the PII scan's entity types: only when a rule that reads `pii_found` could
 * decide — never for a request an earlier rule settles, such as a client naming its model.
 */
import { describe, expect, it } from "vitest";
import { decide } from "../../src/policy/decide.js";
import { decisionNeedsPiiTypes } from "../../src/policy/pii-need.js";
import { compile, features } from "./support.js";

const policy = compile(`
version: 1
rules:
  - { name: explicit, when: { not: { model: auto } }, then: { route: requested, pin: true } }
  - { name: vip, when: { tenant: vip }, then: { route: gpt-4o } }
  - { name: secrets, when: { any: [{ pii_found: [SECRET] }] }, then: { route: local, pin: true } }
  - { name: code, when: { intent: code }, then: { route: gpt-4o } }
default: { route: local-slm }
`);

const needs = (patch: Parameters<typeof features>[0], compiled = policy) => decisionNeedsPiiTypes(compiled, decide(features(patch), compiled));

describe("decisionNeedsPiiTypes", () => {
  it("skips the scan when a rule before any pii_found condition decides", () => {
    expect(needs({ requestedModel: "local-slm" })).toBe(false);
    expect(needs({ tenant: "vip" })).toBe(false);
  });

  it("needs it when the rule reading pii_found, a later one or the default could decide", () => {
    expect(needs({ intent: "code" })).toBe(true);
    expect(needs({ intent: "faq" })).toBe(true);
  });

  it("never needs it for a policy without pii_found conditions", () => {
    const plain = compile(`
version: 1
rules:
  - { name: code, when: { intent: code }, then: { route: gpt-4o } }
default: { route: local-slm }
`);
    expect(needs({ intent: "faq" }, plain)).toBe(false);
  });

  it("finds pii_found nested in any/not", () => {
    expect(policy.firstPiiRule).toBe(2);
  });
});
