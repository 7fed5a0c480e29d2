/**
 * Whether a Hugging Face tokenizer found anything in a text: a token of its vocabulary other than its
 * special tokens ([CLS], [SEP], padding…), its unknown token, and tokens that stand for a space alone
 * (SentencePiece's word-boundary "▁", which XLM-R's tokenizer leaves alone before a word it lacks:
 * "▁", <unk>). Text with none — blank, or all [UNK] (a script or symbols the vocabulary lacks) —
 * gives a model nothing to tell it from any other such text, so it would answer its bias,
 * confidently. The n-gram classifier draws the same line: its padding, unknown-character and
 * word-separator ids are no evidence.
 */
import type { PreTrainedTokenizer } from "@huggingface/transformers";

/** True when `ids` (one tokenized text) holds a token the vocabulary knows. */
export type KnownTokenCheck = (ids: BigInt64Array) => boolean;

export function knownTokenCheck(tokenizer: PreTrainedTokenizer): KnownTokenCheck {
  const uninformative = new Set<bigint>(tokenizer.all_special_ids.map(BigInt));
  // The unknown token need not be an added special token, nor named in tokenizer_config.json: the
  // tokenizer model's own unk id is the one it emits for what its vocabulary lacks, so take both.
  for (const id of [tokenizer.unk_token_id, tokenizer._tokenizer.model?.unk_token_id]) {
    if (typeof id === "number") uninformative.add(BigInt(id));
  }
  // Whether a token stands for more than a space is its decoded text, learnt as ids are first seen:
  // decoding a whole 250k vocabulary up front would slow loading, and most ids never come.
  const textTokens = new Map<bigint, boolean>();
  const readsAsText = (id: bigint): boolean => {
    let text = textTokens.get(id);
    if (text === undefined) {
      text = tokenizer.decode([Number(id)]).trim() !== "";
      textTokens.set(id, text);
    }
    return text;
  };
  return (ids) => {
    for (const id of ids) if (!uninformative.has(id) && readsAsText(id)) return true;
    return false;
  };
}
