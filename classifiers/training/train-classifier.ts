/**
 * Trains the n-gram intent classifier from labelled examples and produces its model folder's files:
 * split → train → calibrate on the held-out split → retrain on everything → export ONNX + tokenizer.
 */
import { PreTrainedTokenizer } from "@huggingface/transformers";
import { z } from "zod";
import { roundToQuantizedRows } from "../onnx/row-quantization.js";
import { bagLogits, mergeEnsemble, type BagExample, type BagModel } from "../ngram/bag-model.js";
import { buildFeatureRows, toBagExample } from "../ngram/feature-rows.js";
import { hashedFeatureCount, hashedFeatures, pairTable, type HashedFeatures, type NgramFeatureSpec } from "../ngram/features.js";
import { buildNgramGraph } from "../ngram/ngram-graph.js";
import {
  MAX_CHARACTERS,
  buildCharacterVocabulary,
  tokenizerConfigJson,
  tokenizerJson,
} from "../ngram/tokenizer-files.js";
import { METADATA_FILE, type NgramMetadata, type TrainingReport } from "../model-metadata.js";
import { jsonFile, type ModelFiles } from "../model-folder.js";
import { trainingDataHash, type LabelledExample } from "../data/training-data.js";
import { coverageShare, queryWords, wordsByLabel } from "../ngram/word-coverage.js";
import { calibrateOnHeldOut, calibratedLoss, type HeldOutCoverage } from "./calibration.js";
import { classCentroids, foldPrototypeHead } from "./prototype-head.js";
import { stratifiedSplit } from "./split.js";
import { trainMembersInParallel } from "./parallel-training.js";
import { BagTrainingOptionsSchema } from "./train-bag-model.js";

export const TrainClassifierOptionsSchema = z.strictObject({
  valSplit: z.number().min(0).max(0.5).default(0.1),
  targetPrecision: z.number().gt(0).max(1).default(0.95),
  /** Retrain on all examples after calibrating on the held-out split (calibration carries over). */
  refit: z.boolean().default(true),
  model: BagTrainingOptionsSchema.default(BagTrainingOptionsSchema.parse({})),
  charOrders: z.array(z.int().min(1).max(6)).default([2, 3, 4, 5]),
  charBuckets: z.int().min(1).default(500_009),
  wordBuckets: z.int().min(1).default(131_071),
  wordBigramBuckets: z.int().min(1).default(262_139),
  /**
   * Ensemble members, by the feature groups each reads, averaged into one graph (hidden-layer models
   * only). Members that see different views of the text disagree on unfamiliar queries, which makes
   * "none of the known intents" much easier to spot than with one model (measured in BENCHMARKS.md).
   */
  members: z.array(BagTrainingOptionsSchema.shape.featureGroups.unwrap()).min(1).max(8).default(["all", "char", "word"]),
  /**
   * How many times each member is trained, every copy with its own seed (other initial weights and
   * dropout masks), all averaged. With few examples each model's fit is largely luck: averaging two
   * copies lifted Banking77 accuracy with 10 examples per intent by ≈0.6 point (validation, better in
   * 8 of 8 seed × sampling pairs; BENCHMARKS.md). "auto" repeats only at
   * `SMALL_DATA_EXAMPLES_PER_INTENT` examples per intent or fewer, where the cost is affordable
   * (770 examples: ≈12 → ≈24 s of training, p99 latency ≈0.5 → ≈0.7 ms). Larger sets keep one copy
   * per member: it did not help unknown-intent recall, and the all-data model's latency has no room
   * for a wider graph.
   */
  memberRepeats: z.union([z.literal("auto"), z.int().min(1).max(3)]).default("auto"),
  /** Hashed n-grams seen fewer times than this in training get no embedding row. */
  minFeatureCount: z.int().min(1).default(2),
  /** Cap on embedding rows (the most frequent n-grams keep theirs): bounds the folder at about 15 MB. */
  maxFeatureRows: z.int().min(2).default(60_000),
  /**
   * Candidate weights of the nearest-centroid head blended into the output layer (prototype-head.ts);
   * the one with the lowest calibrated loss on the held-out split is kept (the first without one).
   * It lifts accuracy with few examples per intent (BENCHMARKS.md) at no inference cost.
   */
  prototypeWeights: z.array(z.number().min(0)).min(1).default([0, 0.03, 0.1, 0.3, 1]),
  /**
   * Weight of word coverage in the in-scope score `ln confidence + weight × coverage` that decides
   * `unsure` (ngram/word-coverage.ts); 0 keeps confidence alone (a format-1 model). 1 was chosen
   * among 0.1–4 on Banking77 with a quarter of its intents held out (docs/CLASSIFIER.md). `auto`: 1
   * above `SMALL_DATA_EXAMPLES_PER_INTENT` examples per intent, else 0 — with a few dozen examples
   * per intent an intent's word list misses most new phrasings and its threshold is chosen on a few
   * dozen held-out queries: on the default intents it escalated 10 of 28 clear in-scope prompts
   * against 2 with confidence alone.
   */
  coverageWeight: z.union([z.literal("auto"), z.number().min(0)]).default("auto"),
});
export type TrainClassifierOptions = z.infer<typeof TrainClassifierOptionsSchema>;

/** Average examples per intent at or below which `memberRepeats: "auto"` trains every member twice. */
export const SMALL_DATA_EXAMPLES_PER_INTENT = 50;

/** The in-scope rule's coverage weight for this much data (`coverageWeight: "auto"`: see its option). */
export function resolvedCoverageWeight(option: TrainClassifierOptions["coverageWeight"], examples: number, labels: number): number {
  if (option !== "auto") return option;
  return examples > SMALL_DATA_EXAMPLES_PER_INTENT * labels ? 1 : 0;
}

/** The members actually trained, in graph order: the configured views, repeated as `memberRepeats` says. */
export function ensembleMembers(options: TrainClassifierOptions, examples: number, labels: number): TrainClassifierOptions["members"] {
  if (!options.model.hidden) return [options.model.featureGroups];
  const repeats = options.memberRepeats === "auto" ? (examples <= SMALL_DATA_EXAMPLES_PER_INTENT * labels ? 2 : 1) : options.memberRepeats;
  return Array.from({ length: repeats }, () => options.members).flat();
}

export interface TrainedClassifier {
  files: ModelFiles;
  report: TrainingReport;
}

async function fitModel(
  features: readonly HashedFeatures[],
  labels: Int32Array,
  spec: NgramFeatureSpec,
  classes: number,
  options: TrainClassifierOptions,
  members: TrainClassifierOptions["members"],
) {
  const rows = buildFeatureRows(features, hashedFeatureCount(spec), options.minFeatureCount, options.maxFeatureRows);
  const examples = features.map((f) => toBagExample(f, rows));
  // Seeds by position: the first copy of each view trains exactly as without repeats.
  const memberOptions = members.map((featureGroups, member) => ({ ...options.model, featureGroups, seed: options.model.seed + member * 7919 }));
  const model = mergeEnsemble(await trainMembersInParallel(examples, labels, { rows: rows.rows, classes }, memberOptions));
  // The graph stores embeddings as int8 rows: round here so held-out scores match the export.
  roundToQuantizedRows(model.embedding, model.width);
  const centroids = model.hidden ? classCentroids(model, examples, labels) : null;
  const withPrototypes = (weight: number) => (centroids && weight > 0 ? foldPrototypeHead(model, centroids, weight) : model);
  return { rows, withPrototypes };
}

/** The prototype weight whose blended model has the lowest calibrated loss on the held-out examples. */
function choosePrototypeWeight(fitted: Awaited<ReturnType<typeof fitModel>>, heldOut: readonly HashedFeatures[], labels: readonly number[], weights: readonly number[]): number {
  const [first] = weights as [number];
  if (heldOut.length === 0) return first;
  const examples = heldOut.map((f) => toBagExample(f, fitted.rows));
  const losses = weights.map((weight) => calibratedLoss(logitsOf(fitted.withPrototypes(weight), examples), labels));
  return weights[losses.indexOf(Math.min(...losses))] as number;
}

/** Coverage of each held-out example by the words of the calibration split's training examples. */
function heldOutCoverage(
  train: readonly LabelledExample[],
  heldOut: readonly LabelledExample[],
  labels: readonly string[],
  weight: number,
): HeldOutCoverage {
  const known = wordsByLabel(train, labels).map((words) => new Set(words));
  const words = heldOut.map((e) => queryWords(e.text));
  return { weight, of: (example, intent) => coverageShare(words[example] as string[], known[intent] as Set<string>) };
}

function logitsOf(model: BagModel, examples: readonly BagExample[]): Float32Array[] {
  const scratch = new Float32Array(model.width);
  return examples.map((example) => {
    const logits = new Float32Array(model.classes);
    bagLogits(model, example, scratch, logits);
    return logits;
  });
}

/**
 * @example
 * const { files, report } = await trainNgramClassifier(examples, TrainClassifierOptionsSchema.parse({}));
 * await writeModelFolder("classifiers/default", files);
 */
export async function trainNgramClassifier(examples: readonly LabelledExample[], options: TrainClassifierOptions): Promise<TrainedClassifier> {
  const started = performance.now();
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIds = new Map(labels.map((label, id) => [label, id]));
  const y = examples.map((e) => labelIds.get(e.label) as number);

  const vocabulary = buildCharacterVocabulary(examples.map((e) => e.text));
  const tokenizerFile = tokenizerJson(vocabulary);
  const tokenizer = new PreTrainedTokenizer(tokenizerFile, tokenizerConfigJson());
  const spec: NgramFeatureSpec = {
    vocabSize: vocabulary.length,
    charOrders: options.charOrders,
    charBuckets: options.charBuckets,
    wordBuckets: options.wordBuckets,
    wordBigramBuckets: options.wordBigramBuckets,
    pairTableSeed: options.model.seed,
  };
  const pairs = pairTable(spec);
  const features = examples.map((e) =>
    hashedFeatures(tokenizer.encode(e.text, { add_special_tokens: false }).slice(0, MAX_CHARACTERS), spec, pairs),
  );

  // Decided on all the examples, so the calibrated model and the refitted one have the same members.
  const members = ensembleMembers(options, examples.length, labels.length);
  const split = stratifiedSplit(y, options.valSplit, options.model.seed, examples.map((e) => e.text));
  const pick = <T>(items: readonly T[], indices: readonly number[]) => indices.map((i) => items[i] as T);
  let fitted = await fitModel(pick(features, split.train), Int32Array.from(pick(y, split.train)), spec, labels.length, options, members);
  const prototypeWeight = choosePrototypeWeight(fitted, pick(features, split.heldOut), pick(y, split.heldOut), options.prototypeWeights);
  const heldOutLogits = logitsOf(fitted.withPrototypes(prototypeWeight), pick(features, split.heldOut).map((f) => toBagExample(f, fitted.rows)));
  const coverageWeight = resolvedCoverageWeight(options.coverageWeight, examples.length, labels.length);
  const coverage = coverageWeight > 0 ? heldOutCoverage(pick(examples, split.train), pick(examples, split.heldOut), labels, coverageWeight) : undefined;
  const calibration = calibrateOnHeldOut(heldOutLogits, pick(y, split.heldOut), options.targetPrecision, coverage);
  const refitted = split.heldOut.length > 0 && options.refit;
  if (refitted) fitted = await fitModel(features, Int32Array.from(y), spec, labels.length, options, members);
  // Coverage is of the examples the final model learnt from: all of them after the refit. The
  // threshold stays the calibration split's, as the temperature does.
  const inScope =
    calibration.inScopeThreshold === undefined
      ? undefined
      : {
          coverageWeight,
          threshold: calibration.inScopeThreshold,
          words: wordsByLabel(refitted ? examples : pick(examples, split.train), labels).map((words) => words.join(" ")),
        };

  const onnx = buildNgramGraph(spec, fitted.rows, fitted.withPrototypes(prototypeWeight));
  const report: TrainingReport = {
    examples: examples.length,
    labels: labels.length,
    trainExamples: options.refit || split.heldOut.length === 0 ? examples.length : split.train.length,
    heldOutExamples: split.heldOut.length,
    ...calibration,
    prototypeWeight,
    ...(inScope ? { coverageWeight: inScope.coverageWeight } : {}),
    trainingSeconds: (performance.now() - started) / 1000,
    modelBytes: onnx.length,
  };
  const metadata: NgramMetadata = {
    format: inScope ? 2 : 1,
    kind: "ngram",
    labels,
    calibration: { temperature: calibration.temperature, unsureThreshold: calibration.unsureThreshold, targetPrecision: options.targetPrecision },
    trainingDataHash: trainingDataHash(examples),
    report,
    features: spec,
    training: options.model,
    members,
    ...(inScope ? { inScope } : {}),
  };
  const config = {
    model_type: "switchyard-ngram",
    architectures: ["SwitchyardNgramClassifier"],
    problem_type: "single_label_classification",
    num_labels: labels.length,
    id2label: Object.fromEntries(labels.map((label, id) => [String(id), label])),
    label2id: Object.fromEntries(labels.map((label, id) => [label, id])),
    "transformers.js_config": { dtype: "fp32", device: "cpu" },
  };
  const files = new Map<string, Uint8Array | string>([
    ["config.json", jsonFile(config)],
    ["tokenizer.json", jsonFile(tokenizerFile)],
    ["tokenizer_config.json", jsonFile(tokenizerConfigJson())],
    ["onnx/model.onnx", onnx],
    [METADATA_FILE, jsonFile(metadata)],
  ]);
  return { files, report };
}
