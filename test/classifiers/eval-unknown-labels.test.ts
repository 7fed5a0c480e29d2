/**
 * `classifier eval` with --data labels the model was not trained on: every example of such a label is
 * scored as a miss, which looks like a weak model. The command says so on stderr, naming the labels;
 * stdout stays the JSON metrics alone (scripts parse it).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifierCommand } from "../../classifiers/cli.js";
import { runInProcess } from "../support/cli-io.js";
import { tempDir, writeJsonl } from "./fixtures.js";

const root = join(import.meta.dirname, "..", "..");
const model = join(root, "classifiers", "default");

const evaluate = (data: string) => runInProcess(classifierCommand, ["eval", "--model", model, "--data", data], { env: process.env, cwd: root });

describe("classifier eval: labels the model does not know", { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("warns on stderr with the unknown labels; stdout is the JSON metrics only", async () => {
    const data = await writeJsonl(join(dir, "mixed.jsonl"), [
      { text: "translate good night into French", label: "translate_text" },
      { text: "I want my money back for order 1234", label: "refund_request" },
      { text: "refund me now", label: "refund_request" },
      { text: "cancel my subscription", label: "cancel_plan" },
    ]);
    const { code, stdout, stderr } = await evaluate(data);
    expect(code).toBe(0);
    expect(() => JSON.parse(stdout)).not.toThrow();
    expect(stderr).toMatch(/^warning: .*mixed\.jsonl.*\n$/);
    expect(stderr).toContain("cancel_plan (1 example)");
    expect(stderr).toContain("refund_request (2 examples)");
    expect(stderr).not.toContain("translate_text");
  });

  it("says nothing when every label is the model's", async () => {
    const data = await writeJsonl(join(dir, "known.jsonl"), [{ text: "translate good night into French", label: "translate_text" }]);
    const { code, stdout, stderr } = await evaluate(data);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toHaveProperty("accuracy");
    expect(stderr).toBe("");
  });
});
