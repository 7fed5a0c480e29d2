import { describe, expect, it } from "vitest";
import { bagLogits } from "../../classifiers/ngram/bag-model.js";
import { buildFeatureRows, toBagExample } from "../../classifiers/ngram/feature-rows.js";
import { hashedFeatureCount, hashedFeatures, pairTable, type NgramFeatureSpec } from "../../classifiers/ngram/features.js";
import { BagTrainingOptionsSchema, trainBagModel } from "../../classifiers/training/train-bag-model.js";
import { trainingExamples } from "./fixtures.js";

const LABELS = ["alarm", "music", "recipe", "weather"];
const spec: NgramFeatureSpec = { vocabSize: 128, charOrders: [2, 3, 4], charBuckets: 10_007, wordBuckets: 4_001, wordBigramBuckets: 8_009, pairTableSeed: 3 };
const pairs = pairTable(spec);
// ASCII codes as character ids are enough here: these tests never go through the tokenizer.
const featuresOf = (text: string) => hashedFeatures(Array.from(text.toLowerCase(), (c) => Math.min(c.charCodeAt(0), 127)), spec, pairs);

/** Mean probability of the example's intent given one of its words (four letters or more) alone. */
function singleWordConfidence(featureDropout: number): number {
  const features = trainingExamples.map((e) => featuresOf(e.text));
  const rows = buildFeatureRows(features, hashedFeatureCount(spec), 1);
  const labels = Int32Array.from(trainingExamples, (e) => LABELS.indexOf(e.label));
  const options = BagTrainingOptionsSchema.parse({ width: 16, epochs: 10, featureDropout });
  const model = trainBagModel(features.map((f) => toBagExample(f, rows)), labels, { rows: rows.rows, classes: LABELS.length }, options);
  const logits = new Float32Array(model.classes);
  let probability = 0;
  let words = 0;
  trainingExamples.forEach((example, i) => {
    for (const word of example.text.split(" ").filter((w) => w.length >= 4)) {
      bagLogits(model, toBagExample(featuresOf(word), rows), new Float32Array(model.width), logits);
      const max = Math.max(...logits);
      const partition = logits.reduce((sum, logit) => sum + Math.exp(logit - max), 0);
      probability += Math.exp((logits[labels[i] as number] as number) - max) / partition;
      words++;
    }
  });
  return probability / words;
}

describe("feature dropout", () => {
  it("drops half of each example's n-grams by default", () => {
    expect(BagTrainingOptionsSchema.parse({}).featureDropout).toBe(0.5);
  });

  it("teaches the model to recognise an intent from part of a query, not from a few n-grams", () => {
    const withDropout = singleWordConfidence(BagTrainingOptionsSchema.parse({}).featureDropout);
    expect(withDropout).toBeGreaterThan(singleWordConfidence(0));
  });
});
