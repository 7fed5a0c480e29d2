/**
 * A required policy file saved as `.yml` — routing.yml, models.yml, intents.yml (required while
 * routing.yaml routes by intent) — left `policy check` (and the
 * gateway's start-up) saying only `routing.yaml: file not found`, though the operator's file was right
 * there. The problem now names it and the rename to make.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess as cli } from "../support/cli-process.js";
import { INTENTS_YAML, MODELS_YAML, policyDir, ROUTING_YAML } from "./support.js";

describe("policy check with a required file saved as .yml", { timeout: 60_000 }, () => {
  it.each([
    ["routing", ROUTING_YAML],
    ["models", MODELS_YAML],
    ["intents", INTENTS_YAML],
  ])("names %s.yml and the rename", async (name, text) => {
    const dir = await policyDir({ [`${name}.yaml`]: "", [`${name}.yml`]: text });
    try {
      const { code, stderr } = await cli(["policy", "check", dir.dir, "--classifier", "none"]);
      expect(stderr).toContain(`${join(dir.dir, `${name}.yaml`)}: file not found`);
      expect(stderr).toContain(`${name}.yml is there: the gateway reads ${name}.yaml, rename it`);
      expect(code).toBe(1);
    } finally {
      await dir.remove();
    }
  });

  it("says only 'file not found' when there is no .yml either", async () => {
    const dir = await policyDir({ "routing.yaml": "" });
    try {
      const { code, stderr } = await cli(["policy", "check", dir.dir, "--classifier", "none"]);
      expect(stderr).toContain(`${join(dir.dir, "routing.yaml")}: file not found\n`);
      expect(code).toBe(1);
    } finally {
      await dir.remove();
    }
  });
});
