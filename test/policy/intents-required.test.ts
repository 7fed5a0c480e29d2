/**
 * intents.yaml is required when routing.yaml routes by intent (an `intent_default` target or an
 * `intent_route` condition): without it every such decision would silently fall to
 * `unclassified_route`. Loading (start-up, `policy check`) fails naming the file; a reload with it
 * deleted or renamed fails and keeps the previous version serving.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import { loadPolicyDir } from "../../src/policy/load.js";
import { PolicyStore } from "../../src/policy/store.js";
import { features, memoryLogger, policyDir } from "./support.js";

const INTENT_DEFAULT = "version: 1\nrules: []\ndefault: { route: intent_default }\n";
const INTENT_ROUTE = "version: 1\nrules:\n  - name: by-intent\n    when: { intent_route: local }\n    then: { route: local }\ndefault: { route: cloud }\n";
const NO_INTENTS = "version: 1\nrules:\n  - name: acme\n    when: { tenant: acme }\n    then: { route: local }\ndefault: { route: cloud }\n";

async function problemsOf(dir: string): Promise<string[]> {
  try {
    await loadPolicyDir({ dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe("intents.yaml is required for intent-based routing", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it.each([
    ["an intent_default target", INTENT_DEFAULT, /intent_default at default\.route/],
    ["an intent_route condition", INTENT_ROUTE, /intent_route at rules\[0\]\.when\.intent_route/],
  ])("%s without intents.yaml is an error naming the file", async (_label, routing, where) => {
    const dir = await policyDir({ "routing.yaml": routing, "intents.yaml": "" });
    cleanup.push(dir.remove);
    const problems = await problemsOf(dir.dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(dir.dir, "intents.yaml"));
    expect(problems[0]).toMatch(/file not found/);
    expect(problems[0]).toMatch(where);
  });

  it("a policy that does not route by intent loads without it", async () => {
    const dir = await policyDir({ "routing.yaml": NO_INTENTS, "intents.yaml": "" });
    cleanup.push(dir.remove);
    expect(await problemsOf(dir.dir)).toEqual([]);
  });

  it("a reload after intents.yaml was deleted fails and keeps the previous version", async () => {
    const dir = await policyDir({ "routing.yaml": INTENT_DEFAULT });
    cleanup.push(dir.remove);
    const store = await PolicyStore.open({ dir: dir.dir, log: memoryLogger().log, debounceMs: 30 });
    cleanup.push(() => store.close());
    const good = store.snapshot;
    // greeting's default route is local (test/policy/support.ts INTENTS_YAML)
    expect(store.decide(features({ intent: "greeting" })).decision).toMatchObject({ route: "local" });
    await rm(join(dir.dir, "intents.yaml"));
    const result = await store.reload("admin");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain(`${join(dir.dir, "intents.yaml")}: file not found; routing.yaml routes by intent (intent_default at default.route)`);
    expect(store.snapshot).toBe(good);
    expect(store.reloadFailures).toBe(1);
    expect(store.decide(features({ intent: "greeting" })).decision).toMatchObject({ route: "local" });
  });
});
