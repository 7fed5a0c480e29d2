/**
 * Whether a Hugging Face tokenizer found anything in a text: a token of its vocabulary other than its
 * special tokens ([CLS], [SEP], padding…) and its unknown token. Text with none — blank, or all [UNK]
 * (a script or symbols the vocabulary lacks) — gives a model nothing to tell it from any other such
 * text, so it would answer its bias, confidently; the n-gram classifier's ids 0–2 are the same notion.
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
  return (ids) => {
    for (const id of ids) if (!uninformative.has(id)) return true;
    return false;
  };
}
