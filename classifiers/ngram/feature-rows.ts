/**
 * Maps hashed feature slots to compact embedding rows. Only slots seen at least `minCount` times in
 * training get a row, which keeps the model folder small (most long character n-grams occur once);
 * every other slot maps to row 0, the zero row.
 */
import type { BagExample } from "./bag-model.js";
import type { HashedFeatures } from "./features.js";

export interface FeatureRows {
  /** hashed slot → row (0 = no row). */
  lookup: Int32Array;
  rows: number;
}

/**
 * At most `maxRows` rows (the most frequent slots win; ties go to the lower slot, for determinism),
 * which bounds the model folder's size whatever the training data.
 */
export function buildFeatureRows(features: readonly HashedFeatures[], slots: number, minCount: number, maxRows = Infinity): FeatureRows {
  const counts = new Uint32Array(slots);
  for (const { char, word } of features) {
    for (const slot of char) counts[slot] = (counts[slot] as number) + 1;
    for (const slot of word) counts[slot] = (counts[slot] as number) + 1;
  }
  let kept: number[] = [];
  for (let slot = 0; slot < slots; slot++) if ((counts[slot] as number) >= minCount) kept.push(slot);
  if (kept.length > maxRows - 1) {
    kept = kept
      .sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b)
      .slice(0, maxRows - 1)
      .sort((a, b) => a - b);
  }
  const lookup = new Int32Array(slots);
  kept.forEach((slot, i) => (lookup[slot] = i + 1));
  return { lookup, rows: kept.length + 1 };
}

export function toBagExample(features: HashedFeatures, rows: FeatureRows): BagExample {
  const { lookup } = rows;
  return {
    charRows: Int32Array.from(features.char, (slot) => lookup[slot] as number),
    wordRows: Int32Array.from(features.word, (slot) => lookup[slot] as number),
  };
}
