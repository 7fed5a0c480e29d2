/**
 * A CLI run whose stdout reader has gone away (`… | head -1`, `| true`) before the command wrote:
 * the output is dropped quietly, with the command's own exit code. Before, every command but
 * `classifier predict` died on an unhandled 'error' event (EPIPE) with a stack trace and exit 1,
 * `classifier train` after having written its model.
 */
import { spawn } from "node:child_process";
import { readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, trainingExamples, writeJsonl } from "./fixtures.js";

const REPO = resolve(import.meta.dirname, "../..");

/** The real CLI process with its stdout closed before it starts: every write it makes meets EPIPE. */
function runWithClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
  child.stdout.destroy();
  child.stdin.end();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.once("error", fail);
    child.once("close", (code) => done({ code, stderr }));
  });
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir("switchyard-closed-stdout-");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a CLI command whose stdout is closed", () => {
  it("classifier --help exits 0 without a stack trace", async () => {
    const { code, stderr } = await runWithClosedStdout(["classifier", "--help"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("classifier train still writes its model and exits 0, without a stack trace", async () => {
    const data = await writeJsonl(join(dir, "train.jsonl"), trainingExamples.filter((e) => e.label === "music" || e.label === "alarm").slice(0, 24));
    const { code, stderr } = await runWithClosedStdout(["classifier", "train", "--data", data, "--out", join(dir, "model")]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(await readdir(join(dir, "model"))).toContain("switchyard.json");
  }, 120_000);
});
