import { AutoTokenizer, PreTrainedModel, Tensor } from "@huggingface/transformers";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIntentClassifier, type IntentClassifier, type IntentPrediction } from "../../classifiers/index.js";
import { writeModelFolder } from "../../classifiers/model-folder.js";
import { ModelMetadataSchema } from "../../classifiers/model-metadata.js";
import { bagLogits } from "../../classifiers/ngram/bag-model.js";
import { buildFeatureRows, toBagExample } from "../../classifiers/ngram/feature-rows.js";
import { hashedFeatureCount, hashedFeatures, pairTable, type NgramFeatureSpec } from "../../classifiers/ngram/features.js";
import { buildNgramGraph } from "../../classifiers/ngram/ngram-graph.js";
import { roundToQuantizedRows } from "../../classifiers/onnx/row-quantization.js";
import { buildCharacterVocabulary, tokenizerConfigJson, tokenizerJson } from "../../classifiers/ngram/tokenizer-files.js";
import { TrainClassifierOptionsSchema, trainNgramClassifier } from "../../classifiers/training/train-classifier.js";
import { BagTrainingOptionsSchema, trainBagModel } from "../../classifiers/training/train-bag-model.js";
import { clearQueries, heldOutIntentQueries, nonsenseQueries, tempDir, trainingExamples } from "./fixtures.js";

describe("n-gram classifier trained on a small dataset", () => {
  let dir: string;
  let classifier: IntentClassifier;

  beforeAll(async () => {
    dir = await tempDir();
    const { files } = await trainNgramClassifier(trainingExamples, TrainClassifierOptionsSchema.parse({ valSplit: 0.2 }));
    await writeModelFolder(join(dir, "model"), files);
    classifier = await loadIntentClassifier(join(dir, "model"));
  });
  afterAll(async () => {
    await classifier?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a Hugging Face model folder with labels, calibration and training report", async () => {
    const config = JSON.parse(await readFile(join(dir, "model", "config.json"), "utf8"));
    expect(Object.values(config.id2label)).toEqual(["alarm", "music", "recipe", "weather"]);
    const metadata = ModelMetadataSchema.parse(JSON.parse(await readFile(join(dir, "model", "switchyard.json"), "utf8")));
    expect(metadata.calibration.temperature).toBeGreaterThan(0);
    expect(metadata.report.heldOutExamples).toBe(16);
    expect(classifier.labels).toEqual(["alarm", "music", "recipe", "weather"]);
    expect(classifier.version).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it("classifies clear, unseen queries of each intent confidently", async () => {
    for (const { text, label } of clearQueries) {
      const prediction = await classifier.classify(text);
      expect(prediction.intent, text).toBe(label);
      expect(prediction.unsure, text).toBe(false);
      expect(prediction.confidence).toBeGreaterThan(0.5);
      expect(prediction.top[0]).toEqual({ intent: prediction.intent, confidence: prediction.confidence });
      expect(prediction.top).toHaveLength(3);
    }
  });

  it("gives concurrent calls the same answers as one at a time", async () => {
    const texts = [...clearQueries.map((q) => q.text), ...nonsenseQueries, "", "a", ...heldOutIntentQueries];
    const sequential: IntentPrediction[] = [];
    for (const text of texts) sequential.push(await classifier.classify(text));
    const concurrent = await Promise.all(texts.map((text) => classifier.classify(text)));
    concurrent.forEach((prediction, i) => {
      expect(prediction.intent, texts[i]).toBe(sequential[i]?.intent);
      expect(prediction.confidence).toBeCloseTo(sequential[i]?.confidence as number, 5);
    });
  });

  it("is unsure on nonsense and on empty text", async () => {
    for (const text of [...nonsenseQueries, ""]) {
      expect((await classifier.classify(text)).unsure, text).toBe(true);
    }
  });

  it("flags most queries of an intent it was never trained on as unsure", async () => {
    const predictions = await Promise.all(heldOutIntentQueries.map((text) => classifier.classify(text)));
    const unsure = predictions.filter((p) => p.unsure).length;
    expect(unsure / predictions.length).toBeGreaterThanOrEqual(0.5);
  });

  it("is deterministic: the same data and seed give byte-identical model files", async () => {
    const options = TrainClassifierOptionsSchema.parse({ valSplit: 0.2 });
    const a = (await trainNgramClassifier(trainingExamples, options)).files;
    const b = (await trainNgramClassifier(trainingExamples, options)).files;
    expect(Buffer.from(a.get("onnx/model.onnx") as Uint8Array).equals(Buffer.from(b.get("onnx/model.onnx") as Uint8Array))).toBe(true);
    // Two trainings: on a busy 2-core machine (the rest of the suite beside it) they outlast the default 30 s.
  }, 120_000);
});

function expectClose(actual: ArrayLike<number>, expected: readonly number[] | undefined): void {
  expect(actual.length).toBe(expected?.length);
  Array.from(actual).forEach((value, i) => expect(value).toBeCloseTo(expected?.[i] as number, 4));
}

describe("ONNX export round trip through transformers.js", () => {
  it("computes the same logits as the reference implementation, one text or a padded batch", async () => {
    const dir = await tempDir();
    try {
      const texts = trainingExamples.map((e) => e.text);
      const vocabulary = buildCharacterVocabulary(texts);
      const spec: NgramFeatureSpec = {
        vocabSize: vocabulary.length,
        charOrders: [1, 2, 3, 4],
        charBuckets: 10_007,
        wordBuckets: 4_001,
        wordBigramBuckets: 8_009,
        pairTableSeed: 3,
      };
      const tokenizerFile = tokenizerJson(vocabulary);
      const tokenizer = await (async () => {
        await writeModelFolder(join(dir, "m"), new Map([
          ["tokenizer.json", JSON.stringify(tokenizerFile)],
          ["tokenizer_config.json", JSON.stringify(tokenizerConfigJson())],
          ["config.json", JSON.stringify({ model_type: "switchyard-ngram" })],
        ]));
        return AutoTokenizer.from_pretrained(join(dir, "m"), { local_files_only: true });
      })();
      const pairs = pairTable(spec);
      const featuresOf = (text: string) => hashedFeatures(tokenizer.encode(text, { add_special_tokens: false }), spec, pairs);
      const features = texts.map(featuresOf);
      const rows = buildFeatureRows(features, hashedFeatureCount(spec), 1);
      const labels = Int32Array.from(trainingExamples, (e) => ["alarm", "music", "recipe", "weather"].indexOf(e.label));
      const model = trainBagModel(features.map((f) => toBagExample(f, rows)), labels, { rows: rows.rows, classes: 4 },
        BagTrainingOptionsSchema.parse({ width: 16, epochs: 3 }));
      roundToQuantizedRows(model.embedding, model.width);
      await writeModelFolder(join(dir, "m"), new Map<string, string | Uint8Array>([
        ["tokenizer.json", JSON.stringify(tokenizerFile)],
        ["tokenizer_config.json", JSON.stringify(tokenizerConfigJson())],
        ["config.json", JSON.stringify({ model_type: "switchyard-ngram" })],
        ["onnx/model.onnx", buildNgramGraph(spec, rows, model)],
      ]));
      const session = await PreTrainedModel.from_pretrained(join(dir, "m"), { local_files_only: true, dtype: "fp32", device: "cpu" });
      const queries = ["wake me up at 6", "play jazz!!", "a", "Crème brûlée recipe — how long to bake?", "totally unseen wörds here"];
      const scratch = new Float32Array(model.width);
      const expected = queries.map((text) => {
        const logits = new Float32Array(4);
        bagLogits(model, toBagExample(featuresOf(text), rows), scratch, logits);
        return [...logits];
      });
      for (const [i, text] of queries.entries()) {
        const { logits } = (await session({ input_ids: tokenizer(text).input_ids })) as { logits: Tensor };
        expectClose(logits.data as Float32Array, expected[i]);
      }
      const batch = tokenizer(queries, { padding: true });
      const { logits } = (await session({ input_ids: batch.input_ids })) as { logits: Tensor };
      expect(logits.dims).toEqual([queries.length, 4]);
      const data = logits.data as Float32Array;
      queries.forEach((_, i) => {
        expectClose(data.subarray(i * 4, i * 4 + 4), expected[i]);
      });
      await session.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
