/**
 * `optimum-cli export onnx` writes model.onnx at the folder's root, where the Hub's
 * transformers.js-ready models have onnx/model.onnx: both layouts load as they are.
 */
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadIntentClassifier } from "../../classifiers/index.js";
import { trainEncoderHeadClassifier } from "../../classifiers/training/train-encoder-head.js";
import { useTempDir, trainingExamples } from "./fixtures.js";
import { writeTinyEncoder, writeTinyTextClassifier } from "./tiny-hf-models.js";

const dir = useTempDir("switchyard-optimum-");

/** The optimum-cli layout: the ONNX file moved to the root. */
async function toOptimumLayout(folder: string): Promise<void> {
  await rename(join(folder, "onnx", "model.onnx"), join(folder, "model.onnx"));
  await rm(join(folder, "onnx"), { recursive: true });
}

describe("optimum-cli's layout (model.onnx at the root)", () => {
  it("a text-classification model loads and classifies", async () => {
    const folder = join(dir(), "text-classifier");
    await writeTinyTextClassifier(folder, { rain: 0, weather: 0, play: 1, jazz: 1 }, ["weather", "music"]);
    await toOptimumLayout(folder);
    const classifier = await loadIntentClassifier(folder);
    try {
      expect((await classifier.classify("will it rain")).intent).toBe("weather");
      expect((await classifier.classify("play some jazz")).intent).toBe("music");
    } finally {
      await classifier.dispose();
    }
  });

  it("an encoder trains a head", async () => {
    const examples = trainingExamples.filter((e) => e.label === "music" || e.label === "alarm").slice(0, 16);
    const words = [...new Set(examples.flatMap((e) => e.text.toLowerCase().split(/\W+/)).filter(Boolean))];
    const encoder = join(dir(), "encoder");
    await writeTinyEncoder(encoder, words, 8);
    await toOptimumLayout(encoder);
    const { report } = await trainEncoderHeadClassifier(examples, { encoder, out: join(dir(), "head"), valSplit: 0 });
    expect(report.examples).toBe(16);
  });

  it("a folder with neither names both places", async () => {
    const folder = join(dir(), "no-onnx");
    await writeTinyTextClassifier(folder, { rain: 0, play: 1 }, ["weather", "music"]);
    await rm(join(folder, "onnx"), { recursive: true });
    await mkdir(join(folder, "onnx"));
    await expect(loadIntentClassifier(folder)).rejects.toThrow(/missing onnx\/model\.onnx \(or model\.onnx at the root, as optimum-cli writes it\)/);
  });
});
