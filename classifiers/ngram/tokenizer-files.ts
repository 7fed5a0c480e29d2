/**
 * The character-level tokenizer of the n-gram model, written as standard Hugging Face
 * `tokenizer.json` + `tokenizer_config.json` so transformers.js (and the Python `tokenizers`
 * library) load it unchanged. It normalises text (NFKD, accents stripped, lower case, every run of
 * non-letters/digits → one space) and emits one id per character; the ONNX graph builds the n-grams.
 */
import { PAD_ID, SEPARATOR_ID, UNKNOWN_ID } from "./features.js";

export const PAD_TOKEN = "[PAD]";
export const UNKNOWN_TOKEN = "[UNK]";
/** Longest input the classifier reads, in characters (the head of longer texts decides). */
export const MAX_CHARACTERS = 512;

const BASE_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789";

/** What the tokenizer's normaliser does, for building the vocabulary before a tokenizer exists. */
export function normalizeLikeTokenizer(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{Mn}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Ordered vocabulary: [PAD], [UNK], " ", the base characters, then other characters seen `minCount` times. */
export function buildCharacterVocabulary(texts: readonly string[], minCount = 2): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const char of normalizeLikeTokenizer(text)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  const vocabulary = [PAD_TOKEN, UNKNOWN_TOKEN, " ", ...BASE_CHARACTERS];
  const known = new Set(vocabulary);
  const extra = [...counts]
    .filter(([char, count]) => count >= minCount && !known.has(char))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([char]) => char);
  return [...vocabulary, ...extra];
}

export function tokenizerJson(vocabulary: readonly string[]): object {
  if (vocabulary[PAD_ID] !== PAD_TOKEN || vocabulary[UNKNOWN_ID] !== UNKNOWN_TOKEN || vocabulary[SEPARATOR_ID] !== " ") {
    throw new Error("character vocabulary must start with [PAD], [UNK], ' '");
  }
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [special(PAD_ID, PAD_TOKEN), special(UNKNOWN_ID, UNKNOWN_TOKEN)],
    normalizer: {
      type: "Sequence",
      normalizers: [
        { type: "NFKD" },
        { type: "StripAccents" },
        { type: "Lowercase" },
        { type: "Replace", pattern: { Regex: "[^\\p{L}\\p{N}]+" }, content: " " },
        { type: "Strip", strip_left: true, strip_right: true },
      ],
    },
    pre_tokenizer: { type: "Split", pattern: { Regex: "." }, behavior: "Isolated", invert: false },
    post_processor: null,
    decoder: { type: "Fuse" },
    model: {
      type: "WordPiece",
      unk_token: UNKNOWN_TOKEN,
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((token, id) => [token, id])),
    },
  };
}

export function tokenizerConfigJson(): object {
  return {
    tokenizer_class: "PreTrainedTokenizer",
    model_max_length: MAX_CHARACTERS,
    pad_token: PAD_TOKEN,
    unk_token: UNKNOWN_TOKEN,
    padding_side: "right",
    truncation_side: "right",
    clean_up_tokenization_spaces: false,
  };
}
