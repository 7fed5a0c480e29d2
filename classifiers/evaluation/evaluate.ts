/**
 * `classifier eval`'s metrics: accuracy and macro-F1 on labelled data (an unsure prediction still
 * counts by its intent), the share escalated as unsure, recall of `unsure` on texts of no known
 * intent, and single-query latency.
 */
import type { LabelledExample } from "../data/training-data.js";
import type { IntentClassifier } from "../runtime/intent-classifier.js";
import { accuracy, macroF1, percentile } from "./metrics.js";

export interface EvaluationMetrics {
  examples: number;
  accuracy: number;
  macroF1: number;
  /** Share of labelled queries flagged unsure (escalated to the cloud). */
  escalationRate: number;
  /** Accuracy counting unsure predictions as misses: what the local route gets right. */
  confidentAccuracy: number;
  unknownExamples: number | null;
  /** Share of `--unknown` texts flagged unsure. */
  unknownRecall: number | null;
  latencyMs: { p50: number; p99: number };
}

export async function evaluateClassifier(
  classifier: IntentClassifier,
  examples: readonly LabelledExample[],
  unknown?: readonly string[],
): Promise<EvaluationMetrics> {
  const predicted: string[] = [];
  const latencies: number[] = [];
  let unsure = 0;
  let confidentCorrect = 0;
  for (const example of examples) {
    const started = performance.now();
    const prediction = await classifier.classify(example.text);
    latencies.push(performance.now() - started);
    predicted.push(prediction.intent);
    if (prediction.unsure) unsure++;
    else if (prediction.intent === example.label) confidentCorrect++;
  }
  let unknownUnsure = 0;
  for (const text of unknown ?? []) {
    const started = performance.now();
    const prediction = await classifier.classify(text);
    latencies.push(performance.now() - started);
    if (prediction.unsure) unknownUnsure++;
  }
  const expected = examples.map((e) => e.label);
  return {
    examples: examples.length,
    accuracy: accuracy(predicted, expected),
    macroF1: macroF1(predicted, expected),
    escalationRate: unsure / examples.length,
    confidentAccuracy: confidentCorrect / examples.length,
    unknownExamples: unknown ? unknown.length : null,
    unknownRecall: unknown ? unknownUnsure / unknown.length : null,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}
