/**
 * A CLI run whose stdout cannot be written (`> /dev/full`, a full disk): one line on stderr and exit 1,
 * since the output is lost. Before, `classifier predict > /dev/full` died with a stack trace from
 * main.ts (its stdout 'error' listener threw), and on one input line exited 0 with the answer lost.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

const DEFAULT_MODEL = resolve(import.meta.dirname, "../../classifiers/default");

describe.runIf(existsSync("/dev/full"))("a CLI command whose stdout is full", { timeout: 60_000 }, () => {
  it("classifier predict on one line exits 1 with one line on stderr, named by its command words", async () => {
    const result = await runCliProcess(["classifier", "predict", "--model", DEFAULT_MODEL], { stdin: '{"text":"hi"}\n', stdoutPath: "/dev/full" });
    expect(result.stderr).toMatch(/^classifier predict: cannot write the output to stdout \(ENOSPC[^\n]*\)[^\n]*\n$/);
    expect(result.code).toBe(1);
  });

  it("classifier predict on several lines exits 1 with one line on stderr", async () => {
    const result = await runCliProcess(["classifier", "predict", "--model", DEFAULT_MODEL], {
      stdin: '{"text":"hi"}\n{"text":"wake me at 7"}\n{"text":"play jazz"}\n',
      stdoutPath: "/dev/full",
    });
    expect(result.stderr).toMatch(/^classifier predict: cannot write the output to stdout \(ENOSPC[^\n]*\)[^\n]*\n$/);
    expect(result.code).toBe(1);
  });

  it("classifier --help exits 1 with one line on stderr", async () => {
    const result = await runCliProcess(["classifier", "--help"], { stdoutPath: "/dev/full" });
    expect(result.stderr).toMatch(/^classifier: cannot write the output to stdout \(ENOSPC[^\n]*\)[^\n]*\n$/);
    expect(result.code).toBe(1);
  });
});
