/**
 * A feature-extraction encoder plus a linear head trained by `classifier train --encoder`: the head
 * (`head.bin`) maps the pooled sentence embedding to logits.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { ClassifierModelError } from "../errors.js";
import type { EncoderHeadMetadata } from "../model-metadata.js";
import { noEvidencePrediction, predictionFromLogits, type IntentClassifier, type ResolvedLoadClassifierOptions } from "./intent-classifier.js";
import { loadSentenceEncoder } from "./sentence-encoder.js";

export const HEAD_FILE = "head.bin";

/** A relative encoder path is relative to the model folder; anything else that is not a path is a Hub id. */
export function resolveEncoderSource(dir: string, encoder: string): string {
  if (isAbsolute(encoder)) return encoder;
  if (encoder.startsWith("./") || encoder.startsWith("../")) return join(dir, encoder);
  return encoder;
}

export async function loadEncoderHeadClassifier(
  dir: string,
  metadata: EncoderHeadMetadata,
  version: string,
  options: ResolvedLoadClassifierOptions,
): Promise<IntentClassifier> {
  const bytes = await readFile(join(dir, HEAD_FILE));
  const classes = metadata.labels.length;
  const expected = (classes * metadata.dims + classes) * 4;
  if (bytes.length !== expected) {
    throw new ClassifierModelError(`${HEAD_FILE} has ${bytes.length} bytes, expected ${expected}`, dir);
  }
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const weights = floats.subarray(0, classes * metadata.dims);
  const biases = floats.subarray(classes * metadata.dims);
  const encoder = await loadSentenceEncoder(resolveEncoderSource(dir, metadata.encoder), metadata, options).catch((error: unknown) => {
    // A model folder copied without its encoder: the message must say which switchyard.json entry points where.
    if (!(error instanceof ClassifierModelError)) throw error;
    const relativeNote = metadata.encoder.startsWith(".") ? " (relative to the model folder)" : "";
    throw new ClassifierModelError(`encoder '${metadata.encoder}'${relativeNote}: ${error.message}`, dir, { cause: error });
  });
  const calibration = {
    temperature: metadata.calibration.temperature,
    unsureThreshold: options.unsureThreshold ?? metadata.calibration.unsureThreshold,
  };
  const logits = new Float32Array(classes);
  return {
    labels: metadata.labels,
    version,
    async classify(text) {
      // Blank text, or words the vocabulary has no token for, leave only [CLS], [UNK]…: the head would
      // answer their embedding, confidently. No evidence, as for the bundled classifier. Blank text
      // needs no tokenizing to tell.
      if (text.trim() === "") return noEvidencePrediction(metadata.labels, options.top);
      const input = encoder.tokenize(text);
      if (!input.hasKnownToken) return noEvidencePrediction(metadata.labels, options.top);
      const embedding = await encoder.embed(input);
      if (embedding.length !== metadata.dims) {
        throw new ClassifierModelError(`encoder gives ${embedding.length} dims, head expects ${metadata.dims}`, dir);
      }
      for (let c = 0; c < classes; c++) {
        let sum = biases[c] as number;
        for (let d = 0; d < metadata.dims; d++) sum += (weights[c * metadata.dims + d] as number) * (embedding[d] as number);
        logits[c] = sum;
      }
      return predictionFromLogits(logits, metadata.labels, calibration, options.top);
    },
    async dispose() {
      await encoder.dispose();
    },
  };
}
