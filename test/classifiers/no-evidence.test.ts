/**
 * Text in which the n-gram model can read nothing — punctuation, emoji, whitespace: its tokenizer
 * normalises all of it away — must come back `unsure` with a confidence that says "no evidence",
 * not the confident answer the model gives to an empty input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, loadIntentClassifier, type IntentClassifier, type IntentPrediction } from "../../classifiers/index.js";

function expectNoEvidence(prediction: IntentPrediction, labels: readonly string[], text: string): void {
  const uniform = 1 / labels.length;
  expect(prediction.unsure, text).toBe(true);
  expect(prediction.confidence, text).toBeCloseTo(uniform, 10);
  expect(labels, text).toContain(prediction.intent);
  expect(prediction.top[0], text).toEqual({ intent: prediction.intent, confidence: prediction.confidence });
  expect(prediction.top, text).toHaveLength(3);
  for (const score of prediction.top) expect(score.confidence, text).toBeCloseTo(uniform, 10);
  expect(new Set(prediction.top.map((s) => s.intent)).size, text).toBe(3);
}

describe("the n-gram classifier on text with no letters or digits", () => {
  let classifier: IntentClassifier;
  beforeAll(async () => {
    classifier = await loadIntentClassifier(DEFAULT_MODEL_DIR);
  });
  afterAll(async () => {
    await classifier?.dispose();
  });

  it("is unsure, with every intent equally likely, on punctuation, emoji and whitespace", async () => {
    for (const text of ["???", "!!!", "...", "?", "🙂👍", "😀", "", "   ", "\n\t", "¿¡ — …", "-_-"]) {
      expectNoEvidence(await classifier.classify(text), classifier.labels, text);
    }
  });

  it("still reads text that has words among the punctuation", async () => {
    for (const [text, intent] of [
      ["hello, how are you???", "greeting_smalltalk"],
      ["🙂 translate thank you very much into spanish!!!", "translate_text"],
    ] as const) {
      const prediction = await classifier.classify(text);
      expect(prediction.intent, text).toBe(intent);
      expect(prediction.unsure, text).toBe(false);
    }
  });

  it("is unsure the same way on text written only in characters the model has no id for", async () => {
    // The shipped model knows Latin letters and digits only: these are all [UNK] to it.
    for (const text of ["你好", "привет, как дела?", "こんにちは！"]) {
      expectNoEvidence(await classifier.classify(text), classifier.labels, text);
    }
    const mixed = await classifier.classify("你好, translate thank you very much into spanish");
    expect(mixed.intent).toBe("translate_text");
    expect(mixed.unsure).toBe(false);
  });

  it("is honoured by an explicit unsureThreshold of 0 too: a tie between all intents is never a sure answer", async () => {
    const lenient = await loadIntentClassifier(DEFAULT_MODEL_DIR, { unsureThreshold: 0 });
    try {
      expectNoEvidence(await lenient.classify("!!!"), lenient.labels, "!!!");
      expect((await lenient.classify("hello, how are you?")).unsure).toBe(false);
    } finally {
      await lenient.dispose();
    }
  });
});
