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

export function buildFeatureRows(features: readonly HashedFeatures[], slots: number, minCount: number): FeatureRows {
  const counts = new Uint32Array(slots);
  for (const { char, word } of features) {
    for (const slot of char) counts[slot] = (counts[slot] as number) + 1;
    for (const slot of word) counts[slot] = (counts[slot] as number) + 1;
  }
  const lookup = new Int32Array(slots);
  let rows = 1;
  for (let slot = 0; slot < slots; slot++) {
    if ((counts[slot] as number) >= minCount) lookup[slot] = rows++;
  }
  return { lookup, rows };
}

export function toBagExample(features: HashedFeatures, rows: FeatureRows): BagExample {
  const { lookup } = rows;
  return {
    charRows: Int32Array.from(features.char, (slot) => lookup[slot] as number),
    wordRows: Int32Array.from(features.word, (slot) => lookup[slot] as number),
  };
}
