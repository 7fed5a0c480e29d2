/**
 * A data file larger than the longest string Node.js can hold (512 MiB) is refused with its size and
 * what to do, exit 1. Before, `classifier train` died with "Cannot create a string longer than
 * 0x1fffffe8 characters" and a stack trace. (The file here is sparse: no disk is used for it.)
 */
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { useTempDir } from "./fixtures.js";

const dir = useTempDir("switchyard-too-large-");

describe("a data file too large to read as text", () => {
  it("train says so with its size, exit 1, no stack trace, nothing written", async () => {
    const data = join(dir(), "dump.jsonl");
    const file = await open(data, "w");
    await file.truncate(600 * 1024 * 1024);
    await file.close();
    const result = await runCliProcess(["classifier", "train", "--data", data, "--out", join(dir(), "model")]);
    expect(result.stderr).toMatch(new RegExp(`^classifier train: ${data}: too large to read \\(600 MiB\\): a data file is read whole, as text of at most \\d+ MiB; split or sample it\\n$`));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(await readdir(dir())).toEqual(["dump.jsonl"]);
  }, 60_000);
});
