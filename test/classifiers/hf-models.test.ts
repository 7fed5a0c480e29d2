import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClassifierModelError, loadIntentClassifier, ModelMetadataSchema } from "../../classifiers/index.js";
import { writeModelFolder } from "../../classifiers/model-folder.js";
import { trainEncoderHeadClassifier } from "../../classifiers/training/train-encoder-head.js";
import { clearQueries, tempDir, trainingExamples } from "./fixtures.js";
import { writeTinyEncoder, writeTinyTextClassifier } from "./tiny-hf-models.js";

describe("user-brought Hugging Face models", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("uses a text-classification model folder as is, labels from id2label", async () => {
    const folder = join(dir, "text-classifier");
    await writeTinyTextClassifier(folder, { rain: 0, weather: 0, play: 1, jazz: 1 }, ["weather", "music"]);
    const classifier = await loadIntentClassifier(folder, { unsureThreshold: 0.8 });
    try {
      expect(classifier.labels).toEqual(["weather", "music"]);
      const rain = await classifier.classify("will it rain");
      expect(rain.intent).toBe("weather");
      expect(rain.unsure).toBe(false);
      const jazz = await classifier.classify("play some jazz");
      expect(jazz.intent).toBe("music");
      expect((await classifier.classify("hello")).unsure).toBe(true);
    } finally {
      await classifier.dispose();
    }
  });

  it("trains a head on a feature-extraction encoder and classifies through it", async () => {
    const words = [...new Set(trainingExamples.flatMap((e) => e.text.toLowerCase().split(/\W+/)).filter(Boolean))];
    await writeTinyEncoder(join(dir, "encoder"), words);
    const out = join(dir, "head");
    const { files, report } = await trainEncoderHeadClassifier(trainingExamples, { encoder: join(dir, "encoder"), out, valSplit: 0.2 });
    await writeModelFolder(out, files);
    const metadata = ModelMetadataSchema.parse(JSON.parse(await readFile(join(out, "switchyard.json"), "utf8")));
    expect(metadata.kind === "encoder-head" && metadata.encoder).toBe("../encoder");
    expect(report.heldOutAccuracy).toBeGreaterThan(0.8);
    const classifier = await loadIntentClassifier(out);
    try {
      let correct = 0;
      for (const { text, label } of clearQueries) if ((await classifier.classify(text)).intent === label) correct++;
      expect(correct / clearQueries.length).toBeGreaterThanOrEqual(0.9);
    } finally {
      await classifier.dispose();
    }
  });

  it("refuses to download a model from the Hub unless allowed", async () => {
    await expect(loadIntentClassifier("some-org/some-model")).rejects.toBeInstanceOf(ClassifierModelError);
  });
});
