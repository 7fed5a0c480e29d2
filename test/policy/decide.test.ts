import { describe, expect, it } from "vitest";
import { decide, type Decision, type DenyDecision, type RouteDecision } from "../../src/policy/decide.js";
import type { CatalogModel } from "../../src/policy/catalog.js";
import type { RequestFeatures } from "../../src/policy/features.js";
import { catalog, compile, features, MODELS } from "./support.js";

const oneRule = (when: string, extra = "") =>
  compile(`
version: 1
${extra}
rules:
  - name: r
    when: ${when}
    then: { route: gpt-4o }
default: { route: gpt-4o-mini }
`);

function route(decision: Decision): RouteDecision {
  if (decision.kind !== "route") throw new Error(`expected a route, got deny ${decision.status}: ${decision.message}`);
  return decision;
}

type Patch = Partial<RequestFeatures>;

interface ConditionCase {
  when: string;
  holds: Patch[];
  fails: Patch[];
  miss: string;
}

const conditionCases: ConditionCase[] = [
  { when: "{ intent: code }", holds: [{ intent: "code" }], fails: [{ intent: "faq" }, { intent: undefined }], miss: "intent is not code" },
  { when: "{ intent: [code, math] }", holds: [{ intent: "math" }, { intent: "code" }], fails: [{ intent: "faq" }], miss: "intent is not code|math" },
  { when: "{ intent_route: cloud }", holds: [{ intent: "essay" }], fails: [{ intent: "greeting" }, { intent: undefined }], miss: "intent does not route cloud" },
  { when: "{ intent_route: local }", holds: [{ intent: "faq" }], fails: [{ intent: "code" }], miss: "intent does not route local" },
  { when: "{ unsure: true }", holds: [{ unsure: true }], fails: [{ unsure: false }, { unsure: undefined }], miss: "classifier not unsure" },
  { when: "{ unsure: false }", holds: [{ unsure: false }], fails: [{ unsure: true }, { unsure: undefined }], miss: "classifier unsure or absent" },
  { when: "{ confidence_below: 0.5 }", holds: [{ confidence: 0.49 }, { confidence: 0 }], fails: [{ confidence: 0.5 }, { confidence: undefined }], miss: "confidence not below 0.5" },
  { when: "{ confidence_above: 0.8 }", holds: [{ confidence: 0.81 }], fails: [{ confidence: 0.8 }, { confidence: undefined }], miss: "confidence not above 0.8" },
  { when: "{ prompt_tokens_above: 1000 }", holds: [{ promptTokens: 1001 }], fails: [{ promptTokens: 1000 }], miss: "prompt tokens not above 1000" },
  { when: "{ prompt_tokens_below: 50 }", holds: [{ promptTokens: 49 }], fails: [{ promptTokens: 50 }], miss: "prompt tokens not below 50" },
  { when: "{ turns_above: 3 }", holds: [{ turns: 4 }], fails: [{ turns: 3 }], miss: "turns not above 3" },
  { when: "{ turns_below: 2 }", holds: [{ turns: 1 }], fails: [{ turns: 2 }], miss: "turns not below 2" },
  { when: "{ tools: true }", holds: [{ hasTools: true }], fails: [{ hasTools: false }], miss: "no tools" },
  { when: "{ tools: false }", holds: [{ hasTools: false }], fails: [{ hasTools: true }], miss: "has tools" },
  { when: "{ images: true }", holds: [{ hasImages: true }], fails: [{ hasImages: false }], miss: "no images" },
  { when: "{ images: false }", holds: [{ hasImages: false }], fails: [{ hasImages: true }], miss: "has images" },
  { when: "{ response_format: json_schema }", holds: [{ responseFormat: "json_schema" }], fails: [{ responseFormat: "json_object" }], miss: "response_format is not json_schema" },
  {
    when: "{ response_format: [json_object, json_schema] }",
    holds: [{ responseFormat: "json_object" }, { responseFormat: "json_schema" }],
    fails: [{ responseFormat: "text" }],
    miss: "response_format is not json_object|json_schema",
  },
  { when: "{ model: auto }", holds: [{ requestedModel: "auto" }], fails: [{ requestedModel: "gpt-4o" }], miss: "requested model is not auto" },
  { when: "{ model: [gpt-4o, claude] }", holds: [{ requestedModel: "claude" }], fails: [{ requestedModel: "auto" }], miss: "requested model is not gpt-4o|claude" },
  { when: "{ tenant: acme }", holds: [{ tenant: "acme" }], fails: [{ tenant: "globex" }], miss: "tenant is not acme" },
  { when: "{ tenant: [globex, initech] }", holds: [{ tenant: "initech" }], fails: [{ tenant: "acme" }], miss: "tenant is not globex|initech" },
  { when: "{ headers: { x-team: ml } }", holds: [{ headers: { "x-team": "ml" } }], fails: [{ headers: { "x-team": "web" } }, { headers: {} }], miss: "header x-team is not ml" },
  { when: "{ headers: { x-team: [ml, data] } }", holds: [{ headers: { "x-team": "data" } }], fails: [{ headers: {} }], miss: "header x-team is not ml|data" },
  { when: "{ headers: { x-debug: true } }", holds: [{ headers: { "x-debug": "" } }, { headers: { "x-debug": "1" } }], fails: [{ headers: {} }], miss: "header x-debug absent" },
  { when: "{ headers: { x-debug: false } }", holds: [{ headers: {} }], fails: [{ headers: { "x-debug": "1" } }], miss: "header x-debug present" },
  {
    when: "{ metadata: { project: apollo } }",
    holds: [{ metadata: { project: "apollo" } }],
    fails: [{ metadata: { project: "gemini" } }, { metadata: {} }],
    miss: "metadata project is not apollo",
  },
  { when: "{ metadata: { constructor: true } }", holds: [{ metadata: { constructor: "x" } }], fails: [{ metadata: {} }], miss: "metadata constructor absent" },
  { when: "{ metadata: { tier: [gold, silver] } }", holds: [{ metadata: { tier: "gold" } }], fails: [{ metadata: { tier: "bronze" } }], miss: "metadata tier is not gold|silver" },
  { when: "{ pii_found: any }", holds: [{ piiTypes: ["PERSON"] }], fails: [{ piiTypes: [] }], miss: "no PII found" },
  {
    when: "{ pii_found: [SECRET, CREDIT_CARD] }",
    holds: [{ piiTypes: ["EMAIL_ADDRESS", "CREDIT_CARD"] }, { piiTypes: ["SECRET"] }],
    fails: [{ piiTypes: ["EMAIL_ADDRESS"] }, { piiTypes: [] }],
    miss: "no PII SECRET|CREDIT_CARD found",
  },
  { when: "{ pii_found: SECRET }", holds: [{ piiTypes: ["SECRET"] }], fails: [{ piiTypes: ["PERSON"] }], miss: "no PII SECRET found" },
  { when: "{ local_queue_above: 8 }", holds: [{ local: { queueDepth: 9, healthy: true } }], fails: [{ local: { queueDepth: 8, healthy: true } }], miss: "local queue not above 8" },
  { when: "{ local_queue_below: 2 }", holds: [{ local: { queueDepth: 1, healthy: true } }], fails: [{ local: { queueDepth: 2, healthy: true } }], miss: "local queue not below 2" },
  { when: "{ local_healthy: false }", holds: [{ local: { queueDepth: 0, healthy: false } }], fails: [{ local: { queueDepth: 0, healthy: true } }], miss: "local healthy" },
  { when: "{ local_healthy: true }", holds: [{ local: { queueDepth: 0, healthy: true } }], fails: [{ local: { queueDepth: 0, healthy: false } }], miss: "local unhealthy" },
  {
    when: "{ any: [{ tools: true }, { images: true, turns_above: 2 }] }",
    holds: [{ hasTools: true }, { hasImages: true, turns: 3 }],
    fails: [{ hasImages: true, turns: 1 }, {}],
    miss: "no tools and (turns not above 2 or no images)", // conditions run in the schema's order
  },
  { when: "{ not: { model: auto } }", holds: [{ requestedModel: "gpt-4o" }], fails: [{ requestedModel: "auto" }], miss: "requested model is auto" },
  {
    when: "{ not: { tenant: acme, tools: true } }",
    holds: [{ tenant: "globex", hasTools: true }, { hasTools: false }],
    fails: [{ tenant: "acme", hasTools: true }],
    miss: "(has tools and tenant is acme)",
  },
  {
    when: "{ tenant: acme, intent: code, prompt_tokens_above: 10 }",
    holds: [{ tenant: "acme", intent: "code", promptTokens: 11 }],
    fails: [{ tenant: "acme", intent: "faq", promptTokens: 11 }],
    miss: "intent is not code",
  },
];

describe("decide: conditions", () => {
  describe.each(conditionCases)("$when", ({ when, holds, fails, miss }) => {
    const policy = oneRule(when);
    it.each(holds.map((patch) => [JSON.stringify(patch), patch] as const))("holds for %s", (_label, patch) => {
      const decision = route(decide(features(patch), policy));
      expect(decision.rule).toBe("r");
      expect(decision.ruleIndex).toBe(0);
      expect(decision.model).toBe("gpt-4o");
      expect(decision.reasons).toEqual([]);
    });
    it.each(fails.map((patch) => [JSON.stringify(patch), patch] as const))("fails for %s", (_label, patch) => {
      const decision = route(decide(features(patch), policy));
      expect(decision.rule).toBe("default");
      expect(decision.ruleIndex).toBe(-1);
      expect(decision.model).toBe("gpt-4o-mini");
      expect(decision.reasons).toEqual([`r: ${miss}`]);
    });
  });

  // With the budget spent the cloud is off (below), so these rules route between on-host models.
  it.each([
    ["true", true, false, "budget not exceeded"],
    ["false", false, true, "budget exceeded"],
  ] as const)("budget_exceeded: %s holds when the flag matches", (when, holds, fails, miss) => {
    const policy = compile(`
version: 1
rules:
  - { name: r, when: { budget_exceeded: ${when} }, then: { route: pool-8k } }
default: { route: local-slm }
`);
    expect(route(decide(features({ budgetExceeded: holds }), policy))).toMatchObject({ rule: "r", model: "pool-8k", reasons: [] });
    expect(route(decide(features({ budgetExceeded: fails }), policy))).toMatchObject({ rule: "default", model: "local-slm", reasons: [`r: ${miss}`] });
  });

  it("lists the header names the policy reads, nested ones included", () => {
    const policy = oneRule("{ headers: { x-team: ml }, any: [{ headers: { x-tier: gold } }, { not: { headers: { x-debug: true } } }] }");
    expect(policy.headerNames).toEqual(["x-debug", "x-team", "x-tier"]);
  });

  it("evaluates rules in order: the first match decides and every earlier miss is explained", () => {
    const policy = compile(`
version: 1
rules:
  - { name: a, when: { tenant: globex }, then: { route: claude } }
  - { name: b, when: { intent: code }, then: { route: gpt-4o } }
  - { name: c, when: { intent: [code, faq] }, then: { route: pool-8k } }
default: { route: local-slm }
`);
    const decision = route(decide(features({ intent: "code" }), policy));
    expect(decision).toMatchObject({ rule: "b", ruleIndex: 1, model: "gpt-4o", reasons: ["a: tenant is not globex"] });
    const other = route(decide(features({ intent: "faq" }), policy));
    expect(other).toMatchObject({ rule: "c", ruleIndex: 2, model: "pool-8k", reasons: ["a: tenant is not globex", "b: intent is not code"] });
  });
});

describe("decide: actions", () => {
  const policy = (then: string, extra = "") =>
    compile(`
version: 1
${extra}
rules:
  - name: r
    when: { tenant: acme }
    then: ${then}
default: { route: local-slm }
`);

  it.each([
    ["a model id", "{ route: claude }", {}, "claude", "cloud"],
    ["a local model id", "{ route: pool-8k }", {}, "pool-8k", "local"],
    ["local (models.yaml defaults.local)", "{ route: local }", {}, "local-slm", "local"],
    ["cloud (models.yaml defaults.cloud)", "{ route: cloud }", {}, "gpt-4o-mini", "cloud"],
    ["intent_default for a cloud intent", "{ route: intent_default }", { intent: "code" }, "gpt-4o-mini", "cloud"],
    ["intent_default for a local intent", "{ route: intent_default }", { intent: "greeting" }, "local-slm", "local"],
    ["intent_default without an intent → unclassified_route (cloud)", "{ route: intent_default }", { intent: undefined }, "gpt-4o-mini", "cloud"],
    ["intent_default for an intent without a route → unclassified_route", "{ route: intent_default }", { intent: "new-intent" }, "gpt-4o-mini", "cloud"],
    ["requested: a model id", "{ route: requested }", { requestedModel: "claude" }, "claude", "cloud"],
    ["requested: the local alias", "{ route: requested }", { requestedModel: "local" }, "local-slm", "local"],
    ["requested: the cloud alias", "{ route: requested }", { requestedModel: "cloud" }, "gpt-4o-mini", "cloud"],
  ] as const)("routes to %s", (_label, then, patch, model, location) => {
    const decision = route(decide(features(patch), policy(then)));
    expect(decision.model).toBe(model);
    expect(decision.route).toBe(location);
  });

  it("honours unclassified_route: local", () => {
    const decision = route(decide(features({ intent: undefined }), policy("{ route: intent_default }", "unclassified_route: local")));
    expect(decision.model).toBe("local-slm");
  });

  it("skips `requested` for auto and moves on to the fallbacks", () => {
    const decision = route(decide(features({ requestedModel: "auto" }), policy("{ route: requested, fallbacks: [gpt-4o] }")));
    expect(decision.model).toBe("gpt-4o");
    expect(decision.skipped).toEqual([{ model: "requested", reason: "the client asked for auto", kind: "not_requested" }]);
  });

  it("answers 404 model_not_found for an unknown requested model", () => {
    const decision = decide(features({ requestedModel: "gpt-9" }), policy("{ route: requested }"));
    expect(decision).toMatchObject({ kind: "deny", status: 404, code: "model_not_found", rule: "r" });
    expect(decision.skipped).toEqual([{ model: "gpt-9", reason: "unknown model", kind: "unknown_model" }]);
  });

  it("answers 404 for an unknown requested model whatever the chain's fallbacks and else_deny (a typo is never served by another model)", () => {
    for (const then of ["{ route: requested, fallbacks: [cloud], pin: true }", "{ route: gpt-4o, fallbacks: [requested, cloud] }", '{ route: requested, else_deny: { status: 403, message: "no" } }']) {
      const decision = decide(features({ requestedModel: "gpt-9" }), policy(then));
      expect(decision, then).toMatchObject({ kind: "deny", status: 404, code: "model_not_found" });
    }
  });

  it("keeps the fallback chain in order without duplicates", () => {
    const decision = route(decide(features(), policy("{ route: cloud, fallbacks: [gpt-4o-mini, claude, local, local-slm, gpt-4o] }")));
    expect(decision.model).toBe("gpt-4o-mini");
    expect(decision.fallbacks).toEqual(["claude", "local-slm", "gpt-4o"]);
  });

  it("caps max_tokens, sets the PII action and pins", () => {
    const decision = route(decide(features(), policy("{ route: gpt-4o, max_tokens: 256, pii: redact, pin: true }")));
    expect(decision).toMatchObject({ maxTokens: 256, pii: "redact", pinned: true });
    const plain = route(decide(features(), policy("{ route: gpt-4o }")));
    expect(plain).toMatchObject({ maxTokens: undefined, pii: "default", pinned: false });
  });

  it.each(["default", "allow", "redact", "mask", "hash", "pseudonymize", "block"] as const)("passes pii: %s through without touching the chain", (pii) => {
    const decision = route(decide(features(), policy(`{ route: gpt-4o, fallbacks: [local], pii: ${pii} }`)));
    expect(decision).toMatchObject({ model: "gpt-4o", fallbacks: ["local-slm"], pii });
  });

  it("pii: keep_local removes every cloud target, including the run-time last resort", () => {
    const decision = route(decide(features(), policy("{ route: gpt-4o, fallbacks: [claude, local, pool-8k], pii: keep_local }")));
    expect(decision).toMatchObject({ model: "local-slm", route: "local", fallbacks: ["pool-8k"], pii: "keep_local", degrade: {} });
    expect(decision.skipped.map((s) => [s.model, s.kind])).toEqual([
      ["gpt-4o", "pii_keep_local"],
      ["claude", "pii_keep_local"],
    ]);
  });

  it("denies with the rule's status, code and message", () => {
    const decision = decide(features(), policy('{ deny: { status: 451, code: legal_hold, message: "Not for this tenant." } }'));
    expect(decision).toMatchObject({ kind: "deny", status: 451, code: "legal_hold", message: "Not for this tenant.", rule: "r" });
    const defaults = decide(features(), policy('{ deny: { message: "No." } }'));
    expect(defaults).toMatchObject({ kind: "deny", status: 403, code: "policy_denied" });
  });

  describe("a spent budget (force_local: a deny budget never reaches routing)", () => {
    it("keeps the cloud off whatever rule fires, not only one that tests budget_exceeded", () => {
      const p = policy("{ route: gpt-4o, fallbacks: [pool-8k, claude] }");
      const decision = route(decide(features({ budgetExceeded: true }), p));
      expect(decision).toMatchObject({ rule: "r", model: "pool-8k", fallbacks: [], route: "local" });
      // No run-time escape to the cloud either.
      expect(decision.degrade).toEqual({ local: "local-slm" });
      expect(decision.skipped.map((s) => [s.model, s.kind])).toEqual([
        ["gpt-4o", "budget_force_local"],
        ["claude", "budget_force_local"],
      ]);
      expect(route(decide(features({ budgetExceeded: false }), p)).model).toBe("gpt-4o");
    });

    it("answers 429 budget_exceeded when no on-host target can serve the request", () => {
      const decision = decide(features({ budgetExceeded: true }), policy("{ route: gpt-4o, fallbacks: [claude] }"));
      expect(decision).toMatchObject({ kind: "deny", status: 429, code: "budget_exceeded" });
      expect((decision as DenyDecision).message).toContain("gpt-4o: budget spent (force_local): no cloud");
    });

    it("does not follow a sticky cloud session", () => {
      const p = compile(`
version: 1
sticky: { turns: 3 }
default: { route: local-slm }
`);
      const decision = route(decide(features({ budgetExceeded: true, sticky: { target: "gpt-4o", turnsLeft: 2 } }), p));
      expect(decision.model).toBe("local-slm");
      expect(decision.sticky.note).toBe("sticky: gpt-4o: budget spent (force_local): no cloud");
    });
  });

  it("uses else_deny when no target can serve the request", () => {
    const p = policy('{ route: local, degrade: false, else_deny: { status: 429, code: budget_exceeded, message: "Budget spent." } }');
    expect(route(decide(features(), p)).model).toBe("local-slm");
    expect(decide(features({ hasTools: true }), p)).toMatchObject({ kind: "deny", status: 429, code: "budget_exceeded", message: "Budget spent." });
  });

  it("offers the default models as run-time last resorts unless the rule or the policy says no", () => {
    expect(route(decide(features(), policy("{ route: claude }"))).degrade).toEqual({ local: "local-slm", cloud: "gpt-4o-mini" });
    expect(route(decide(features(), policy("{ route: claude, fallbacks: [local] }"))).degrade).toEqual({ cloud: "gpt-4o-mini" });
    expect(route(decide(features(), policy("{ route: claude, degrade: false }"))).degrade).toEqual({});
    const none = "degrade: { local_overload: none, cloud_failure: none }";
    expect(route(decide(features(), policy("{ route: claude }", none))).degrade).toEqual({});
    // A last resort must be able to serve the request too.
    expect(route(decide(features({ hasTools: true }), policy("{ route: claude }"))).degrade).toEqual({ cloud: "gpt-4o-mini" });
  });

  it("uses the default action when no rule matches", () => {
    const decision = route(decide(features({ tenant: "globex" }), policy("{ route: gpt-4o }")));
    expect(decision).toMatchObject({ rule: "default", ruleIndex: -1, model: "local-slm", reasons: ["r: tenant is not acme"] });
  });
});

describe("decide: capability skips", () => {
  const chain = (route: string, fallbacks: string[]) =>
    compile(`
version: 1
rules: []
default: { route: ${route}, fallbacks: [${fallbacks.join(", ")}], degrade: false }
`);

  it.each([
    ["tools", { hasTools: true }, "local-slm", ["pool-8k", "claude"], "pool-8k", [["local-slm", "no tools support", "capability"]]],
    ["images", { hasImages: true }, "local-slm", ["pool-8k", "claude"], "claude", [["local-slm", "no vision (images)", "capability"], ["pool-8k", "no vision (images)", "capability"]]],
    ["json_schema", { responseFormat: "json_schema" }, "claude", ["gpt-4o"], "gpt-4o", [["claude", "no json_schema support", "capability"]]],
    [
      "a prompt longer than the context window",
      { promptTokens: 5000 },
      "local-slm",
      ["pool-8k"],
      "pool-8k",
      [["local-slm", "prompt of 5000 tokens does not fit context window 4096", "context_window"]],
    ],
    [
      "a prompt exactly the context window",
      { promptTokens: 4096 },
      "local-slm",
      ["gpt-4o"],
      "gpt-4o",
      [["local-slm", "prompt of 4096 tokens does not fit context window 4096", "context_window"]],
    ],
    ["an unhealthy in-process local model", { unhealthyModels: ["local-slm"] as string[] }, "local-slm", ["pool-8k"], "pool-8k", [["local-slm", "local model not ready (loading, or failed to load: see /readyz)", "unhealthy"]]],
    ["audio input, on the in-process model only", { beyondInProcess: "audio input" }, "local-slm", ["pool-8k"], "pool-8k", [["local-slm", "in-process: no audio input", "capability"]]],
  ] as const)("skips a target that lacks %s, with the reason", (_label, patch, first, rest, chosen, skipped) => {
    const decision = route(decide(features(patch), chain(first, [...rest])));
    expect(decision.model).toBe(chosen);
    expect(decision.skipped.map((s) => [s.model, s.reason, s.kind])).toEqual(skipped);
  });

  it("keeps a prompt one token shorter than the window", () => {
    expect(route(decide(features({ promptTokens: 4095 }), chain("local-slm", []))).model).toBe("local-slm");
  });

  it("drops skipped targets from the fallbacks too", () => {
    const decision = route(decide(features({ hasImages: true }), chain("gpt-4o", ["local-slm", "claude", "pool-8k"])));
    expect(decision).toMatchObject({ model: "gpt-4o", fallbacks: ["claude"] });
  });

  it.each([
    ["400 no_capable_target when nothing can do it", { hasTools: true }, 400, "no_capable_target"],
    ["503 no_available_target when the local model is down", { unhealthyModels: ["local-slm"] as string[] }, 503, "no_available_target"],
  ] as const)("denies with %s", (_label, patch, status, code) => {
    const decision = decide(features(patch), chain("local-slm", []));
    expect(decision).toMatchObject({ kind: "deny", status, code, rule: "default" });
    if (decision.kind === "deny") expect(decision.message).toContain("local-slm:");
  });
});

describe("decide: each in-process model's own health", () => {
  // A second in-process model beside defaults.local (local-slm).
  const stories: CatalogModel = { id: "stories", location: "local", providerId: "local", inProcess: true, contextWindow: 2048, tools: false, jsonSchema: true, vision: false };
  const policy = (then: string, rules = "[]") =>
    compile(`
version: 1
rules: ${rules}
default: ${then}
`, { catalog: catalog([...MODELS, stories]) });
  const defaultLocalDown = { local: { queueDepth: 0, healthy: false }, unhealthyModels: ["local-slm"] };

  it("routes to a loaded in-process model a rule names while defaults.local failed to load", () => {
    const decision = route(decide(features(defaultLocalDown), policy("{ route: stories, fallbacks: [local], degrade: false }")));
    expect(decision).toMatchObject({ model: "stories", route: "local", fallbacks: [] });
    expect(decision.skipped).toEqual([{ model: "local-slm", reason: "local model not ready (loading, or failed to load: see /readyz)", kind: "unhealthy" }]);
  });

  it("skips an in-process model still loading while defaults.local is up", () => {
    const decision = route(decide(features({ unhealthyModels: ["stories"] }), policy("{ route: stories, fallbacks: [local], degrade: false }")));
    expect(decision).toMatchObject({ model: "local-slm", fallbacks: [] });
    expect(decision.skipped).toEqual([{ model: "stories", reason: "local model not ready (loading, or failed to load: see /readyz)", kind: "unhealthy" }]);
  });

  it("a refusal while the only in-process target is still loading says when to retry; one that failed to load does not", () => {
    const onlyStories = policy("{ route: stories, degrade: false }");
    const loading = decide(features({ unhealthyModels: ["stories"], loadingModels: ["stories"] }), onlyStories);
    expect(loading).toMatchObject({ kind: "deny", status: 503, code: "no_available_target", retryAfterSeconds: 5 });
    const failed = decide(features({ unhealthyModels: ["stories"] }), onlyStories) as DenyDecision;
    expect(failed).toMatchObject({ kind: "deny", status: 503, code: "no_available_target" });
    expect(failed.retryAfterSeconds).toBeUndefined();
  });

  it("offers defaults.local as a last resort only when it is healthy itself", () => {
    const up = route(decide(features({ unhealthyModels: ["stories"] }), policy("{ route: gpt-4o }")));
    expect(up.degrade.local).toBe("local-slm");
    const down = route(decide(features(defaultLocalDown), policy("{ route: gpt-4o }")));
    expect(down.degrade.local).toBeUndefined();
  });

  it("reads local_healthy from defaults.local, whatever the other in-process models' state", () => {
    const rules = "[{ name: local-down, when: { local_healthy: false }, then: { route: stories } }]";
    expect(decide(features(defaultLocalDown), policy("{ route: local }", rules))).toMatchObject({ kind: "route", rule: "local-down", model: "stories" });
    expect(decide(features({ unhealthyModels: ["stories"] }), policy("{ route: local }", rules))).toMatchObject({ kind: "route", rule: "default", model: "local-slm" });
  });
});

describe("decide: models whose provider cannot be called", () => {
  const policy = (then: string) => compile(`\nversion: 1\nrules: []\ndefault: ${then}\n`);
  const noKey = { unconfiguredProviders: { openai: "OPENAI_API_KEY is not set" } };
  const skippedForKey = (model: string) => ({ model, reason: "provider not configured (OPENAI_API_KEY is not set)", kind: "unconfigured" });

  it("skips them with the reason and routes to the next target of the chain", () => {
    const decision = route(decide(features(noKey), policy("{ route: gpt-4o, fallbacks: [gpt-4o-mini, local] }")));
    expect(decision).toMatchObject({ model: "local-slm", route: "local", fallbacks: [], degrade: {} });
    expect(decision.skipped).toEqual([skippedForKey("gpt-4o"), skippedForKey("gpt-4o-mini")]);
  });

  it("goes to the last resort the run time would reach when the chain has nothing else", () => {
    const decision = route(decide(features(noKey), policy("{ route: gpt-4o }")));
    expect(decision).toMatchObject({ model: "local-slm", route: "local", fallbacks: [], degrade: {} });
    expect(decision.skipped).toEqual([skippedForKey("gpt-4o")]);
  });

  it("answers the provider's own 503 provider_not_configured when no target is left", () => {
    expect(decide(features(noKey), policy("{ route: gpt-4o, degrade: false }"))).toMatchObject({
      kind: "deny",
      status: 503,
      code: "provider_not_configured",
      message: "The provider 'openai' is not configured: OPENAI_API_KEY is not set.",
    });
  });

  it("lists every reason when other targets were skipped for other reasons", () => {
    const decision = decide(features({ ...noKey, hasTools: true }), policy("{ route: gpt-4o, fallbacks: [local], degrade: false }"));
    expect(decision).toMatchObject({ kind: "deny", status: 503, code: "no_available_target" });
  });

  it("reports the model the client named as the one a last resort answers in place of", () => {
    for (const requestedModel of ["gpt-4o-mini", "cloud"]) {
      const decision = route(decide(features({ ...noKey, requestedModel }), policy("{ route: requested, pin: true }")));
      expect(decision).toMatchObject({ model: "local-slm", fallbackFrom: "gpt-4o-mini" });
    }
  });

  it("reports the model the client named when the rule's next target answers in its place", () => {
    const decision = route(decide(features({ ...noKey, requestedModel: "gpt-4o" }), policy("{ route: requested, fallbacks: [pool-8k], degrade: false }")));
    expect(decision).toMatchObject({ model: "pool-8k", fallbackFrom: "gpt-4o" });
  });

  it("reports no fallback for targets the policy chose, nor for a named model that would not have been called first", () => {
    const chosen = route(decide(features(noKey), policy("{ route: gpt-4o }")));
    expect(chosen.model).toBe("local-slm");
    expect(chosen).not.toHaveProperty("fallbackFrom");
    const second = route(decide(features({ ...noKey, requestedModel: "gpt-4o" }), policy("{ route: pool-8k, fallbacks: [requested] }")));
    expect(second.model).toBe("pool-8k");
    expect(second).not.toHaveProperty("fallbackFrom");
    const callable = route(decide(features({ requestedModel: "gpt-4o" }), policy("{ route: requested, pin: true }")));
    expect(callable.model).toBe("gpt-4o");
    expect(callable).not.toHaveProperty("fallbackFrom");
  });

  it("leaves the models of other providers alone", () => {
    expect(route(decide(features({ unconfiguredProviders: { anthropic: "ANTHROPIC_API_KEY is not set" } }), policy("{ route: gpt-4o }")))).toMatchObject({ model: "gpt-4o", skipped: [] });
  });
});

describe("decide: sticky sessions", () => {
  const policy = (sticky: string, ruleThen = "{ route: local }") =>
    compile(`
version: 1
${sticky}
rules:
  - { name: code, when: { intent: code }, then: { route: cloud } }
  - { name: pinned-local, when: { tenant: pinned }, then: { route: local, pin: true } }
  - { name: pinned-cloud, when: { tenant: vip }, then: { route: gpt-4o, pin: true } }
  - { name: json, when: { response_format: json_schema }, then: { route: local } }
  - { name: blocked, when: { tenant: blocked }, then: { deny: { message: "no" } } }
default: ${ruleThen}
`);
  const on = "sticky: { turns: 3 }";
  const stuck = (patch: Partial<{ target: string; turnsLeft: number; intent: string }> = {}) => ({
    sticky: { target: "gpt-4o", turnsLeft: 2, intent: "code", ...patch },
  });

  it.each([
    ["an escalation is remembered for N turns", on, { intent: "code" }, "gpt-4o-mini", false, { target: "gpt-4o-mini", turnsLeft: 3, intent: "code" }],
    ["a local answer remembers nothing", on, { intent: "faq" }, "local-slm", false, null],
    ["a sticky session overrides an unpinned rule", on, { intent: "code", ...stuck() }, "gpt-4o", true, { target: "gpt-4o", turnsLeft: 1, intent: "code" }],
    ["without an intent the session stays", on, { intent: undefined, unsure: undefined, confidence: undefined, ...stuck() }, "gpt-4o", true, { target: "gpt-4o", turnsLeft: 1, intent: "code" }],
    ["the last sticky turn clears the session", on, { intent: "code", ...stuck({ turnsLeft: 1 }) }, "gpt-4o", true, null],
    ["a session without turns left does not apply", on, { intent: "faq", ...stuck({ turnsLeft: 0 }) }, "local-slm", false, null],
    ["a changed intent ends it", on, { intent: "faq", ...stuck() }, "local-slm", false, null],
    ["…unless until_intent_changes is false", "sticky: { turns: 3, until_intent_changes: false }", { intent: "faq", ...stuck() }, "gpt-4o", true, { target: "gpt-4o", turnsLeft: 1, intent: "code" }],
    ["a pinned rule wins and keeps the session for later", on, { tenant: "pinned", ...stuck() }, "local-slm", false, { target: "gpt-4o", turnsLeft: 2, intent: "code" }],
    ["a pinned cloud choice is a detour: it keeps the session as it was", on, { tenant: "vip", intent: "faq", ...stuck({ target: "gpt-4o-mini" }) }, "gpt-4o", false, { target: "gpt-4o-mini", turnsLeft: 2, intent: "code" }],
    ["a pinned cloud choice starts no session", on, { tenant: "vip", intent: "faq" }, "gpt-4o", false, null],
    ["a sticky target that cannot serve the request is skipped", on, { intent: "code", responseFormat: "json_schema", ...stuck({ target: "claude" }) }, "gpt-4o-mini", false, { target: "gpt-4o-mini", turnsLeft: 3, intent: "code" }],
    ["an unknown sticky target is ignored", on, { intent: "faq", ...stuck({ target: "gone", intent: "faq" }) }, "local-slm", false, null],
    ["the rule choosing the sticky target again restarts the count", on, { intent: "code", ...stuck({ target: "gpt-4o-mini", turnsLeft: 1 }) }, "gpt-4o-mini", true, { target: "gpt-4o-mini", turnsLeft: 3, intent: "code" }],
    ["with escalations_only false a local target sticks too", "sticky: { turns: 2, escalations_only: false }", { intent: "faq" }, "local-slm", false, { target: "local-slm", turnsLeft: 2, intent: "faq" }],
    ["sticky off: the session is ignored and nothing is remembered", "", { intent: "faq", ...stuck() }, "local-slm", false, null],
  ] as const)("%s", (_label, sticky, patch, model, applied, remember) => {
    const decision = route(decide(features(patch as Partial<RequestFeatures>), policy(sticky)));
    expect(decision.model).toBe(model);
    expect(decision.sticky.applied).toBe(applied);
    expect(decision.sticky.remember).toEqual(remember);
  });

  it("says why an offered session was not applied", () => {
    expect(decide(features({ intent: "faq", ...stuck() }), policy(on)).sticky.note).toBe("sticky: intent changed");
    expect(decide(features({ tenant: "pinned", ...stuck() }), policy(on)).sticky.note).toBe("sticky: rule is pinned");
    expect(decide(features({ ...stuck({ turnsLeft: 0 }) }), policy(on)).sticky.note).toBe("sticky: no turns left");
    expect(decide(features({ intent: "code", hasImages: true, ...stuck({ target: "local-slm" }) }), policy(on)).sticky.note).toBe(
      "sticky: local-slm: no vision (images)",
    );
  });

  it("a deny leaves the session as it was", () => {
    const decision = decide(features({ tenant: "blocked", ...stuck() }), policy(on));
    expect(decision.kind).toBe("deny");
    expect(decision.sticky.remember).toEqual(stuck().sticky);
  });

  it("puts the rule's own chain behind the sticky target", () => {
    const decision = route(decide(features({ intent: "faq", ...stuck({ intent: "faq" }) }), policy(on, "{ route: local, fallbacks: [gpt-4o, claude] }")));
    expect(decision.model).toBe("gpt-4o");
    expect(decision.fallbacks).toEqual(["local-slm", "claude"]);
  });
});

describe("decide: purity", () => {
  const policy = compile(`
version: 1
sticky: { turns: 2 }
rules:
  - { name: pii, when: { pii_found: any }, then: { route: local, fallbacks: [cloud] } }
  - { name: tools, when: { tools: true }, then: { route: cloud } }
default: { route: intent_default, fallbacks: [local, cloud] }
`);

  function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object") {
      for (const child of Object.values(value)) deepFreeze(child);
      Object.freeze(value);
    }
    return value;
  }

  it("gives the same decision for the same input, never touching the input", () => {
    const inputs = [
      features(),
      features({ piiTypes: ["EMAIL_ADDRESS"], hasTools: true }),
      features({ intent: "code", sticky: { target: "gpt-4o", turnsLeft: 1, intent: "code" } }),
      features({ intent: undefined, confidence: undefined, unsure: undefined, promptTokens: 200_000 }),
    ].map(deepFreeze);
    for (const input of inputs) {
      const before = JSON.stringify(input);
      const first = decide(input, policy);
      const second = decide(input, policy);
      expect(second).toEqual(first);
      expect(JSON.stringify(input)).toBe(before);
    }
  });

  it("records the deciding policy's version", () => {
    expect(decide(features(), policy).policy).toBe("test");
  });
});
