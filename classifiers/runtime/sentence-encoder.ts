/**
 * A Hugging Face feature-extraction model (e.g. all-MiniLM-L6-v2) as a sentence encoder:
 * transformers.js's tokenizer and model, then mean or CLS pooling and optional L2 normalisation.
 */
import { stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { AutoModel, AutoTokenizer, type Tensor } from "@huggingface/transformers";
import { ClassifierModelError } from "../errors.js";
import type { ResolvedLoadClassifierOptions } from "./intent-classifier.js";
import { knownTokenCheck } from "./known-tokens.js";
import { missingModelFiles, onnxSubfolder } from "./model-files.js";
import { configureTransformers, sessionOptions } from "./transformers-env.js";

/** A text as the encoder reads it. */
export interface EncoderInput {
  readonly inputs: Record<string, Tensor>;
  /** False when no token is one the vocabulary knows (blank text, or all [UNK]): see known-tokens.ts. */
  readonly hasKnownToken: boolean;
}

export interface SentenceEncoder {
  tokenize(text: string): EncoderInput;
  embed(input: EncoderInput): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface PoolingOptions {
  pooling: "mean" | "cls";
  normalize: boolean;
}

/** A local encoder folder holds what transformers.js reads, or the error says which folder lacks what. */
async function checkEncoderFolder(dir: string): Promise<void> {
  const stats = await stat(dir).catch(() => null);
  if (stats === null) throw new ClassifierModelError("encoder folder: no such folder", dir);
  if (!stats.isDirectory()) throw new ClassifierModelError("encoder folder: not a folder", dir);
  const missing = await missingModelFiles(dir);
  if (missing.length > 0) throw new ClassifierModelError(`incomplete encoder folder: missing ${missing.join(", ")}`, dir);
}

/** `source`: an absolute folder, or a Hub id. */
export async function loadSentenceEncoder(
  source: string,
  pooling: PoolingOptions,
  options: ResolvedLoadClassifierOptions,
): Promise<SentenceEncoder> {
  if (isAbsolute(source)) await checkEncoderFolder(source);
  const hub = configureTransformers(options);
  const tokenizer = await AutoTokenizer.from_pretrained(source, hub);
  const model = await AutoModel.from_pretrained(source, {
    ...hub,
    subfolder: await onnxSubfolder(source),
    dtype: "fp32",
    device: "cpu",
    session_options: sessionOptions(options),
  });
  // A text-classification model loads as well, then has logits where the hidden states should be.
  const outputs = (model.sessions as Record<string, { outputNames?: readonly string[] }> | undefined)?.model?.outputNames;
  if (outputs && !outputs.includes("last_hidden_state")) {
    await model.dispose();
    throw new ClassifierModelError(`not a feature-extraction encoder: its model has no last_hidden_state output (outputs: ${outputs.join(", ")})`, source);
  }
  const hasKnownToken = knownTokenCheck(tokenizer);
  return {
    tokenize(text) {
      const inputs = tokenizer(text, { truncation: true }) as Record<string, Tensor>;
      return { inputs, hasKnownToken: hasKnownToken((inputs.input_ids as Tensor).data as BigInt64Array) };
    },
    async embed({ inputs }) {
      const output = (await model(inputs)) as { last_hidden_state: Tensor };
      const hidden = output.last_hidden_state;
      const [, length, dims] = hidden.dims as [number, number, number];
      const data = hidden.data as Float32Array;
      const mask = (inputs.attention_mask as Tensor).data as BigInt64Array;
      const vector = new Float32Array(dims);
      if (pooling.pooling === "cls") {
        vector.set(data.subarray(0, dims));
      } else {
        let count = 0;
        for (let t = 0; t < length; t++) {
          if (mask[t] === 0n) continue;
          count++;
          for (let d = 0; d < dims; d++) vector[d] = (vector[d] as number) + (data[t * dims + d] as number);
        }
        for (let d = 0; d < dims; d++) vector[d] = (vector[d] as number) / Math.max(count, 1);
      }
      if (pooling.normalize) {
        let norm = 0;
        for (const value of vector) norm += value * value;
        norm = Math.sqrt(norm) || 1;
        for (let d = 0; d < dims; d++) vector[d] = (vector[d] as number) / norm;
      }
      return vector;
    },
    async dispose() {
      await model.dispose();
    },
  };
}
