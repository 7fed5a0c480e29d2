/**
 * Review of the classifier CLI contract: input encodings, bad files and options, and what `--out`
 * may replace. Run in-process with captured output; one tiny model is trained once for all.
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifierCommand } from "../../classifiers/cli.js";
import { ClassifierModelError, loadIntentClassifier } from "../../classifiers/index.js";
import { UsageError } from "../../src/cli/command.js";
import { runInProcess } from "../support/cli-io.js";
import { tempDir, trainingExamples, writeJsonl } from "./fixtures.js";

const root = join(import.meta.dirname, "..", "..");

function run(args: string[], stdin?: Readable): Promise<{ code: number; stdout: string; stderr: string }> {
  return runInProcess(classifierCommand, args, { stdin, env: process.env, cwd: root });
}

const BOM = "\uFEFF";
/** Two intents, a few examples each: enough to train in a couple of seconds. */
const tiny = trainingExamples.filter((e) => e.label === "music" || e.label === "alarm").slice(0, 40);

describe("classifier CLI review", () => {
  let dir: string;
  let model: string;
  beforeAll(async () => {
    dir = await tempDir("switchyard-review-cli-");
    model = join(dir, "model");
    const data = await writeJsonl(join(dir, "tiny.jsonl"), tiny);
    const result = await run(["train", "--data", data, "--out", model]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("train reads JSONL and CSV saved with a UTF-8 BOM and CRLF line endings", async () => {
    const jsonl = join(dir, "bom.jsonl");
    await writeFile(jsonl, BOM + tiny.map((e) => JSON.stringify(e)).join("\r\n") + "\r\n");
    const csv = join(dir, "bom.csv");
    await writeFile(csv, `${BOM}text,label\r\n${tiny.map((e) => `"${e.text}",${e.label}`).join("\r\n")}\r\n`);
    for (const file of [jsonl, csv]) {
      const result = await run(["train", "--data", file, "--out", join(dir, "bom-model"), "--val-split", "0.2"]);
      expect(result.stderr, file).toBe("");
      expect(result.stdout, file).toMatch(/examples\s+40 \(2 labels/);
    }
  }, 120_000);

  it("train reads a CSV header with spaces after the commas", async () => {
    const csv = join(dir, "spaced.csv");
    await writeFile(csv, `text, label\n${tiny.map((e) => `"${e.text}", ${e.label}`).join("\n")}\n`);
    const result = await run(["train", "--data", csv, "--out", join(dir, "spaced-model")]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/examples\s+40 \(2 labels/);
  }, 120_000);

  it("predict reads stdin that starts with a BOM", async () => {
    const result = await run(["predict", "--model", model], Readable.from([`${BOM}{"text":"play some jazz"}\r\n`, '{"text":"wake me up at 7"}\r\n']));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line).text)).toEqual(["play some jazz", "wake me up at 7"]);
  });

  it("predict's error for a line without a text asks for {\"text\"}, not a label", async () => {
    const result = await run(["predict", "--model", model], Readable.from(['{"txt":"hi"}\n']));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/stdin:1: expected \{"text"\}: text /);
  });

  it("predict answers each line as it arrives (does not wait for the end of stdin)", async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const firstLine = new Promise<string>((resolve) => stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())));
    const done = classifierCommand.run(["predict", "--model", model], { stdin, stdout, stderr: new PassThrough(), env: process.env, cwd: root });
    stdin.write('{"text":"play some jazz"}\n');
    expect(JSON.parse(await firstLine).text).toBe("play some jazz");
    stdin.end();
    expect(await done).toBe(0);
  });

  it("predict stops quietly when stdout's reader goes away (predict | head)", async () => {
    let written = 0;
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        written++;
        callback(written > 1 ? Object.assign(new Error("write EPIPE"), { code: "EPIPE" }) : null);
      },
    });
    const lines = Array.from({ length: 200 }, () => '{"text":"play some jazz"}\n');
    const code = await classifierCommand.run(["predict", "--model", model], {
      stdin: Readable.from(lines),
      stdout,
      stderr: new PassThrough(),
      env: process.env,
      cwd: root,
    });
    expect(code).toBe(0);
    expect(written).toBeLessThan(10);
  });

  it("a missing --data or --unknown file is a clear error, not a stack trace", async () => {
    const train = await run(["train", "--data", join(dir, "nope.jsonl"), "--out", join(dir, "never")]);
    expect(train.code).toBe(1);
    expect(train.stderr).toMatch(/nope\.jsonl: cannot read the file \(no such file\)/);
    // A mistyped path without its extension: the file is missing, which matters more than its format.
    const typo = await run(["train", "--data", join(dir, "examples"), "--out", join(dir, "never")]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/examples: cannot read the file \(no such file\)/);
    const data = await writeJsonl(join(dir, "eval.jsonl"), tiny.slice(0, 4));
    const evaluation = await run(["eval", "--model", model, "--data", data, "--unknown", join(dir, "missing-unknown.jsonl")]);
    expect(evaluation.code).toBe(1);
    expect(evaluation.stderr).toMatch(/missing-unknown\.jsonl: cannot read the file \(no such file\)/);
  });

  it("eval --unknown given a CSV or YAML file says it wants JSONL", async () => {
    const data = await writeJsonl(join(dir, "eval.jsonl"), tiny.slice(0, 4));
    const unknown = join(dir, "unknown.csv");
    await writeFile(unknown, "text\ntransfer money\n");
    const result = await run(["eval", "--model", model, "--data", data, "--unknown", unknown]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown\.csv: --unknown takes JSONL/);
  });

  it("a corrupt switchyard.json is a ClassifierModelError (predict exits 1 with the folder)", async () => {
    const broken = join(dir, "corrupt");
    await cp(model, broken, { recursive: true });
    await writeFile(join(broken, "switchyard.json"), "{not json");
    await expect(loadIntentClassifier(broken)).rejects.toBeInstanceOf(ClassifierModelError);
    const result = await run(["predict", "--model", broken], Readable.from(['{"text":"hi"}\n']));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/corrupt: invalid switchyard\.json: not JSON/);
  });

  it("a Switchyard model folder without switchyard.json names the missing file", async () => {
    const partial = join(dir, "partial");
    await cp(model, partial, { recursive: true });
    await rm(join(partial, "switchyard.json"));
    await expect(loadIntentClassifier(partial)).rejects.toThrow(/switchyard\.json is missing/);
  });

  it("--out never replaces a folder that is not a model folder, nor a file", async () => {
    const data = join(dir, "tiny.jsonl");
    const notes = join(dir, "notes");
    await mkdir(notes);
    await writeFile(join(notes, "todo.txt"), "keep me");
    const folder = await run(["train", "--data", data, "--out", notes]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(/notes: exists and is not a model folder/);
    expect(await readFile(join(notes, "todo.txt"), "utf8")).toBe("keep me");
    // A project folder with a config.json of its own is no model folder either.
    await writeFile(join(notes, "config.json"), "{}");
    expect((await run(["train", "--data", data, "--out", notes])).code).toBe(1);
    expect(await readFile(join(notes, "todo.txt"), "utf8")).toBe("keep me");
    const file = join(dir, "report.txt");
    await writeFile(file, "keep me too");
    const onFile = await run(["train", "--data", data, "--out", file]);
    expect(onFile.code).toBe(1);
    expect(await readFile(file, "utf8")).toBe("keep me too");
    expect((await readdir(dir)).filter((name) => name.includes(".tmp-"))).toEqual([]);
    // An existing model folder, and an empty folder, are still replaced.
    const empty = join(dir, "empty-out");
    await mkdir(empty);
    expect((await run(["train", "--data", data, "--out", empty])).code).toBe(0);
    expect((await run(["train", "--data", data, "--out", empty])).code).toBe(0);
  }, 120_000);

  it("numeric options: a blank value or a fractional --seed is a usage error", async () => {
    const data = join(dir, "tiny.jsonl");
    await expect(run(["train", "--data", data, "--out", join(dir, "x"), "--seed", "1.5"])).rejects.toThrow(UsageError);
    await expect(run(["train", "--data", data, "--out", join(dir, "x"), "--val-split", ""])).rejects.toThrow(UsageError);
    await expect(run(["train", "--data", data, "--out", join(dir, "x"), "--val-split", " "])).rejects.toThrow(UsageError);
  });

  it("intents YAML schema errors name the line; an empty file says so", async () => {
    const yaml = join(dir, "intents.yaml");
    await writeFile(
      yaml,
      "version: 1\nintents:\n  greet:\n    route: local\n    description: Greetings.\n    examples: [hi]\n  leave:\n    route: moon\n    description: Goodbyes.\n    examples: [bye]\n",
    );
    const result = await run(["train", "--data", yaml, "--out", join(dir, "never")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/intents\.yaml:8: intents\.leave\.route/);
    await writeFile(yaml, "");
    expect((await run(["train", "--data", yaml, "--out", join(dir, "never")])).stderr).toMatch(/intents\.yaml: no intents \(the file is empty\)/);
  });
});
