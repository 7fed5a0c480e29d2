/**
 * Every YAML example in docs/POLICIES.md must be a valid policy (fragments are completed with a
 * `version`, `rules:` and `default`), checked against the shipped models.yaml and intents.yaml.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/config/load.js";
import { catalogFromRegistry } from "../../src/policy/catalog.js";
import { parseIntents } from "../../src/policy/check-files.js";
import { compileRoutingText } from "../../src/policy/load.js";

const root = resolve(import.meta.dirname, "../..");
const doc = readFileSync(resolve(root, "docs/POLICIES.md"), "utf8");
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

function complete(block: string): string {
  let text = block.replace(/^default: \{ … \}/m, "default: { route: local }").replace(/: \{ … \}/g, ": {}").replace(/: \[ … \]/g, ": []");
  if (/^\s+- name:/.test(text)) text = `rules:\n${text}`;
  if (/^sticky:/m.test(text) && !/^rules:/m.test(text)) text += "\nrules: []\n";
  if (!/^version:/m.test(text)) text = `version: 1\n${text}`;
  if (!/^default:/m.test(text)) text += "\ndefault: { route: local }\n";
  return text;
}

describe("docs/POLICIES.md examples", () => {
  it("has examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });

  it.each(blocks.map((block, i) => [i, block] as const))("example %i compiles", async (_i, block) => {
    const { registry } = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: resolve(root, "policies") }, root);
    const intents = parseIntents("intents.yaml", readFileSync(resolve(root, "policies/intents.yaml"), "utf8"));
    const text = complete(block);
    if (block.startsWith("# policies/budgets.yaml")) return; // usage accounting's file, not a routing policy
    if (/^(\s*- name:|rules:|version:|sticky:)/m.test(block) || /^default:/m.test(block)) {
      expect(() => compileRoutingText({ file: "example.yaml", text, catalog: catalogFromRegistry(registry), intents }), text).not.toThrow();
    }
  });
});
