/**
 * `policy check` checks what the gateway started the same way would load: the classifier
 * SWITCHYARD_CLASSIFIER_DIR names (refused as serve refuses it when it is no model), and relative
 * paths taken from the operator's directory — where `npm run` was typed (INIT_CWD), not the package
 * root npm runs the script in.
 */
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

const REPO = resolve(import.meta.dirname, "../..");
const SHIPPED = join(REPO, "policies");

describe("policy check: the classifier the gateway would load", { timeout: 60_000 }, () => {
  it("fails, in serve's words, when SWITCHYARD_CLASSIFIER_DIR names no model, instead of checking against the bundled one", async () => {
    const missing = join(tmpdir(), "switchyard-no-such-classifier");
    const { code, stdout, stderr } = await runCliProcess(["policy", "check", SHIPPED], { env: { SWITCHYARD_CLASSIFIER_DIR: missing } });
    expect(stdout).toBe("");
    expect(stderr).toBe(`SWITCHYARD_CLASSIFIER_DIR: cannot load the intent classifier: ${missing}: no such folder\n`);
    expect(code).toBe(1);
  });

  it("policy explain refuses it alike", async () => {
    const missing = join(tmpdir(), "switchyard-no-such-classifier");
    const { code, stderr } = await runCliProcess(["policy", "explain", "--request", "-", "--policy", SHIPPED], {
      env: { SWITCHYARD_CLASSIFIER_DIR: missing },
      stdin: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(stderr).toContain(`SWITCHYARD_CLASSIFIER_DIR: cannot load the intent classifier: ${missing}: no such folder`);
    expect(code).toBe(1);
  });
});
