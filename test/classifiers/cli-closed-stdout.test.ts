/**
 * A CLI run whose stdout reader has gone away (`… | head -1`, `| true`) before the command wrote:
 * the output is dropped quietly, with the command's own exit code. Before, every command but
 * `classifier predict` died on an unhandled 'error' event (EPIPE) with a stack trace and exit 1,
 * `classifier train` after having written its model.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { useTempDir, trainingExamples, writeJsonl } from "./fixtures.js";

/** The real CLI process with its stdout closed before it starts: every write it makes meets EPIPE. */
const runWithClosedStdout = (args: readonly string[]) => runCliProcess(args, { closeStdout: true });

const dir = useTempDir("switchyard-closed-stdout-");

describe("a CLI command whose stdout is closed", () => {
  it("classifier --help exits 0 without a stack trace", async () => {
    const { code, stderr } = await runWithClosedStdout(["classifier", "--help"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("classifier train still writes its model and exits 0, without a stack trace", async () => {
    const data = await writeJsonl(join(dir(), "train.jsonl"), trainingExamples.filter((e) => e.label === "music" || e.label === "alarm").slice(0, 24));
    const { code, stderr } = await runWithClosedStdout(["classifier", "train", "--data", data, "--out", join(dir(), "model")]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(await readdir(join(dir(), "model"))).toContain("switchyard.json");
  }, 120_000);
});
