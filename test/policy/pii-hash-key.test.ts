/**
 * A routing rule whose action is `pii: hash` needs the HMAC key pii.yaml names in `hash.key_env`
 * (SWITCHYARD_PII_HASH_KEY in the shipped file): without it every matching request with personal data
 * would fail 503 at egress, so the policy is refused where it is loaded — `policy check`, start-up, reload.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { compileRoutingText } from "../../src/policy/load.js";
import { capturedIO } from "../support/cli-io.js";
import { catalog, INTENTS, policyDir } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");
const HASHING = "version: 1\nrules:\n  - name: hash-to-cloud\n    when: { pii_found: any }\n    then: { route: cloud, pii: hash }\ndefault: { route: cloud }\n";

const io = (env: NodeJS.ProcessEnv) => capturedIO({ cwd: REPO, env, stdin: "" });

describe("pii: hash in routing.yaml", () => {
  it("is a problem at the action's line when the hash key is not set", () => {
    const compile = (set: boolean) =>
      compileRoutingText({ file: "routing.yaml", text: HASHING, catalog: catalog(), intents: INTENTS, piiHashKey: { env: "SWITCHYARD_PII_HASH_KEY", set } });
    expect(() => compile(false)).toThrow(
      /^routing\.yaml:5:32: rules\[0\]\.then\.pii: `hash` needs an HMAC key, but SWITCHYARD_PII_HASH_KEY \(pii\.yaml hash\.key_env\) is not set$/,
    );
    expect(() => compile(true)).not.toThrow();
  });

  describe("policy check", () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const fn of cleanup.splice(0)) await fn();
    });

    it("fails naming the variable pii.yaml reads the key from, and passes once it is set", async () => {
      const pii = (await readFile(join(REPO, "policies", "pii.yaml"), "utf8")).replace(/key_env: \S+/, "key_env: TEAM_HASH_KEY");
      const dir = await policyDir({ "pii.yaml": pii, "routing.yaml": HASHING });
      cleanup.push(dir.remove);
      const without = io({});
      expect(await createPolicyCommand({ classifierDir: "/nonexistent" }).run(["check", dir.dir], without)).toBe(1);
      expect(without.err()).toContain(`${join(dir.dir, "routing.yaml")}:5:32: rules[0].then.pii: \`hash\` needs an HMAC key, but TEAM_HASH_KEY (pii.yaml hash.key_env) is not set`);
      expect(await createPolicyCommand({ classifierDir: "/nonexistent" }).run(["check", dir.dir], io({ TEAM_HASH_KEY: "k" }))).toBe(0);
    });
  });
});
