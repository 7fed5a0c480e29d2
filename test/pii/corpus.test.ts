import { beforeAll, describe, expect, it } from "vitest";
import { cloudLeaks, loadCorpus, overall, scoreCorpus, type CorpusSample } from "../../bench/pii-corpus.js";
import { createPiiEngine, createSanitizer, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
let corpus: CorpusSample[];
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy);
  corpus = loadCorpus();
});

describe("labelled corpus", () => {
  it("has at least 200 PII-laden prompts whose labels slice back to values unique to their prompt", () => {
    const positives = corpus.filter((s) => s.entities.length > 0);
    expect(positives.length).toBeGreaterThanOrEqual(200);
    // A prompt may mention the same person twice, and city names recur; every other value is unique.
    const values = corpus.flatMap((s) => [...new Set(s.entities.filter((e) => !/^\p{Lu}\p{Ll}+$/u.test(e.value)).map((e) => e.value))]);
    expect(new Set(values).size).toBe(values.length);
    for (const sample of corpus) {
      for (const label of sample.entities) expect(sample.text.slice(label.start, label.end)).toBe(label.value);
    }
  });

  it("lets no labelled value, nor a word of a labelled name, reach the cloud under the default policy", () => {
    expect(cloudLeaks(createSanitizer({ policy, engine, env: {} }), corpus)).toEqual([]);
  });

  it("finds nothing in the near-miss prompts", () => {
    const negatives = corpus.filter((s) => s.entities.length === 0);
    expect(negatives.length).toBeGreaterThanOrEqual(30);
    expect(negatives.flatMap((s) => engine.scan(s.text).map((e) => `${s.id} ${e.type} ${s.text.slice(e.start, e.end)}`))).toEqual([]);
  });

  it("keeps every pattern type at full recall and the whole engine above 0.95 precision and recall", () => {
    const scores = scoreCorpus(engine, corpus);
    const patternTypes = scores.filter((s) => s.type !== "PERSON" && s.type !== "LOCATION");
    expect(patternTypes.filter((s) => s.recall < 1).map((s) => s.type)).toEqual([]);
    const total = overall(scores);
    expect(total.precision).toBeGreaterThan(0.95);
    expect(total.recall).toBeGreaterThan(0.95);
  });
});
