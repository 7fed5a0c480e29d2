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
  // decoding a whole 250k vocabulary up front would slow loading, and most ids never come. One byte
  // per id (0 unknown yet, 1 text, 2 space): text sweeping the vocabulary costs its size in bytes,
  // not a map entry per id.
  let seen = new Uint8Array(1024);
  const readsAsText = (id: bigint): boolean => {
    const index = Number(id);
    if (index >= seen.length) {
      const grown = new Uint8Array(Math.max(seen.length * 2, index + 1));
      grown.set(seen);
      seen = grown;
    }
    if (seen[index] === 0) seen[index] = tokenizer.decode([index]).trim() !== "" ? 1 : 2;
    return seen[index] === 1;
  };
  return (ids) => {
    for (const id of ids) if (!uninformative.has(id) && readsAsText(id)) return true;
    return false;
  };
}
