import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import { decide } from "../../src/policy/decide.js";
import { parseIntents } from "../../src/policy/check-files.js";
import { compileRoutingText, loadPolicyDir } from "../../src/policy/load.js";
import { catalog, features, INTENTS_YAML, policyDir, problemsOf } from "./support.js";

const VALID_HEAD = "version: 1\nrules:\n";

describe("routing.yaml schema", () => {
  it.each([
    [
      "an unknown condition (typo)",
      `${VALID_HEAD}  - name: a\n    when: { promt_tokens_above: 10 }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:11: rules\[0\]\.when: Unrecognized key: "promt_tokens_above"/,
    ],
    [
      "an unknown action key",
      `${VALID_HEAD}  - name: a\n    when: { tools: true }\n    then: { route: cloud, fallback: [local] }\ndefault: { route: local }\n`,
      /^routing\.yaml:5:11: rules\[0\]\.then: Unrecognized key: "fallback"/,
    ],
    ["a wrong type", `${VALID_HEAD}  - name: a\n    when: { tools: yes }\n    then: { route: cloud }\ndefault: { route: local }\n`, /^routing\.yaml:4:20: rules\[0\]\.when\.tools: .*boolean/],
    [
      "a boolean where a tenant id or a list of them goes",
      `${VALID_HEAD}  - name: a\n    when: { tenant: true }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:21: rules\[0\]\.when\.tenant: expected a tenant id, or a non-empty list of them$/,
    ],
    [
      "a tenant id YAML reads as a number (0042 is 42), which says to quote it",
      `${VALID_HEAD}  - name: a\n    when: { tenant: 0042 }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:21: rules\[0\]\.when\.tenant: a number where text goes: put the value in quotes as written \('0042', '3\.10'\); unquoted, YAML reads it as a number and drops leading and trailing zeros$/,
    ],
    [
      "an unknown response format",
      `${VALID_HEAD}  - name: a\n    when: { response_format: xml }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:30: rules\[0\]\.when\.response_format: expected one of text, json_object, json_schema, or a non-empty list of them$/,
    ],
    [
      "a PII type in lower case, in a list",
      `${VALID_HEAD}  - name: a\n    when: { pii_found: [EMAIL_ADDRESS, phone] }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:\d+: rules\[0\]\.when\.pii_found(\[1\])?: .*must be a PII entity type such as EMAIL_ADDRESS/,
    ],
    ["a missing default", `${VALID_HEAD}  - name: a\n    when: { tools: true }\n    then: { route: cloud }\n`, /^routing\.yaml:1:1: default: /],
    ["the wrong version", "version: 2\ndefault: { route: local }\n", /^routing\.yaml:1:10: version: /],
    [
      "route and deny together",
      `${VALID_HEAD}  - name: a\n    when: { tools: true }\n    then: { route: cloud, deny: { message: x } }\ndefault: { route: local }\n`,
      /^routing\.yaml:5:33: rules\[0\]\.then\.deny: an action either routes/,
    ],
    ["neither route nor deny", "version: 1\ndefault: { max_tokens: 10 }\n", /^routing\.yaml:2:10: default: an action needs `route`/],
    [
      "fallbacks on a deny",
      `version: 1\ndefault: { deny: { message: no }, fallbacks: [local] }\n`,
      /^routing\.yaml:2:46: default\.fallbacks: `fallbacks` has no effect on a deny action/,
    ],
    [
      "a rule without conditions",
      `${VALID_HEAD}  - name: a\n    when: {}\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:11: rules\[0\]\.when: needs at least one condition/,
    ],
    [
      "an empty `not`",
      `${VALID_HEAD}  - name: a\n    when: { not: {} }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:18: rules\[0\]\.when\.not: needs at least one condition/,
    ],
    [
      "an empty headers map (it would match every request)",
      `${VALID_HEAD}  - name: a\n    when: { headers: {} }\n    then: { deny: { message: no } }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:22: rules\[0\]\.when\.headers: needs at least one header \(an empty map would always hold\)$/,
    ],
    [
      "an empty metadata map inside `any`",
      `${VALID_HEAD}  - name: a\n    when: { any: [{ tools: true }, { metadata: {} }] }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:48: rules\[0\]\.when\.any\[1\]\.metadata: needs at least one metadata key \(an empty map would always hold\)$/,
    ],
    [
      "an empty headers map inside `not`",
      `${VALID_HEAD}  - name: a\n    when: { not: { headers: {} } }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:29: rules\[0\]\.when\.not\.headers: needs at least one header/,
    ],
    [
      "a number as a header match, which says to quote it",
      `${VALID_HEAD}  - name: a\n    when: { headers: { x-tier: 2 } }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:\d+: rules\[0\]\.when\.headers\.x-tier: a number where text goes: put the value in quotes as written \('0042', '3\.10'\); unquoted, YAML reads it as a number and drops leading and trailing zeros$/,
    ],
    [
      "a number in a list of metadata values, which says to quote it",
      `${VALID_HEAD}  - name: a\n    when: { metadata: { tier: [gold, 3] } }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:\d+: rules\[0\]\.when\.metadata\.tier: a number where text goes: put the value in quotes as written \('0042', '3\.10'\); unquoted, YAML reads it as a number and drops leading and trailing zeros$/,
    ],
    [
      "a mapping as a metadata match",
      `${VALID_HEAD}  - name: a\n    when: { metadata: { level: { eq: 3 } } }\n    then: { route: cloud }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:\d+: rules\[0\]\.when\.metadata\.level: expected a value, a non-empty list of values, or true \(present\) \/ false \(absent\)$/,
    ],
    [
      "duplicate rule names",
      `${VALID_HEAD}  - { name: a, when: { tools: true }, then: { route: cloud } }\n  - { name: a, when: { images: true }, then: { route: cloud } }\ndefault: { route: local }\n`,
      /^routing\.yaml:4:13: rules\[1\]\.name: duplicate rule name 'a' \(also rules\[0\]\)/,
    ],
    ["a bad PII entity type", `${VALID_HEAD}  - { name: a, when: { pii_found: [email] }, then: { route: local } }\ndefault: { route: local }\n`, /^routing\.yaml:3:36: rules\[0\]\.when\.pii_found\[0\]: must be a PII entity type/],
    ["an upper-case header name", `${VALID_HEAD}  - { name: a, when: { headers: { X-Team: ml } }, then: { route: local } }\ndefault: { route: local }\n`, /^routing\.yaml:3:\d+: rules\[0\]\.when\.headers\.X-Team: must be a lower-case HTTP header name/],
    ["an invalid PII action", "version: 1\ndefault: { route: local, pii: scramble }\n", /^routing\.yaml:2:31: default\.pii: /],
    ["a deny status outside 4xx/5xx", "version: 1\ndefault: { deny: { status: 200, message: x } }\n", /^routing\.yaml:2:28: default\.deny\.status: /],
    ["YAML syntax", "version: 1\ndefault: { route: local\n", /^routing\.yaml:\d+:\d+: /],
    ["a duplicate key", "version: 1\nversion: 1\ndefault: { route: local }\n", /^routing\.yaml:2:1: Map keys must be unique/],
  ])("rejects %s with file:line:col", (_label, text, pattern) => {
    const problems = problemsOf(text);
    expect(problems.some((p) => pattern.test(p)), problems.join("\n")).toBe(true);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf(`${VALID_HEAD}  - { name: a, when: { tools: maybe }, then: { route: cloud } }\n  - { name: b, when: { imges: true }, then: { route: cloud } }\ndefault: { route: local, max_tokens: -1 }\n`);
    expect(problems).toHaveLength(3);
  });
});

describe("routing.yaml references", () => {
  it("rejects an unknown target model, naming what exists", () => {
    const problems = problemsOf(`${VALID_HEAD}  - name: a\n    when: { tools: true }\n    then: { route: gpt-5, fallbacks: [local, claud] }\ndefault: { route: local }\n`);
    expect(problems).toEqual([
      expect.stringMatching(/^routing\.yaml:5:20: rules\[0\]\.then\.route: unknown model 'gpt-5'; models\.yaml declares: local-slm, pool-8k, gpt-4o-mini, gpt-4o, claude; special targets: intent_default, requested, local, cloud$/),
      expect.stringMatching(/^routing\.yaml:5:46: rules\[0\]\.then\.fallbacks\[1\]: unknown model 'claud'/),
    ]);
  });

  it("rejects local/cloud when models.yaml has no such default", () => {
    const noDefaults = catalog(undefined, { local: "missing", cloud: "missing" });
    expect(() => compileRoutingText({ file: "routing.yaml", text: "version: 1\ndefault: { route: cloud }\n", catalog: noDefaults })).toThrow(
      /routing\.yaml:2:19: default\.route: 'cloud' means models\.yaml's defaults\.cloud, which is not set/,
    );
    expect(() => compileRoutingText({ file: "routing.yaml", text: "version: 1\ndefault: { route: intent_default }\n", catalog: noDefaults })).toThrow(
      /intent_default may route to cloud, but models\.yaml has no defaults\.cloud/,
    );
  });

  it("rejects intents the classifier does not know, inside any/not too", () => {
    const text = `${VALID_HEAD}  - name: a\n    when: { intent: [code, cod] }\n    then: { route: cloud }\n  - name: b\n    when: { any: [{ not: { intent: gretting } }] }\n    then: { route: cloud }\ndefault: { route: local }\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^routing\.yaml:4:28: rules\[0\]\.when\.intent\[1\]: unknown intent 'cod'; the classifier knows: code, essay, faq, greeting, math$/),
      expect.stringMatching(/^routing\.yaml:7:36: rules\[1\]\.when\.any\[0\]\.not\.intent: unknown intent 'gretting'/),
    ]);
  });

  it("checks intents against the classifier's labels when given", () => {
    const text = `${VALID_HEAD}  - { name: a, when: { intent: essay }, then: { route: cloud } }\ndefault: { route: local }\n`;
    expect(problemsOf(text, { labels: ["greeting", "code"] })[0]).toMatch(/unknown intent 'essay'; the classifier knows: code, greeting/);
  });

  it("warns (without failing) when intent names cannot be checked and about unknown requested models", () => {
    const { warnings } = compileRoutingText({
      file: "routing.yaml",
      text: `${VALID_HEAD}  - { name: a, when: { intent: anything, model: gpt-9 }, then: { route: cloud } }\ndefault: { route: local }\n`,
      catalog: catalog(),
    });
    expect(warnings).toEqual([
      "routing.yaml: intent names are not checked: no classifier labels and no intents.yaml",
      expect.stringMatching(/^routing\.yaml:3:\d+: model 'gpt-9' is not in models\.yaml/),
    ]);
  });
});

describe("intents.yaml", () => {
  const intentsProblems = (text: string): string[] => {
    try {
      parseIntents("intents.yaml", text);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map(formatProblem);
      throw error;
    }
    throw new Error("expected a ConfigError");
  };

  it("reads each intent's name and route", () => {
    const info = parseIntents("intents.yaml", INTENTS_YAML);
    expect(info.names).toEqual(["greeting", "code"]);
    expect([...info.routes]).toEqual([
      ["greeting", "local"],
      ["code", "cloud"],
    ]);
  });

  it("reads the shipped file", () => {
    const info = parseIntents("intents.yaml", readFileSync(resolve(import.meta.dirname, "../../policies/intents.yaml"), "utf8"));
    expect(info.names).toContain("greeting_smalltalk");
    expect(info.routes.get("greeting_smalltalk")).toBe("local");
    expect(info.routes.size).toBe(info.names.length);
  });

  // A typo in `route` used to pass: the intent had no default route and went to unclassified_route.
  it("rejects a misspelt key at its own line, like the classifier's trainer does", () => {
    const text = "version: 1\nintents:\n  greeting:\n    rout: local\n    description: hi\n    examples: [hi]\n  code: { route: cloud, description: code, examples: [write code] }\n";
    expect(intentsProblems(text)).toEqual([
      expect.stringMatching(/^intents\.yaml:4:5: intents\.greeting\.route: /),
      'intents.yaml:4:5: intents.greeting: Unrecognized key: "rout"',
    ]);
  });

  it("rejects an intent without a route, or with a route other than local or cloud, with file:line:col", () => {
    const text = "version: 1\nintents:\n  greeting: { description: hi, examples: [hi] }\n  code: { route: edge, description: code, examples: [write code] }\n";
    expect(intentsProblems(text)).toEqual([
      expect.stringMatching(/^intents\.yaml:3:13: intents\.greeting\.route: /),
      expect.stringMatching(/^intents\.yaml:4:18: intents\.code\.route: /),
    ]);
  });

  it("rejects shapes the classifier cannot train on (a list of intents, unknown top-level keys)", () => {
    expect(intentsProblems("version: 1\nintents:\n  - { name: hi, route: local }\nlabels: [hi]\n")).toEqual([
      expect.stringMatching(/^intents\.yaml:3:3: intents: /),
      'intents.yaml:4:1: Unrecognized key: "labels"',
    ]);
  });
});

describe("loadPolicyDir", () => {
  const dirs: { remove(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => d.remove()));
  });

  it("loads the shipped policies/ directory against the shipped classifier labels", async () => {
    const shipped = resolve(import.meta.dirname, "../../policies");
    const { policy, files } = await loadPolicyDir({ dir: shipped });
    expect(files.map((f) => f.path.split("/").pop())).toEqual(expect.arrayContaining(["routing.yaml", "models.yaml", "intents.yaml"]));
    expect(policy.rules.length).toBeGreaterThan(5);
    // The shipped defaults, spot-checked.
    const f = (patch: Parameters<typeof features>[0]) => decide(features({ intent: "faq", ...patch }), policy);
    expect(f({})).toMatchObject({ kind: "route", model: "local-slm", rule: "default" });
    expect(f({ intent: "code_generation" })).toMatchObject({ kind: "route", route: "cloud", rule: "code-and-reasoning" });
    expect(f({ unsure: true })).toMatchObject({ kind: "route", route: "cloud", rule: "unsure" });
    expect(f({ hasTools: true })).toMatchObject({ kind: "route", route: "cloud", rule: "tools-or-images" });
    expect(f({ piiTypes: ["SECRET"] })).toMatchObject({ kind: "route", model: "local-slm", pii: "keep_local", fallbacks: [], degrade: {} });
    expect(f({ piiTypes: ["PERSON"], hasTools: true })).toMatchObject({ kind: "route", route: "cloud", rule: "personal-data-prefers-local" });
    expect(f({ promptTokens: 5000 })).toMatchObject({ kind: "route", route: "cloud", rule: "long-prompt" });
    expect(f({ local: { queueDepth: 20, healthy: true } })).toMatchObject({ kind: "route", route: "cloud", rule: "local-unavailable" });
    expect(f({ budgetExceeded: true, hasImages: true })).toMatchObject({ kind: "deny", status: 429, code: "budget_exceeded" });
    expect(f({ requestedModel: "gpt-4o", intent: "greeting_smalltalk" })).toMatchObject({ kind: "route", model: "gpt-4o", rule: "explicit-model" });
  });

  it("gives the same version for the same content and a new one when any file changes", async () => {
    const a = await policyDir();
    const b = await policyDir();
    dirs.push(a, b);
    const va = (await loadPolicyDir({ dir: a.dir })).policy.version;
    expect((await loadPolicyDir({ dir: b.dir })).policy.version).toBe(va);
    await b.write("intents.yaml", INTENTS_YAML.replace("greeting: { route: local", "greeting: { route: cloud"));
    expect((await loadPolicyDir({ dir: b.dir })).policy.version).not.toBe(va);
  });

  it("uses an injected registry instead of models.yaml", async () => {
    const d = await policyDir({ "models.yaml": "" });
    dirs.push(d);
    await expect(loadPolicyDir({ dir: d.dir })).rejects.toThrow(/models\.yaml: file not found/);
    const { loadGatewayConfig } = await import("../../src/config/load.js");
    const withModels = await policyDir();
    dirs.push(withModels);
    const { registry } = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: withModels.dir }, withModels.dir);
    const loaded = await loadPolicyDir({ dir: d.dir, registry });
    expect(loaded.files.map((f) => f.path.split("/").pop())).toEqual(["intents.yaml", "routing.yaml"]);
  });

  it("reports problems from every file together", async () => {
    const d = await policyDir({
      "models.yaml": "providers: {}\nmodels: {}\ndefaults: { local: nope }\n",
      "routing.yaml": "version: 1\ndefault: { route: local, colour: blue }\n",
    });
    dirs.push(d);
    const error = await loadPolicyDir({ dir: d.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).problems.map(formatProblem);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/models\.yaml:3:20: defaults\.local: unknown model 'nope'/), expect.stringMatching(/routing\.yaml:2:10: default: Unrecognized key: "colour"/)]),
    );
  });

  it("refuses a policy whose intents.yaml has a misspelt route, instead of sending that intent to unclassified_route", async () => {
    const d = await policyDir({ "intents.yaml": INTENTS_YAML.replace("greeting: { route: local", "greeting: { rout: local") });
    dirs.push(d);
    await expect(loadPolicyDir({ dir: d.dir })).rejects.toThrow(/intents\.yaml:4:13: intents\.greeting: Unrecognized key: "rout"/);
  });

  it("reports a missing routing.yaml", async () => {
    const d = await policyDir({ "routing.yaml": "" });
    dirs.push(d);
    await expect(loadPolicyDir({ dir: d.dir })).rejects.toThrow(/routing\.yaml: file not found/);
  });

  it("takes intents.yaml and models.yaml from the fallback directory (shadow candidates)", async () => {
    const active = await policyDir();
    const candidate = await policyDir({ "models.yaml": "", "intents.yaml": "" });
    dirs.push(active, candidate);
    const loaded = await loadPolicyDir({ dir: candidate.dir, fallbackDir: active.dir });
    expect(loaded.policy.intentRoutes.get("code")).toBe("cloud");
  });
});
