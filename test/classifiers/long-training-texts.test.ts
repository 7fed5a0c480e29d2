/**
 * The classifier reads the head of a text (MAX_CHARACTERS of it, normalised); training reads the same
 * head of each example. Before, training tokenized, counted and listed the words of whole examples:
 * a 5 MB example took 40 s more to train (a 100 MB one, minutes and gigabytes), and the model's
 * vocabulary and in-scope word lists held characters and words of tails it never reads.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { tempDir, trainingExamples, writeJsonl } from "./fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await tempDir("switchyard-long-texts-");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("classifier train on examples longer than the classifier reads", () => {
  it("learns nothing from their tails: no tail-only character in the vocabulary, no tail-only word in the in-scope lists", async () => {
    const tiny = trainingExamples.filter((e) => e.label === "music" || e.label === "alarm").slice(0, 24);
    const tail = " λλλ λλλ zzztailword".repeat(100);
    const long = { text: `play some jazz ${"and more jazz ".repeat(200)}${tail}`, label: "music" };
    const data = await writeJsonl(join(dir, "long.jsonl"), [...tiny, long, { ...long, text: `put on rock ${long.text}` }]);
    const model = join(dir, "model");
    const result = await runCliProcess(["classifier", "train", "--data", data, "--out", model, "--in-scope-rule", "on"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await readFile(join(model, "tokenizer.json"), "utf8")).not.toContain("λ");
    const metadata = JSON.parse(await readFile(join(model, "switchyard.json"), "utf8")) as { inScope: { words: string[] } };
    expect(metadata.inScope.words.join(" ")).toContain("jazz");
    expect(metadata.inScope.words.join(" ")).not.toContain("zzztailword");
  }, 120_000);
});
