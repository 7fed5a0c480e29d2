/**
 * `classifier train --in-scope-rule auto|on|off`: ops decide whether `unsure` also weighs word
 * coverage. The rule penalises words the intent's examples never used, so intents whose queries
 * carry text to handle (a sentence to translate, an e-mail to rewrite) may need it off; a small
 * example set gets it only when asked (`auto`: above 50 examples per intent).
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifierCommand } from "../../classifiers/cli.js";
import { tempDir, trainingExamples, writeJsonl } from "./fixtures.js";

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await tempDir();
  data = join(dir, "train.jsonl");
  await writeJsonl(data, trainingExamples);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function train(out: string, extra: string[]): Promise<{ format: number; inScope?: unknown }> {
  const io = { stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough(), env: process.env, cwd: dir };
  expect(await classifierCommand.run(["train", "--data", data, "--out", out, ...extra], io)).toBe(0);
  return JSON.parse(await readFile(join(dir, out, "switchyard.json"), "utf8"));
}

describe("classifier train --in-scope-rule", { timeout: 300_000 }, () => {
  it("auto (the default) leaves a small example set on confidence alone; on forces the rule", async () => {
    expect((await train("auto", [])).format).toBe(1);
    const on = await train("on", ["--in-scope-rule", "on"]);
    expect(on.format).toBe(2);
    expect(on.inScope).toMatchObject({ coverageWeight: 1 });
  });

  it("refuses any other value, naming the choices", async () => {
    const io = { stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough(), env: process.env, cwd: dir };
    await expect(classifierCommand.run(["train", "--data", data, "--out", "x", "--in-scope-rule", "yes"], io)).rejects.toThrow(/--in-scope-rule must be auto, on or off/);
  });
});
