import { spawn } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifierCommand } from "../../classifiers/cli.js";
import { UsageError } from "../../src/cli/command.js";
import { runInProcess } from "../support/cli-io.js";
import { clearQueries, heldOutIntentQueries, tempDir, trainingExamples, writeJsonl } from "./fixtures.js";

const root = join(import.meta.dirname, "..", "..");

/** Runs the command in this process with captured output (for the many error cases). */
function inProcess(args: string[], stdin?: Readable): Promise<{ code: number; stdout: string; stderr: string }> {
  return runInProcess(classifierCommand, args, { stdin, env: process.env, cwd: root });
}

/** Runs `npx tsx src/main.ts classifier …` as a real subprocess. */
async function cli(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", "src/main.ts", "classifier", ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("classifier CLI (subprocess)", () => {
  let dir: string;
  let model: string;
  beforeAll(async () => {
    dir = await tempDir();
    model = join(dir, "model");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("train prints a report and writes the model folder", async () => {
    const data = await writeJsonl(join(dir, "train.jsonl"), trainingExamples);
    const result = await cli(["train", "--data", data, "--out", model, "--val-split", "0.2", "--target-precision", "0.9"]);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/examples\s+80 \(4 labels; 16 held out/);
    expect(result.stdout).toMatch(/unsure threshold\s+0\.\d+/);
    expect((await readdir(model)).sort()).toEqual(["config.json", "onnx", "switchyard.json", "tokenizer.json", "tokenizer_config.json"]);
  }, 120_000);

  it("predict writes one JSON line per input line, in order, and nothing else", async () => {
    const input = clearQueries.map(({ text }) => JSON.stringify({ text })).join("\n") + "\n";
    const result = await cli(["predict", "--model", model], input);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((line) => line.text)).toEqual(clearQueries.map((q) => q.text));
    for (const line of lines) expect(Object.keys(line)).toEqual(["text", "intent", "confidence", "unsure"]);
    expect(lines.filter((line, i) => line.intent === clearQueries[i]?.label).length).toBeGreaterThanOrEqual(clearQueries.length - 1);
  }, 60_000);

  it("eval prints JSON metrics, with unknown recall when given --unknown", async () => {
    const data = await writeJsonl(join(dir, "test.jsonl"), clearQueries);
    const unknown = await writeJsonl(join(dir, "unknown.jsonl"), heldOutIntentQueries.map((text) => ({ text })));
    const result = await cli(["eval", "--model", model, "--data", data, "--unknown", unknown]);
    expect(result.code).toBe(0);
    const metrics = JSON.parse(result.stdout);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(metrics.macroF1).toBeGreaterThan(0.8);
    expect(metrics.escalationRate).toBeGreaterThanOrEqual(0);
    expect(metrics.unknownRecall).toBeGreaterThanOrEqual(0.5);
    expect(metrics.latencyMs.p50).toBeGreaterThan(0);
    expect(metrics.latencyMs.p99).toBeGreaterThanOrEqual(metrics.latencyMs.p50);
  }, 60_000);

  it("bad data: clear error with the line, non-zero exit, and --out left untouched", async () => {
    const before = await readFile(join(model, "onnx", "model.onnx"));
    const cases: [string, string, RegExp][] = [
      ["empty.jsonl", "", /empty\.jsonl: no examples/],
      ["one.jsonl", '{"text":"a","label":"x"}\n{"text":"b","label":"x"}\n', /at least two labels/],
      ["blank.jsonl", '{"text":"a","label":"x"}\n{"text":"","label":"y"}\n', /blank\.jsonl:2: empty text/],
      ["broken.jsonl", '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\nnot json\n', /broken\.jsonl:3: malformed JSON/],
      ["data.txt", "a\tx\n", /unknown data format '\.txt'/],
    ];
    for (const [name, content, message] of cases) {
      await writeFile(join(dir, name), content);
      const result = await inProcess(["train", "--data", join(dir, name), "--out", model]);
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toMatch(message);
      expect(result.stdout, name).toBe("");
    }
    const subprocess = await cli(["train", "--data", join(dir, "broken.jsonl"), "--out", model]);
    expect(subprocess.code).toBe(1);
    expect(subprocess.stderr).toMatch(/broken\.jsonl:3: malformed JSON/);
    expect((await readFile(join(model, "onnx", "model.onnx"))).equals(before)).toBe(true);
    expect((await readdir(dir)).filter((name) => name.includes(".tmp-"))).toEqual([]);
    const fresh = join(dir, "never-written");
    expect((await inProcess(["train", "--data", join(dir, "empty.jsonl"), "--out", fresh])).code).toBe(1);
    await expect(readdir(fresh)).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it("predict stops at a malformed input line, naming it", async () => {
    const result = await inProcess(["predict", "--model", model], Readable.from(['{"text":"play some jazz"}\n', "not json\n"]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/stdin:2: malformed JSON/);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("usage errors are reported as UsageError (exit code 2 in main)", async () => {
    await expect(inProcess(["train", "--data", "x.jsonl"])).rejects.toThrow(/--out is required/);
    await expect(inProcess(["frobnicate"])).rejects.toBeInstanceOf(UsageError);
  });
});
