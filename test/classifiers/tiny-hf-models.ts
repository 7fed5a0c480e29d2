/**
 * Tiny Hugging Face model folders the tests build (no downloads here): a word-level tokenizer (BERT's
 * WordPiece or, as in XLM-R, a SentencePiece Unigram model), and ONNX graphs with a BERT-like
 * interface — a feature-extraction "encoder" (`last_hidden_state`) and a text-classification model
 * (`logits`).
 */
import { OnnxGraphBuilder } from "../../classifiers/onnx/onnx-graph-builder.js";
import { writeModelFolder } from "../../classifiers/model-folder.js";
import { seededRandom } from "../../classifiers/training/random.js";

export interface TinyTokenizerOptions {
  /**
   * The unknown token's spelling, and whether the folder says it is one beyond the tokenizer model's
   * `unk_token`: BERT-like folders list it as a special added token and as `tokenizer_config.json`'s
   * `unk_token`, but a converted tokenizer may name it in its model only.
   */
  unk?: { token: string; listed: boolean };
  /**
   * SentencePiece-style: each word is one piece starting with the word-boundary mark "▁", and "▁" is
   * a piece of its own, which stands before a word the vocabulary lacks ("你好" is "▁", unk).
   */
  sentencePiece?: boolean;
}

const WORD_BOUNDARY = "\u2581";

/** With `cls`, a `[CLS]` token (the last id) starts every input, as in BERT. */
function wordTokenizer(words: readonly string[], options: TinyTokenizerOptions & { cls?: boolean } = {}) {
  const unk = options.unk ?? { token: "[UNK]", listed: true };
  const pieces = options.sentencePiece ? [...words.map((word) => WORD_BOUNDARY + word), WORD_BOUNDARY] : words;
  const tokens = ["[PAD]", unk.token, ...pieces, ...(options.cls ? ["[CLS]"] : [])];
  const vocab = Object.fromEntries(tokens.map((word, id) => [word, id]));
  const special = (content: string) => ({ id: vocab[content] as number, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const cls = vocab["[CLS]"];
  const metaspace = { type: "Metaspace", replacement: WORD_BOUNDARY, prepend_scheme: "always", split: true };
  return {
    tokenizer: {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: [special("[PAD]"), ...(unk.listed ? [special(unk.token)] : []), ...(options.cls ? [special("[CLS]")] : [])],
      normalizer: { type: "Lowercase" },
      pre_tokenizer: options.sentencePiece ? metaspace : { type: "Whitespace" },
      post_processor:
        cls === undefined
          ? null
          : {
              type: "TemplateProcessing",
              single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
              pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }],
              special_tokens: { "[CLS]": { id: "[CLS]", ids: [cls], tokens: ["[CLS]"] } },
            },
      decoder: options.sentencePiece ? metaspace : null,
      model: options.sentencePiece
        ? { type: "Unigram", unk_id: vocab[unk.token], byte_fallback: false, vocab: tokens.map((piece) => [piece, piece === WORD_BOUNDARY ? -8 : -1]) }
        : { type: "WordPiece", unk_token: unk.token, continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
    },
    config: { tokenizer_class: "PreTrainedTokenizer", model_max_length: 128, pad_token: "[PAD]", ...(unk.listed ? { unk_token: unk.token } : {}) },
    size: tokens.length,
  };
}

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: rows * cols }, () => random.normal());
}

/** A feature-extraction model: each token's hidden state is its (random) word vector. */
export async function writeTinyEncoder(dir: string, words: readonly string[], dims = 32, options: TinyTokenizerOptions = {}): Promise<void> {
  const { tokenizer, config, size } = wordTokenizer(words, options);
  const g = new OnnxGraphBuilder("tiny_encoder");
  const ids = g.input("input_ids", "int64", ["batch", "sequence"]);
  const table = g.constant({ type: "float", dims: [size, dims], data: randomMatrix(size, dims, 11) }, "embeddings");
  g.output(g.node("Gather", [table, ids]), "float", ["batch", "sequence", dims], "last_hidden_state");
  await writeModelFolder(dir, new Map<string, string | Uint8Array>([
    ["config.json", JSON.stringify({ model_type: "bert", hidden_size: dims })],
    ["tokenizer.json", JSON.stringify(tokenizer)],
    ["tokenizer_config.json", JSON.stringify(config)],
    ["onnx/model.onnx", g.toModelBytes({ producer: "switchyard-test" })],
  ]));
}

/**
 * A text-classification model whose logits are the mean of per-word label scores: word i of
 * `wordLabels` votes for label `wordLabels[i]`. With `clsLabel`, every input starts with a `[CLS]`
 * token that votes for that label: the model's bias, all it has to go on for text without words.
 */
export async function writeTinyTextClassifier(
  dir: string,
  wordLabels: Record<string, number>,
  labels: readonly string[],
  options: TinyTokenizerOptions & { clsLabel?: number } = {},
): Promise<void> {
  const words = Object.keys(wordLabels);
  const { tokenizer, config, size } = wordTokenizer(words, { unk: options.unk, sentencePiece: options.sentencePiece, cls: options.clsLabel !== undefined });
  const scores = new Float32Array(size * labels.length);
  words.forEach((word, i) => {
    scores[(i + 2) * labels.length + (wordLabels[word] as number)] = 8;
  });
  if (options.clsLabel !== undefined) scores[(size - 1) * labels.length + options.clsLabel] = 8;
  const g = new OnnxGraphBuilder("tiny_text_classifier");
  const ids = g.input("input_ids", "int64", ["batch", "sequence"]);
  const table = g.constant({ type: "float", dims: [size, labels.length], data: scores }, "scores");
  const logits = g.node("ReduceMean", [g.node("Gather", [table, ids])], { axes: { ints: [1] }, keepdims: { int: 0 } });
  g.output(logits, "float", ["batch", labels.length], "logits");
  await writeModelFolder(dir, new Map<string, string | Uint8Array>([
    ["config.json", JSON.stringify({
      model_type: "bert",
      architectures: ["BertForSequenceClassification"],
      id2label: Object.fromEntries(labels.map((label, id) => [String(id), label])),
      label2id: Object.fromEntries(labels.map((label, id) => [label, id])),
    })],
    ["tokenizer.json", JSON.stringify(tokenizer)],
    ["tokenizer_config.json", JSON.stringify(config)],
    ["onnx/model.onnx", g.toModelBytes({ producer: "switchyard-test" })],
  ]));
}
