/**
 * `keptOnHost`: the step-down the executor and the dry run share once pii.yaml keeps a cloud-bound
 * request on the host.
 */
import { describe, expect, it } from "vitest";
import { decide, type RouteDecision } from "../../src/policy/decide.js";
import { keptOnHost } from "../../src/policy/fallback.js";
import type { RequestFeatures } from "../../src/policy/features.js";
import { compile, features } from "./support.js";

function decided(then: string, patch: Partial<RequestFeatures> = {}) {
  const policy = compile(`version: 1\nrules: []\ndefault: ${then}\n`);
  const f = features(patch);
  const d = decide(f, policy);
  if (d.kind !== "route") throw new Error("expected a route");
  return { d: d as RouteDecision, f, policy };
}

describe("keptOnHost", () => {
  it("keeps the chain's on-host targets, then the default local model, and drops every cloud target", () => {
    const { d, f, policy } = decided("{ route: gpt-4o, fallbacks: [pool-8k, claude] }");
    const kept = keptOnHost(d, f, policy, ["EMAIL_ADDRESS"]);
    expect(kept).toMatchObject({ route: "local", model: "pool-8k", fallbacks: ["local-slm"], degrade: {} });
    expect(kept?.skipped.map((s) => [s.model, s.kind, s.reason])).toEqual([
      ["gpt-4o", "pii_keep_local", "pii.yaml keep_local (EMAIL_ADDRESS): no cloud"],
      ["claude", "pii_keep_local", "pii.yaml keep_local (EMAIL_ADDRESS): no cloud"],
      // the run-time last resort (default cloud model) too
      ["gpt-4o-mini", "pii_keep_local", "pii.yaml keep_local (EMAIL_ADDRESS): no cloud"],
    ]);
  });

  it("skips an on-host model that cannot serve the request (the default local model without tools)", () => {
    const { d, f, policy } = decided("{ route: cloud }", { hasTools: true });
    expect(keptOnHost(d, f, policy, ["EMAIL_ADDRESS"])).toBeUndefined();
    const withPool = decided("{ route: cloud, fallbacks: [pool-8k] }", { hasTools: true });
    expect(keptOnHost(withPool.d, withPool.f, withPool.policy, [])).toMatchObject({ model: "pool-8k", fallbacks: [] });
  });

  it("adds no default local model when the rule says degrade: false", () => {
    const { d, f, policy } = decided("{ route: cloud, degrade: false }");
    expect(keptOnHost(d, f, policy, ["EMAIL_ADDRESS"])).toBeUndefined();
    const allowed = decided("{ route: cloud }");
    expect(keptOnHost(allowed.d, allowed.f, allowed.policy, ["EMAIL_ADDRESS"])).toMatchObject({ model: "local-slm" });
  });

  // An in-process model still loading (or failed) is not passed over: with no other on-host target
  // the client hears why it cannot answer ("still loading", with the executor's 503), not that no
  // local model exists; with one, the healthy target goes first.
  it("keeps an unhealthy in-process model, after every healthy on-host target", () => {
    const down = { local: { queueDepth: 0, healthy: false }, unhealthyModels: ["local-slm"] };
    const alone = decided("{ route: cloud }", down);
    expect(keptOnHost(alone.d, alone.f, alone.policy, ["EMAIL_ADDRESS"])).toMatchObject({ model: "local-slm", fallbacks: [] });
    const withPool = decided("{ route: cloud, fallbacks: [local-slm, pool-8k] }", down);
    expect(keptOnHost(withPool.d, withPool.f, withPool.policy, ["EMAIL_ADDRESS"])).toMatchObject({ model: "pool-8k", fallbacks: ["local-slm"] });
  });
});
