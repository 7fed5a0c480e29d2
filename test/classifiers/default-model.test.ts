import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_INTENTS_FILE,
  DEFAULT_MODEL_DIR,
  loadIntentClassifier,
  loadIntentsFile,
  ModelMetadataSchema,
  readLabelledExamples,
  trainingDataHash,
  type IntentClassifier,
} from "../../classifiers/index.js";

describe("the shipped intents and default model", () => {
  let classifier: IntentClassifier;
  beforeAll(async () => {
    classifier = await loadIntentClassifier(DEFAULT_MODEL_DIR);
  });
  afterAll(async () => {
    await classifier?.dispose();
  });

  it("has local and cloud intents, each described and with 30+ examples", async () => {
    const { intents } = await loadIntentsFile(DEFAULT_INTENTS_FILE);
    const routes = new Set(Object.values(intents).map((intent) => intent.route));
    expect(routes).toEqual(new Set(["local", "cloud"]));
    for (const [name, intent] of Object.entries(intents)) {
      expect(intent.examples.length, name).toBeGreaterThanOrEqual(30);
      expect(new Set(intent.examples).size, `${name} has duplicate examples`).toBe(intent.examples.length);
    }
  });

  it("is not stale: it was trained on the current policies/intents.yaml", async () => {
    const metadata = ModelMetadataSchema.parse(JSON.parse(await readFile(join(DEFAULT_MODEL_DIR, "switchyard.json"), "utf8")));
    const current = trainingDataHash(await readLabelledExamples(DEFAULT_INTENTS_FILE));
    expect(
      metadata.trainingDataHash,
      "classifiers/default is stale: run `npm run cli -- classifier train --data policies/intents.yaml --out classifiers/default`",
    ).toBe(current);
  });

  // 32 examples per intent are too few for the in-scope rule (coverageWeight "auto"): with it, clear
  // in-scope prompts were escalated to the cloud five times as often.
  it("decides unsure on confidence alone (format 1: too few examples per intent for the in-scope rule)", async () => {
    const metadata = ModelMetadataSchema.parse(JSON.parse(await readFile(join(DEFAULT_MODEL_DIR, "switchyard.json"), "utf8")));
    expect(metadata.format).toBe(1);
  });

  it("knows every intent of the file and routes obvious requests", async () => {
    const { intents } = await loadIntentsFile(DEFAULT_INTENTS_FILE);
    expect([...classifier.labels].sort()).toEqual(Object.keys(intents).sort());
    const obvious: [string, string][] = [
      ["hello, how are you?", "greeting_smalltalk"],
      ["write a python function that reverses a linked list", "code_generation"],
      ["translate thank you very much into spanish", "translate_text"],
    ];
    for (const [text, intent] of obvious) expect((await classifier.classify(text)).intent, text).toBe(intent);
  });
});
