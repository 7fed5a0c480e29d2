/**
 * Runs a Switchyard n-gram model folder through transformers.js: its tokenizer turns text into
 * character ids and its ONNX Runtime session computes the logits.
 */
import { AutoTokenizer, PreTrainedModel, Tensor } from "@huggingface/transformers";
import type { NgramMetadata } from "../model-metadata.js";
import { MAX_CHARACTERS } from "../ngram/tokenizer-files.js";
import { predictionFromLogits, type IntentClassifier, type ResolvedLoadClassifierOptions } from "./intent-classifier.js";
import { configureTransformers, sessionOptions } from "./transformers-env.js";
import { MicroBatcher } from "./micro-batcher.js";

export async function loadNgramClassifier(
  dir: string,
  metadata: NgramMetadata,
  version: string,
  options: ResolvedLoadClassifierOptions,
): Promise<IntentClassifier> {
  const hub = configureTransformers(options);
  const tokenizer = await AutoTokenizer.from_pretrained(dir, hub);
  const model = await PreTrainedModel.from_pretrained(dir, {
    ...hub,
    dtype: "fp32",
    device: "cpu",
    session_options: sessionOptions(options),
  });
  const calibration = {
    temperature: metadata.calibration.temperature,
    unsureThreshold: options.unsureThreshold ?? metadata.calibration.unsureThreshold,
  };
  const labels = metadata.labels;
  const classes = labels.length;
  const batcher = new MicroBatcher<number[], Float32Array>(async (batch) => {
    // Right-pad with 0 ([PAD]); the graph ignores padding, so each row's logits equal a lone run's.
    const width = Math.max(1, ...batch.map((ids) => ids.length));
    const data = new BigInt64Array(batch.length * width);
    batch.forEach((ids, row) => ids.forEach((id, column) => (data[row * width + column] = BigInt(id))));
    const input_ids = new Tensor("int64", data, [batch.length, width]);
    const { logits } = (await model({ input_ids })) as { logits: Tensor };
    const values = logits.data as Float32Array;
    return batch.map((_, row) => values.subarray(row * classes, (row + 1) * classes));
  });
  return {
    labels,
    version,
    async classify(text) {
      // Cut before tokenizing: the model reads at most MAX_CHARACTERS, and normalising a whole long
      // document first would cost more than the classification. `encode` skips the batch/padding
      // machinery of `tokenizer(...)`, a third of the time of a short query.
      const ids = tokenizer.encode(text.slice(0, MAX_CHARACTERS * 2), { add_special_tokens: false }).slice(0, MAX_CHARACTERS);
      return predictionFromLogits(await batcher.submit(ids), labels, calibration, options.top);
    },
    async dispose() {
      await model.dispose();
    },
  };
}
