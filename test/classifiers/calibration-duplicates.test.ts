/**
 * Training calibrates on a held-out part of the examples; copies of one text must not sit on both
 * sides, or the held-out score measures memory and the calibrated model is overconfident.
 */
import { describe, expect, it } from "vitest";
import type { LabelledExample } from "../../classifiers/index.js";
import { seededRandom } from "../../classifiers/training/random.js";
import { TrainClassifierOptionsSchema, trainNgramClassifier } from "../../classifiers/training/train-classifier.js";

/** Random letter strings: nothing about one says which label it has, so only a copy seen in training can be answered. */
function noiseExamples(): LabelledExample[] {
  const random = seededRandom(7);
  const word = () => Array.from({ length: 6 }, () => String.fromCharCode(97 + random.int(26))).join("");
  return ["alpha", "beta", "gamma"].flatMap((label) =>
    Array.from({ length: 8 }, () => `${word()} ${word()} ${word()}`).flatMap((text) => Array.from({ length: 4 }, () => ({ text, label }))),
  );
}

describe("calibration split with duplicate examples", { timeout: 60_000 }, () => {
  it("holds out whole texts, so held-out accuracy on unlearnable data stays near chance", async () => {
    const options = TrainClassifierOptionsSchema.parse({
      valSplit: 0.25,
      members: ["all"],
      memberRepeats: 1,
      model: { ...TrainClassifierOptionsSchema.shape.model.parse(undefined), epochs: 20 },
    });
    const { report } = await trainNgramClassifier(noiseExamples(), options);
    expect(report.heldOutExamples).toBeGreaterThan(0);
    // With copies on both sides this is 1: every held-out text was also a training example.
    expect(report.heldOutAccuracy).toBeLessThan(0.8);
  });
});
