/**
 * Runs a Switchyard n-gram model folder through transformers.js: its tokenizer turns text into
 * character ids and its ONNX Runtime session computes the logits.
 */
import { AutoTokenizer, PreTrainedModel, Tensor } from "@huggingface/transformers";
import type { InScopeRule, NgramMetadata } from "../model-metadata.js";
import { SEPARATOR_ID } from "../ngram/features.js";
import { MAX_CHARACTERS } from "../ngram/tokenizer-files.js";
import { coverageShare, queryWords } from "../ngram/word-coverage.js";
import { inScopeScore } from "../training/calibration.js";
import {
  confidenceRule,
  noEvidencePrediction,
  predictionFromLogits,
  type IntentClassifier,
  type ResolvedLoadClassifierOptions,
  type UnsureRule,
} from "./intent-classifier.js";
import { configureTransformers, sessionOptions } from "./transformers-env.js";

/** Stops at the first known character: the first id of ordinary text. */
function hasKnownCharacter(ids: readonly number[]): boolean {
  for (const id of ids) if (id > SEPARATOR_ID) return true;
  return false;
}

/**
 * The in-scope rule for one query: its words are read only when a prediction needs scoring. Each
 * label's words are a Set, so coverage costs one lookup per word.
 */
function inScopeRule(rule: InScopeRule): (text: string) => UnsureRule {
  const known = rule.words.map((words) => new Set(words === "" ? [] : words.split(" ")));
  return (text) => ({
    threshold: rule.threshold,
    score: (intent, confidence) => inScopeScore(confidence, coverageShare(queryWords(text), known[intent] as Set<string>), rule.coverageWeight),
  });
}

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
  // An explicit `unsureThreshold` is a confidence: it replaces the model's rule with the plain one.
  const plain = confidenceRule(calibration.unsureThreshold);
  const ruleFor = metadata.inScope && options.unsureThreshold === undefined ? inScopeRule(metadata.inScope) : () => plain;
  return {
    labels,
    version,
    async classify(text) {
      // Cut before tokenizing: the model reads at most MAX_CHARACTERS, and normalising a whole long
      // document first would cost more than the classification. `encode` skips the batch/padding
      // machinery of `tokenizer(...)`, a third of the time of a short query.
      const ids = tokenizer.encode(text.slice(0, MAX_CHARACTERS * 2), { add_special_tokens: false }).slice(0, MAX_CHARACTERS);
      // Text without letters or digits normalises to nothing, and text only in characters outside the
      // vocabulary is all [UNK]: either way the model can tell it from no other such text, and would
      // answer with its bias alone, confidently.
      if (!hasKnownCharacter(ids)) return noEvidencePrediction(labels, options.top);
      // One run per call: batching concurrent calls into one padded run was measured slower (the
      // padded embedding gather grows with the longest query; see docs/BENCHMARKS.md).
      const input_ids = new Tensor("int64", BigInt64Array.from(ids, BigInt), [1, ids.length]);
      const { logits } = (await model({ input_ids })) as { logits: Tensor };
      return predictionFromLogits(logits.data as Float32Array, labels, calibration, options.top, ruleFor(text));
    },
    async dispose() {
      await model.dispose();
    },
  };
}
