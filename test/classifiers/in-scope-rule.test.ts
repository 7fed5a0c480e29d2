/**
 * The in-scope rule (issue 3): a query of an intent the model never learnt often borrows a known
 * intent's phrase and is answered with that intent confidently; most of its other words were never
 * seen with that intent. `unsure` is decided on ln confidence + weight × word coverage, so such a
 * query is escalated where a confidence threshold alone lets it through. Format-1 model folders
 * (confidence alone) load and answer as before.
 */
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIntentClassifier, type IntentClassifier } from "../../classifiers/index.js";
import { jsonFile, writeModelFolder } from "../../classifiers/model-folder.js";
import { ModelMetadataSchema, type NgramMetadata } from "../../classifiers/model-metadata.js";
import { coverageShare, queryWords, wordsByLabel } from "../../classifiers/ngram/word-coverage.js";
import { resolvedCoverageWeight, TrainClassifierOptionsSchema, trainNgramClassifier } from "../../classifiers/training/train-classifier.js";
import { clearQueries, tempDir, trainingExamples } from "./fixtures.js";

/** A known intent's phrase with a request about something none of the intents covers (money). */
const borrowedPhraseQueries = [
  "what's the weather tomorrow in paris mortgage",
  "play some jazz stocks",
  "how do I cook lasagna taxes",
  "give me a recipe for banana bread tax return",
  "set an alarm at 7 am insurance claim",
];

describe("word coverage", () => {
  it("reads words as the tokenizer normalises them, repeats counted, and finds no words in punctuation", () => {
    expect(queryWords("Café, CAFÉ -- au lait!")).toEqual(["cafe", "cafe", "au", "lait"]);
    expect(queryWords(" ?! ")).toEqual([]);
    const known = new Set(["cafe", "au"]);
    expect(coverageShare(queryWords("Café, CAFÉ -- au lait!"), known)).toBe(3 / 4);
    expect(coverageShare([], known)).toBe(1);
  });

  it("collects each label's distinct training words, sorted", () => {
    const words = wordsByLabel([{ text: "Play jazz", label: "music" }, { text: "play rock, PLAY", label: "music" }, { text: "rain?", label: "weather" }], ["music", "weather"]);
    expect(words).toEqual([["jazz", "play", "rock"], ["rain"]]);
  });
});

describe("coverageWeight: auto", () => {
  // The default intents (32 hand-written examples each) escalated 10 of 28 clear in-scope prompts
  // with the rule, 2 without: few examples give sparse word lists and a threshold chosen on ~40 queries.
  it("uses the rule only above 50 examples per intent", () => {
    const auto = TrainClassifierOptionsSchema.parse({}).coverageWeight;
    expect(auto).toBe("auto");
    expect(resolvedCoverageWeight(auto, 13 * 32, 13)).toBe(0);
    expect(resolvedCoverageWeight(auto, 58 * 130, 58)).toBe(1);
    expect(resolvedCoverageWeight(0.5, 13 * 32, 13)).toBe(0.5);
  });
});

describe("n-gram model with the in-scope rule", { timeout: 180_000 }, () => {
  let dir: string;
  let metadata: NgramMetadata;
  let classifier: IntentClassifier;

  beforeAll(async () => {
    dir = await tempDir();
    // Set, not "auto": the fixture has far fewer examples per intent than "auto" needs for the rule.
    const options = TrainClassifierOptionsSchema.parse({ valSplit: 0.2, members: ["all"], memberRepeats: 1, coverageWeight: 1 });
    const { files } = await trainNgramClassifier(trainingExamples, options);
    await writeModelFolder(join(dir, "model"), files);
    metadata = ModelMetadataSchema.parse(JSON.parse(await readFile(join(dir, "model", "switchyard.json"), "utf8"))) as NgramMetadata;
    classifier = await loadIntentClassifier(join(dir, "model"));
  }, 180_000);
  afterAll(async () => {
    await classifier?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores the rule in format 2: weight, threshold chosen on the held-out split, each label's training words", () => {
    expect(metadata.format).toBe(2);
    expect(metadata.inScope?.coverageWeight).toBe(1);
    expect(metadata.report.inScopeThreshold).toBe(metadata.inScope?.threshold);
    // After the refit the words are all the training examples' (the calibration split's model only sets the threshold).
    expect(metadata.inScope?.words).toEqual(wordsByLabel(trainingExamples, metadata.labels).map((words) => words.join(" ")));
  });

  it("flags queries that borrow a known intent's phrase, which the confidence threshold lets through", async () => {
    let passedByConfidence = 0;
    for (const text of borrowedPhraseQueries) {
      const prediction = await classifier.classify(text);
      expect(prediction.unsure, text).toBe(true);
      if (prediction.confidence >= metadata.calibration.unsureThreshold) passedByConfidence++;
    }
    expect(passedByConfidence).toBe(borrowedPhraseQueries.length);
  });

  it("stays sure of clear queries of the known intents", async () => {
    for (const { text, label } of clearQueries) {
      const prediction = await classifier.classify(text);
      expect(prediction, text).toMatchObject({ intent: label, unsure: false });
    }
  });

  it("keeps confidence the calibrated probability and exposes the score it thresholds", async () => {
    const text = borrowedPhraseQueries[0] as string;
    const prediction = await classifier.classify(text);
    const known = new Set((metadata.inScope?.words[metadata.labels.indexOf(prediction.intent)] ?? "").split(" "));
    expect(prediction.unsureScore).toBeCloseTo(Math.log(prediction.confidence) + coverageShare(queryWords(text), known), 12);
    expect(prediction.top[0]?.confidence).toBe(prediction.confidence);
  });

  it("uses confidence alone when the caller sets unsureThreshold (a confidence)", async () => {
    const lenient = await loadIntentClassifier(join(dir, "model"), { unsureThreshold: metadata.calibration.unsureThreshold });
    try {
      for (const text of borrowedPhraseQueries) {
        const prediction = await lenient.classify(text);
        expect(prediction.unsure, text).toBe(prediction.confidence < metadata.calibration.unsureThreshold);
      }
    } finally {
      await lenient.dispose();
    }
  });

  it("loads a format-1 folder (no rule) and answers as before: same intents and confidences, unsure on confidence alone", async () => {
    const old = join(dir, "format-1");
    await cp(join(dir, "model"), old, { recursive: true });
    const { inScope: _rule, ...rest } = metadata;
    const { inScopeThreshold: _threshold, coverageWeight: _weight, ...report } = rest.report;
    await writeFile(join(old, "switchyard.json"), jsonFile({ ...rest, format: 1, report }));
    const plain = await loadIntentClassifier(old);
    try {
      for (const text of [...borrowedPhraseQueries, ...clearQueries.map((e) => e.text), "xq zzv plonk"]) {
        const [now, before] = [await classifier.classify(text), await plain.classify(text)];
        expect({ intent: before.intent, confidence: before.confidence, top: before.top }).toEqual({ intent: now.intent, confidence: now.confidence, top: now.top });
        expect(before.unsure, text).toBe(before.confidence < metadata.calibration.unsureThreshold);
        expect(before.unsureScore).toBe(before.confidence);
      }
    } finally {
      await plain.dispose();
    }
  });
});

describe("switchyard.json with the in-scope rule", () => {
  const format1 = async () => JSON.parse(await readFile(join(import.meta.dirname, "format-1-switchyard.json"), "utf8")) as NgramMetadata;

  it("still reads a format-1 file (the default model before the rule)", async () => {
    const metadata = ModelMetadataSchema.parse(await format1());
    expect(metadata).toMatchObject({ format: 1, kind: "ngram" });
    expect("inScope" in metadata).toBe(false);
  });

  it("round-trips format 2", async () => {
    const old = await format1();
    const inScope = { coverageWeight: 1, threshold: 0.42, words: old.labels.map((label) => label.split("_").join(" ")) };
    const metadata = { ...old, format: 2, inScope, report: { ...old.report, inScopeThreshold: 0.42, coverageWeight: 1 } };
    expect(ModelMetadataSchema.parse(JSON.parse(jsonFile(metadata)))).toEqual(metadata);
  });

  it("refuses format 2 without the rule, the rule in format 1, and a word list per label that does not match the labels", async () => {
    const old = await format1();
    const inScope = { coverageWeight: 1, threshold: 0.42, words: old.labels.map(() => "a b") };
    expect(ModelMetadataSchema.safeParse({ ...old, format: 2 }).success).toBe(false);
    expect(ModelMetadataSchema.safeParse({ ...old, inScope }).success).toBe(false);
    expect(ModelMetadataSchema.safeParse({ ...old, format: 2, inScope: { ...inScope, words: ["a"] } }).success).toBe(false);
    expect(ModelMetadataSchema.safeParse({ ...old, format: 2, inScope: { ...inScope, words: inScope.words.map(() => "a  b") } }).success).toBe(false);
  });
});
