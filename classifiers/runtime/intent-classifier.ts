/**
 * What the gateway sees of a classifier, whichever kind of model folder is behind it.
 */
import { z } from "zod";
import type { Calibration } from "../model-metadata.js";
import { softmax } from "../training/calibration.js";

export interface IntentScore {
  intent: string;
  /** Calibrated probability. */
  confidence: number;
}

export interface IntentPrediction {
  intent: string;
  confidence: number;
  /** The best intents, most likely first (the first is `intent`). */
  top: IntentScore[];
  /** Probably none of the known intents, or too close to call: the router escalates these. */
  unsure: boolean;
  /**
   * The number `unsure` compared with the model's threshold: the confidence, or the in-scope score
   * for an n-gram model with the in-scope rule; -Infinity for no evidence. For benches and
   * evaluation sweeping thresholds; the CLI's and the gateway's answers do not carry it.
   */
  unsureScore?: number;
  /**
   * The model could read nothing in the text (blank, emoji or punctuation only): `intent` is only the
   * first label of a tie, no finding. The gateway routes and records such a request without an intent.
   */
  noEvidence?: true;
}

export interface IntentClassifier {
  readonly labels: readonly string[];
  /** Content hash of the model folder's files. */
  readonly version: string;
  classify(text: string): Promise<IntentPrediction>;
  dispose(): Promise<void>;
}

export const LoadClassifierOptionsSchema = z.strictObject({
  /** How many intents `top` lists. */
  top: z.int().min(1).default(3),
  /** Overrides the threshold stored with the model (or the default for a plain Hugging Face model). */
  unsureThreshold: z.number().min(0).max(1).optional(),
  /**
   * Let transformers.js download from the Hugging Face Hub (a Hub model id as `dir`, or an encoder-head
   * folder naming a Hub encoder). Off by default: the gateway runs with no network.
   */
  allowRemoteModels: z.boolean().default(false),
  /** Where downloaded Hub models are cached. */
  cacheDir: z.string().optional(),
  /** ONNX Runtime threads per session; 1 is fastest for single short queries. */
  threads: z.int().min(1).default(1),
});
export type LoadClassifierOptions = z.input<typeof LoadClassifierOptionsSchema>;
export type ResolvedLoadClassifierOptions = z.output<typeof LoadClassifierOptionsSchema>;

/**
 * What `unsure` thresholds besides ties: the best intent's calibrated confidence, or another score of
 * it (the n-gram model's in-scope score, which also reads the query's words).
 */
export interface UnsureRule {
  threshold: number;
  score(intent: number, confidence: number): number;
}

/** The plain rule: unsure below `threshold` calibrated confidence. */
export function confidenceRule(threshold: number): UnsureRule {
  return { threshold, score: (_intent, confidence) => confidence };
}

/**
 * Turns raw logits into the calibrated prediction. A tie at the top is `unsure` whatever the
 * threshold: two intents at exactly the same probability are too close to call, and a threshold
 * need not be above the tie (a two-label model's 0.5 is not above a 0.5 tie; 0 is above none).
 */
export function predictionFromLogits(
  logits: ArrayLike<number>,
  labels: readonly string[],
  calibration: Pick<Calibration, "temperature" | "unsureThreshold">,
  top: number,
  rule: UnsureRule = confidenceRule(calibration.unsureThreshold),
): IntentPrediction {
  if (logits.length !== labels.length) {
    // A graph and metadata from different trainings (a folder copied file by file, caught halfway):
    // its scores cannot be named, and answering would send requests down another intent's route.
    throw new Error(`the model answers ${logits.length} scores for ${labels.length} labels: its graph and its labels are from different trainings`);
  }
  const probabilities = softmax(logits, calibration.temperature, new Float64Array(logits.length));
  const order = Array.from(probabilities.keys()).sort((a, b) => (probabilities[b] as number) - (probabilities[a] as number));
  const scores = order.slice(0, top).map((index) => ({ intent: labels[index] as string, confidence: probabilities[index] as number }));
  const best = scores[0] as IntentScore;
  const tie = order.length > 1 && probabilities[order[1] as number] === best.confidence;
  const unsureScore = rule.score(order[0] as number, best.confidence);
  return { intent: best.intent, confidence: best.confidence, top: scores, unsure: tie || unsureScore < rule.threshold, unsureScore };
}

/**
 * The answer when the model can read nothing in the text (e.g. punctuation or emoji only, which the
 * n-gram tokenizer normalises away): every intent equally likely, ties in label order, and always
 * `unsure`. Running the model instead would report its bias as a confident intent, and the
 * threshold alone cannot be trusted to flag a tie (it is 0 for a model trained without a held-out
 * split, and a two-label model's 0.5 does not flag a 0.5 tie).
 */
export function noEvidencePrediction(labels: readonly string[], top: number): IntentPrediction {
  const confidence = 1 / labels.length;
  const scores = labels.slice(0, top).map((intent) => ({ intent, confidence }));
  return { intent: (scores[0] as IntentScore).intent, confidence, top: scores, unsure: true, unsureScore: -Infinity, noEvidence: true };
}
