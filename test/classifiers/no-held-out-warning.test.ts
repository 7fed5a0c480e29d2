/**
 * `classifier train --val-split 0` holds nothing out, so nothing calibrates the model: its unsure
 * threshold is 0 and --target-precision is ignored. The report's "0 held out" said it only in
 * passing; a warning on stderr now says what it means (stdout stays the report).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { useTempDir, trainingExamples, writeJsonl } from "./fixtures.js";

const dir = useTempDir("switchyard-no-held-out-");

describe("classifier train with nothing held out", () => {
  it("--val-split 0 trains, and warns on stderr that the model is not calibrated", async () => {
    const data = await writeJsonl(join(dir(), "train.jsonl"), trainingExamples.filter((e) => e.label === "music" || e.label === "alarm").slice(0, 24));
    const result = await runCliProcess(["classifier", "train", "--data", data, "--out", join(dir(), "model"), "--val-split", "0", "--target-precision", "0.99"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/0 held out for calibration/);
    expect(result.stderr).toBe(
      "warning: no examples were held out for calibration (--val-split 0): --target-precision was not applied: the unsure threshold is 0, so the model is unsure (escalates) only of text it has no evidence on; train with --val-split 0.1 or more\n",
    );
  }, 120_000);
});
