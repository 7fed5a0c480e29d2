import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIntentClassifier, type IntentClassifier } from "../../classifiers/index.js";
import { writeModelFolder } from "../../classifiers/model-folder.js";
import { ModelMetadataSchema } from "../../classifiers/model-metadata.js";
import { SMALL_DATA_EXAMPLES_PER_INTENT, TrainClassifierOptionsSchema, trainNgramClassifier } from "../../classifiers/training/train-classifier.js";
import { clearQueries, tempDir, trainingExamples, type Example } from "./fixtures.js";

async function trainedMembers(examples: readonly Example[], options: object): Promise<{ members: string[]; dir: string }> {
  const dir = await tempDir();
  const { files } = await trainNgramClassifier(examples, TrainClassifierOptionsSchema.parse({ valSplit: 0.2, ...options }));
  await writeModelFolder(join(dir, "model"), files);
  const metadata = ModelMetadataSchema.parse(JSON.parse(await readFile(join(dir, "model", "switchyard.json"), "utf8")));
  if (metadata.kind !== "ngram") throw new Error(`expected an n-gram model, got ${metadata.kind}`);
  return { members: metadata.members, dir };
}

describe("ensemble members repeated when examples are few", () => {
  let small: { members: string[]; dir: string };
  let classifier: IntentClassifier;

  beforeAll(async () => {
    // 20 examples per intent: under the rule, so every view is trained twice.
    expect(trainingExamples.length / 4).toBeLessThanOrEqual(SMALL_DATA_EXAMPLES_PER_INTENT);
    small = await trainedMembers(trainingExamples, {});
    classifier = await loadIntentClassifier(join(small.dir, "model"));
  });
  afterAll(async () => {
    await classifier?.dispose();
    await rm(small.dir, { recursive: true, force: true });
  });

  it("trains each view twice on a small set and records all six members", () => {
    expect(small.members).toEqual(["all", "char", "word", "all", "char", "word"]);
  });

  it("still loads and predicts through transformers.js", async () => {
    const predictions = await Promise.all(clearQueries.map((q) => classifier.classify(q.text)));
    const correct = predictions.filter((p, i) => p.intent === clearQueries[i]?.label).length;
    expect(correct / clearQueries.length).toBeGreaterThanOrEqual(0.9);
  });

  it("keeps three members when there are more than 50 examples per intent", async () => {
    const copies = Math.ceil((SMALL_DATA_EXAMPLES_PER_INTENT + 1) / (trainingExamples.length / 4));
    const large = Array.from({ length: copies }, () => trainingExamples).flat();
    const { members, dir } = await trainedMembers(large, { model: { epochs: 2 } });
    await rm(dir, { recursive: true, force: true });
    expect(members).toEqual(["all", "char", "word"]);
  });

  it("repeats as configured", async () => {
    const { members, dir } = await trainedMembers(trainingExamples, { members: ["all"], memberRepeats: 3, model: { epochs: 2 } });
    await rm(dir, { recursive: true, force: true });
    expect(members).toEqual(["all", "all", "all"]);
  });
});
