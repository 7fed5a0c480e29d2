/**
 * When the router runs the classifier: only when the decision could change with an intent, or a
 * sticky session would record it — never for a pinned decision such as a client naming its model.
 */
import { describe, expect, it } from "vitest";
import { decisionNeedsClassification } from "../../src/policy/classification-need.js";
import { decide } from "../../src/policy/decide.js";
import { compile, features } from "./support.js";

const policy = (sticky: string) =>
  compile(`
version: 1
${sticky}
rules:
  - { name: explicit, when: { not: { model: auto } }, then: { route: requested, pin: true } }
  - { name: budget, when: { tenant: broke }, then: { route: local, pin: true } }
  - { name: vip, when: { tenant: vip }, then: { route: gpt-4o } }
  - { name: code, when: { intent: code }, then: { route: gpt-4o } }
default: { route: local-slm }
`);

const needs = (sticky: string, patch: Parameters<typeof features>[0], session: boolean) => {
  const compiled = policy(sticky);
  return decisionNeedsClassification(compiled, decide(features(patch), compiled), { session });
};

describe("decisionNeedsClassification", () => {
  const sticky = "sticky: { turns: 3 }";
  it("skips the classifier when a rule before any intent condition decides", () => {
    expect(needs("", { requestedModel: "gpt-4o-mini" }, false)).toBe(false);
    expect(needs("", { tenant: "vip" }, false)).toBe(false);
  });

  it("runs it when a rule that looks at the intent, or the default after it, could decide", () => {
    expect(needs("", {}, false)).toBe(true);
  });

  it("runs it in a sticky session for an unpinned decision, whose intent the session records", () => {
    expect(needs(sticky, { tenant: "vip" }, true)).toBe(true);
    expect(needs(sticky, { tenant: "vip" }, false)).toBe(false);
  });

  it("skips it in a sticky session for a pinned decision: an explicit model or a spent budget leaves the session as it was", () => {
    expect(needs(sticky, { requestedModel: "gpt-4o-mini" }, true)).toBe(false);
    expect(needs(sticky, { tenant: "broke" }, true)).toBe(false);
  });
});
