/**
 * `SWITCHYARD_CLASSIFIER_DIR` naming no model stops start-up with one line that names the variable
 * and says what is wrong, exit 1; before, a raw ClassifierModelError stack that never named it.
 */
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

// Should the check fail and the gateway start, it must not outlive the test.
const serve = (env: Record<string, string>) => runCliProcess(["serve"], { env: { PORT: "0", ...env }, killAfterMs: 60_000 });

describe("serve with SWITCHYARD_CLASSIFIER_DIR set to a missing folder", { timeout: 90_000 }, () => {
  it("prints one line naming the variable and the problem, exit 1", async () => {
    const { code, stderr } = await serve({ SWITCHYARD_CLASSIFIER_DIR: "/nonexistent-switchyard-model" });
    expect(stderr).toBe("switchyard: SWITCHYARD_CLASSIFIER_DIR: cannot load the intent classifier: /nonexistent-switchyard-model: no such folder\n");
    expect(code).toBe(1);
  });
});
