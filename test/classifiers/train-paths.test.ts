/**
 * `classifier train`'s paths: --out may not hold its own inputs, --encoder is a folder of the
 * operator's (checked before any training), and an --out that cannot be written is said so before
 * training, without a stack trace. Run in-process from a temporary "operator's directory".
 */
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifierCommand } from "../../classifiers/cli.js";
import { checkModelFolderTarget } from "../../classifiers/model-folder.js";
import { UsageError } from "../../src/cli/command.js";
import { runInProcess } from "../support/cli-io.js";
import { tempDir, trainingExamples, writeJsonl } from "./fixtures.js";
import { writeTinyEncoder, writeTinyTextClassifier } from "./tiny-hf-models.js";

const tiny = trainingExamples.filter((e) => e.label === "music" || e.label === "alarm").slice(0, 24);
const words = [...new Set(tiny.flatMap((e) => e.text.toLowerCase().split(/\W+/)).filter(Boolean))];

let cwd: string;

function run(args: string[], stdin?: Readable): Promise<{ code: number; stdout: string; stderr: string }> {
  return runInProcess(classifierCommand, args, { stdin, env: process.env, cwd });
}

beforeAll(async () => {
  cwd = await tempDir("switchyard-train-paths-");
  await writeJsonl(join(cwd, "train.jsonl"), tiny);
  await writeTinyEncoder(join(cwd, "enc"), words, 8);
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("--out that holds the training's own inputs", () => {
  it("--encoder inside --out is refused before anything is replaced", async () => {
    await writeTinyEncoder(join(cwd, "minilm"), words, 8);
    const before = (await readdir(join(cwd, "minilm"))).sort();
    const error = await run(["train", "--data", "train.jsonl", "--out", "minilm", "--encoder", "./minilm"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/--encoder .*minilm.* is inside --out/);
    expect((await readdir(join(cwd, "minilm"))).sort()).toEqual(before);
  });

  it("--data inside --out (also through a symlink) is refused and kept", async () => {
    await mkdir(join(cwd, "model"));
    await writeFile(join(cwd, "model", "switchyard.json"), "{}");
    await writeJsonl(join(cwd, "model", "train.jsonl"), tiny);
    await symlink(join(cwd, "model"), join(cwd, "model-link"));
    for (const out of ["model", "model-link", `${cwd}/./model/`]) {
      const error = await run(["train", "--data", "model/train.jsonl", "--out", out]).catch((caught: unknown) => caught);
      expect(error, out).toBeInstanceOf(UsageError);
      expect((error as Error).message, out).toMatch(/--data .*train\.jsonl is inside --out/);
    }
    expect(await readFile(join(cwd, "model", "train.jsonl"), "utf8")).toContain("alarm");
  });
});

describe("--encoder", () => {
  it("a missing or incomplete encoder folder is named, with what is missing (exit 1, no stack trace)", async () => {
    const missing = await run(["train", "--data", "train.jsonl", "--out", "m1", "--encoder", "./missing"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`classifier train: ${join(cwd, "missing")}: encoder folder: no such folder\n`);
    await mkdir(join(cwd, "half"));
    await writeFile(join(cwd, "half", "config.json"), "{}");
    const half = await run(["train", "--data", "train.jsonl", "--out", "m1", "--encoder", "./half"]);
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/half: incomplete encoder folder: missing tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx/);
  });

  it("a text-classification model given as encoder is said to be one", async () => {
    await writeTinyTextClassifier(join(cwd, "tc"), { play: 0, alarm: 1 }, ["music", "alarm"]);
    const result = await run(["train", "--data", "train.jsonl", "--out", "m1", "--encoder", "./tc"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/tc: not a feature-extraction encoder: its model has no last_hidden_state output \(outputs: logits\)/);
  });

  it("a bare relative folder is the operator's, not the package's", async () => {
    const result = await run(["train", "--data", "train.jsonl", "--out", "m2", "--encoder", "enc"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(await readFile(join(cwd, "m2", "switchyard.json"), "utf8")).encoder).toBe("../enc");
  });

  it("a model whose relative encoder path broke (copied elsewhere) names the encoder it looked for", async () => {
    await mkdir(join(cwd, "deploy"));
    await cp(join(cwd, "m2"), join(cwd, "deploy", "m2"), { recursive: true });
    const result = await run(["predict", "--model", "deploy/m2"], Readable.from(['{"text":"hi"}\n']));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/deploy\/m2: encoder '\.\.\/enc' \(relative to the model folder\): .*deploy\/enc: encoder folder: no such folder/);
  });
});

describe("--out that cannot be written", () => {
  it("under a file: said before training, exit 1, no stack trace", async () => {
    await writeFile(join(cwd, "afile"), "x");
    const result = await run(["train", "--data", "train.jsonl", "--out", "afile/model"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`classifier train: ${join(cwd, "afile", "model")}: cannot be created: ${join(cwd, "afile")} is not a folder\n`);
  });

  it.runIf(process.platform === "linux")("in a folder nothing can be created in (/proc): refused by the check that runs before training", async () => {
    await expect(checkModelFolderTarget("/proc/switchyard-model")).rejects.toThrow(/\/proc\/switchyard-model: cannot be created in \/proc \(ENOENT\)/);
    const result = await run(["train", "--data", "train.jsonl", "--out", "/proc/switchyard-model"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^classifier train: \/proc\/switchyard-model: cannot be created in \/proc/);
    expect(result.stdout).toBe("");
  });
});
