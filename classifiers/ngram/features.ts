/**
 * Hashed character and word n-gram features over the character ids that the model's tokenizer
 * produces. This is the reference implementation of what `ngram-graph.ts` computes inside the ONNX
 * graph: training uses it, and a test checks that both give the same logits.
 *
 * Character ids: 0 = padding, 1 = unknown character, 2 = word separator, 3… = known characters. The
 * text is framed by one separator on each side, so the first and last words have boundaries too.
 */
import { z } from "zod";

export const PAD_ID = 0;
export const UNKNOWN_ID = 1;
export const SEPARATOR_ID = 2;

export const NgramFeatureSpecSchema = z.strictObject({
  /** Number of character ids (the tokenizer's vocabulary size). */
  vocabSize: z.int().min(4),
  /** Character n-gram lengths, e.g. [1, 2, 3, 4, 5]; windows may span word boundaries. */
  charOrders: z.array(z.int().min(1).max(6)).min(1),
  charBuckets: z.int().min(1),
  wordBuckets: z.int().min(1),
  wordBigramBuckets: z.int().min(1),
  /** Seed of the random table that turns a word's character pairs into its hash. */
  pairTableSeed: z.int(),
});
export type NgramFeatureSpec = z.infer<typeof NgramFeatureSpecSchema>;

/** Word hashes are reduced modulo this prime before being combined into bigram hashes (keeps int64/doubles exact). */
export const WORD_HASH_MODULUS = 1_048_573;
export const BIGRAM_MULTIPLIER = 1_000_003;
const PAIR_VALUE_LIMIT = 2 ** 30;

/** Number of hashed feature slots: characters, then words, then word bigrams. */
export function hashedFeatureCount(spec: NgramFeatureSpec): number {
  return spec.charBuckets + spec.wordBuckets + spec.wordBigramBuckets;
}

/** Deterministic pseudo-random values in [0, 2^30), one per ordered pair of character ids. */
export function pairTable(spec: NgramFeatureSpec): Int32Array {
  const size = spec.vocabSize * spec.vocabSize;
  const table = new Int32Array(size);
  let state = spec.pairTableSeed >>> 0;
  for (let i = 0; i < size; i++) {
    // mulberry32: small, fast, and identical on every platform.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    table[i] = ((t ^ (t >>> 14)) >>> 0) % PAIR_VALUE_LIMIT;
  }
  return table;
}

/** The hashed feature slots of one text, split by group (each group is normalised separately). */
export interface HashedFeatures {
  char: number[];
  word: number[];
}

/**
 * @example
 * const features = hashedFeatures([5, 6, 2, 7], spec, pairTable(spec));
 */
export function hashedFeatures(ids: ArrayLike<number>, spec: NgramFeatureSpec, pairs: Int32Array): HashedFeatures {
  const length = ids.length + 2;
  const x = new Int32Array(length);
  x[0] = SEPARATOR_ID;
  x[length - 1] = SEPARATOR_ID;
  for (let i = 0; i < ids.length; i++) x[i + 1] = ids[i] === PAD_ID ? SEPARATOR_ID : (ids[i] as number);

  const vocab = spec.vocabSize;
  const char: number[] = [];
  for (const order of spec.charOrders) {
    for (let start = 0; start + order <= length; start++) {
      let hash = 0;
      let scale = 1;
      for (let k = 0; k < order; k++) {
        hash += (x[start + k] as number) * scale;
        scale *= vocab;
      }
      char.push(hash % spec.charBuckets);
    }
  }

  const wordHashes: number[] = [];
  let hash = 0;
  let letters = 0;
  for (let p = 0; p + 1 < length; p++) {
    const current = x[p] as number;
    if (current === SEPARATOR_ID && p > 0) {
      if (letters > 0) wordHashes.push(hash);
      hash = 0;
      letters = 0;
    }
    if (current !== SEPARATOR_ID) letters++;
    hash += pairs[current * vocab + (x[p + 1] as number)] as number;
  }
  if (letters > 0) wordHashes.push(hash);

  const word: number[] = [];
  const wordOffset = spec.charBuckets;
  const bigramOffset = spec.charBuckets + spec.wordBuckets;
  for (const wordHash of wordHashes) word.push(wordOffset + (wordHash % spec.wordBuckets));
  for (let k = 0; k + 1 < wordHashes.length; k++) {
    const left = (wordHashes[k] as number) % WORD_HASH_MODULUS;
    const right = (wordHashes[k + 1] as number) % WORD_HASH_MODULUS;
    word.push(bigramOffset + ((left * BIGRAM_MULTIPLIER + right) % spec.wordBigramBuckets));
  }
  return { char, word };
}
