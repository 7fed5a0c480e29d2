/**
 * Trains a linear head on a Hugging Face feature-extraction encoder's sentence embeddings, with the
 * same held-out calibration as the n-gram model. The encoder is referenced, not copied.
 */
import { isAbsolute, relative, resolve } from "node:path";
import { z } from "zod";
import { trainingDataHash, type LabelledExample } from "../data/training-data.js";
import { METADATA_FILE, type EncoderHeadMetadata, type TrainingReport } from "../model-metadata.js";
import { jsonFile, type ModelFiles } from "../model-folder.js";
import { HEAD_FILE } from "../runtime/encoder-head-classifier.js";
import { LoadClassifierOptionsSchema } from "../runtime/intent-classifier.js";
import { loadSentenceEncoder } from "../runtime/sentence-encoder.js";
import { calibrateOnHeldOut } from "./calibration.js";
import { stratifiedSplit } from "./split.js";
import { denseLogits, trainDenseHead, type DenseHeadOptions } from "./train-dense-head.js";

export const TrainEncoderHeadOptionsSchema = z.strictObject({
  /** Encoder folder or Hugging Face Hub id (a Hub id needs `allowRemoteModels`). */
  encoder: z.string().min(1),
  /** Where the model folder will be written: a local encoder is referenced relative to it. */
  out: z.string().min(1),
  pooling: z.enum(["mean", "cls"]).default("mean"),
  normalize: z.boolean().default(true),
  valSplit: z.number().min(0).max(0.5).default(0.1),
  targetPrecision: z.number().gt(0).max(1).default(0.95),
  epochs: z.int().min(1).default(60),
  learningRate: z.number().positive().default(0.01),
  seed: z.int().default(1),
  allowRemoteModels: z.boolean().default(false),
});
export type TrainEncoderHeadOptions = z.input<typeof TrainEncoderHeadOptionsSchema>;

function isLocalPath(source: string): boolean {
  return isAbsolute(source) || source.startsWith("./") || source.startsWith("../");
}

export async function trainEncoderHeadClassifier(
  examples: readonly LabelledExample[],
  input: TrainEncoderHeadOptions,
): Promise<{ files: ModelFiles; report: TrainingReport }> {
  const options = TrainEncoderHeadOptionsSchema.parse(input);
  const started = performance.now();
  const local = isLocalPath(options.encoder) || !options.allowRemoteModels;
  const source = local ? resolve(options.encoder) : options.encoder;
  const encoder = await loadSentenceEncoder(source, options, LoadClassifierOptionsSchema.parse({ allowRemoteModels: options.allowRemoteModels }));
  const embeddings: Float32Array[] = [];
  try {
    for (const example of examples) embeddings.push(await encoder.embed(encoder.tokenize(example.text)));
  } finally {
    await encoder.dispose();
  }
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const y = examples.map((e) => labels.indexOf(e.label));
  const headOptions: DenseHeadOptions = { epochs: options.epochs, learningRate: options.learningRate, weightDecay: 1e-4, labelSmoothing: 0.1, seed: options.seed };
  const split = stratifiedSplit(y, options.valSplit, options.seed, examples.map((e) => e.text));
  let head = trainDenseHead(split.train.map((i) => embeddings[i] as Float32Array), split.train.map((i) => y[i] as number), labels.length, headOptions);
  const heldOutLogits = split.heldOut.map((i) => denseLogits(head, embeddings[i] as Float32Array, new Float32Array(labels.length)));
  const calibration = calibrateOnHeldOut(heldOutLogits, split.heldOut.map((i) => y[i] as number), options.targetPrecision);
  if (split.heldOut.length > 0) head = trainDenseHead(embeddings, y, labels.length, headOptions);
  const headBytes = new Uint8Array(new Float32Array([...head.weights, ...head.biases]).buffer);
  const report: TrainingReport = {
    examples: examples.length,
    labels: labels.length,
    trainExamples: examples.length,
    heldOutExamples: split.heldOut.length,
    ...calibration,
    trainingSeconds: (performance.now() - started) / 1000,
    modelBytes: headBytes.length,
  };
  const encoderReference = local ? `./${relative(resolve(options.out), source)}` : source;
  const metadata: EncoderHeadMetadata = {
    format: 1,
    kind: "encoder-head",
    labels,
    calibration: { temperature: calibration.temperature, unsureThreshold: calibration.unsureThreshold, targetPrecision: options.targetPrecision },
    trainingDataHash: trainingDataHash(examples),
    report,
    encoder: encoderReference.startsWith("./../") ? encoderReference.slice(2) : encoderReference,
    pooling: options.pooling,
    normalize: options.normalize,
    dims: head.dims,
  };
  return {
    files: new Map<string, Uint8Array | string>([
      [HEAD_FILE, headBytes],
      [METADATA_FILE, jsonFile(metadata)],
    ]),
    report,
  };
}
