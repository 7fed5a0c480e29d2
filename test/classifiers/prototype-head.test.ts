import { describe, expect, it } from "vitest";
import { bagLogits, bagVector, type BagExample } from "../../classifiers/ngram/bag-model.js";
import { buildFeatureRows, toBagExample } from "../../classifiers/ngram/feature-rows.js";
import { hashedFeatureCount, hashedFeatures, pairTable, type NgramFeatureSpec } from "../../classifiers/ngram/features.js";
import { classCentroids, foldPrototypeHead } from "../../classifiers/training/prototype-head.js";
import { TrainClassifierOptionsSchema, trainNgramClassifier } from "../../classifiers/training/train-classifier.js";
import { BagTrainingOptionsSchema, trainBagModel } from "../../classifiers/training/train-bag-model.js";
import { clearQueries, trainingExamples } from "./fixtures.js";

const LABELS = ["alarm", "music", "recipe", "weather"];
const spec: NgramFeatureSpec = { vocabSize: 128, charOrders: [2, 3, 4], charBuckets: 10_007, wordBuckets: 4_001, wordBigramBuckets: 8_009, pairTableSeed: 3 };
const pairs = pairTable(spec);
// ASCII codes as character ids are enough here: these tests never go through the tokenizer.
const featuresOf = (text: string) => hashedFeatures(Array.from(text.toLowerCase(), (c) => Math.min(c.charCodeAt(0), 127)), spec, pairs);

function trainSmallModel() {
  const features = trainingExamples.map((e) => featuresOf(e.text));
  const rows = buildFeatureRows(features, hashedFeatureCount(spec), 1);
  const examples = features.map((f) => toBagExample(f, rows));
  const labels = Int32Array.from(trainingExamples, (e) => LABELS.indexOf(e.label));
  const model = trainBagModel(examples, labels, { rows: rows.rows, classes: 4 }, BagTrainingOptionsSchema.parse({ width: 16, epochs: 2 }));
  return { model, rows, examples, labels };
}

const logitsOf = (model: Parameters<typeof bagLogits>[0], example: BagExample) => {
  const logits = new Float32Array(model.classes);
  bagLogits(model, example, new Float32Array(model.width), logits);
  return logits;
};

describe("nearest-centroid head folded into the output layer", () => {
  it("adds weight × −(squared distance to each intent's centroid), up to a per-query constant the softmax ignores", () => {
    const { model, rows, examples, labels } = trainSmallModel();
    const centroids = classCentroids(model, examples, labels);
    const folded = foldPrototypeHead(model, centroids, 0.5);
    for (const { text } of clearQueries) {
      const example = toBagExample(featuresOf(text), rows);
      const hidden = new Float32Array(model.width);
      bagVector(model, example, hidden);
      const base = logitsOf(model, example);
      const shifted = Array.from(logitsOf(folded, example), (logit, c) => {
        let distance = 0;
        for (let d = 0; d < model.width; d++) distance += (Math.max(0, hidden[d] as number) - (centroids[c * model.width + d] as number)) ** 2;
        return logit - ((base[c] as number) - 0.5 * distance);
      });
      for (const value of shifted) expect(value).toBeCloseTo(shifted[0] as number, 3);
    }
  });

  it("leaves the model it folds into unchanged", () => {
    const { model, examples, labels } = trainSmallModel();
    const before = Float32Array.from(model.outWeight);
    foldPrototypeHead(model, classCentroids(model, examples, labels), 1);
    expect(model.outWeight).toEqual(before);
  });

  it("is chosen on the held-out split from the candidates, and reported", async () => {
    // One small member keeps this quick; the choice does not depend on the ensemble.
    const cheap = { valSplit: 0.2, members: ["all"], model: { epochs: 10 } };
    const fixed = await trainNgramClassifier(trainingExamples, TrainClassifierOptionsSchema.parse({ ...cheap, prototypeWeights: [0.3] }));
    expect(fixed.report.prototypeWeight).toBe(0.3);
    const candidates = [0, 0.1, 1];
    const chosen = await trainNgramClassifier(trainingExamples, TrainClassifierOptionsSchema.parse({ ...cheap, prototypeWeights: candidates }));
    expect(candidates).toContain(chosen.report.prototypeWeight);
  });
});
