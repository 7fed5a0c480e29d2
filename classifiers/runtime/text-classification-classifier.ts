/**
 * A Hugging Face text-classification model folder (or Hub id) used as is: transformers.js's
 * tokenizer and sequence-classification model, labels from `config.json`'s `id2label`. Such a model
 * carries no calibration of ours, so its softmax is taken at temperature 1.
 */
import { AutoModelForSequenceClassification, AutoTokenizer, type Tensor } from "@huggingface/transformers";
import { ClassifierModelError } from "../errors.js";
import { noEvidencePrediction, predictionFromLogits, type IntentClassifier, type ResolvedLoadClassifierOptions } from "./intent-classifier.js";
import { knownTokenCheck } from "./known-tokens.js";
import { onnxSubfolder } from "./model-files.js";
import { configureTransformers, sessionOptions } from "./transformers-env.js";

/** Used when a plain Hugging Face model is loaded without an explicit `unsureThreshold`. */
export const DEFAULT_UNSURE_THRESHOLD = 0.5;

export async function loadTextClassificationModel(
  dir: string,
  version: string,
  options: ResolvedLoadClassifierOptions,
): Promise<IntentClassifier> {
  const hub = configureTransformers(options);
  const tokenizer = await AutoTokenizer.from_pretrained(dir, hub);
  const model = await AutoModelForSequenceClassification.from_pretrained(dir, {
    ...hub,
    subfolder: await onnxSubfolder(dir),
    dtype: "fp32",
    device: "cpu",
    session_options: sessionOptions(options),
  });
  const id2label = (model.config as { id2label?: Record<string, string> }).id2label;
  if (!id2label || Object.keys(id2label).length < 2) {
    await model.dispose();
    throw new ClassifierModelError("config.json has no id2label with two or more labels", dir);
  }
  const labels = Object.keys(id2label)
    .map(Number)
    .sort((a, b) => a - b)
    .map((id) => id2label[String(id)] as string);
  const calibration = { temperature: 1, unsureThreshold: options.unsureThreshold ?? DEFAULT_UNSURE_THRESHOLD };
  const hasKnownToken = knownTokenCheck(tokenizer);
  return {
    labels,
    version,
    async classify(text) {
      const inputs = tokenizer(text, { truncation: true });
      // Blank text, or words the vocabulary has no token for, leave only [CLS], [UNK]…: the model would
      // answer with its bias, confidently. No evidence, as for the bundled classifier.
      if (!hasKnownToken((inputs.input_ids as Tensor).data as BigInt64Array)) return noEvidencePrediction(labels, options.top);
      const { logits } = (await model(inputs)) as { logits: Tensor };
      return predictionFromLogits(logits.data as Float32Array, labels, calibration, options.top);
    },
    async dispose() {
      await model.dispose();
    },
  };
}
