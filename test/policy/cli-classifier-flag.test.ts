/**
 * `policy check --classifier <dir>` is the pre-deploy check of a model folder the operator names: a
 * typo or a folder that is no model fails the check, as the gateway would refuse to start on it,
 * instead of passing with intent names checked against intents.yaml only.
 */
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

const SHIPPED = resolve(import.meta.dirname, "../../policies");
const SHIPPED_MODEL = resolve(import.meta.dirname, "../../classifiers/default");

describe("policy check --classifier", { timeout: 60_000 }, () => {
  it("fails, naming the flag and the folder, when the folder is no model", async () => {
    const missing = join(tmpdir(), "switchyard-typo-in-classifier-flag");
    const { code, stdout, stderr } = await runCliProcess(["policy", "check", SHIPPED, "--classifier", missing]);
    expect(stdout).toBe("");
    expect(stderr).toBe(`--classifier: cannot load the intent classifier: ${missing}: no such folder\n`);
    expect(code).toBe(1);
  });

  it("passes with a model folder whose labels the policy accepts", async () => {
    const { code, stdout } = await runCliProcess(["policy", "check", SHIPPED, "--classifier", SHIPPED_MODEL]);
    expect(stdout).toMatch(/^ok: /m);
    expect(code).toBe(0);
  });
});
