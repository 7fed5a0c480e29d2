/**
 * Stratified held-out split: each label gives `fraction` of its examples (rounded, at least one when
 * it has two or more) to the held-out set, so calibration sees every intent.
 *
 * Given the texts, all copies of one text within a label (equal once normalised as the n-gram
 * tokenizer does: case, accents and punctuation ignored) stay on the same side. A copy held out while
 * another trains is a question the model has seen answered, and calibrating on it makes the
 * temperature and the `unsure` threshold overconfident.
 */
import { normalizeLikeTokenizer } from "../ngram/tokenizer-files.js";
import { seededRandom, shuffle } from "./random.js";

/**
 * @example
 * const { train, heldOut } = stratifiedSplit(labelIds, 0.1, seed, examples.map((e) => e.text));
 */
export function stratifiedSplit(
  labels: readonly number[],
  fraction: number,
  seed: number,
  texts?: readonly string[],
): { train: number[]; heldOut: number[] } {
  if (texts && texts.length !== labels.length) throw new RangeError(`${texts.length} texts for ${labels.length} labels`);
  // Per label, its groups of copies in order of first appearance (one example per group without texts).
  const byLabel = new Map<number, Map<string | number, number[]>>();
  labels.forEach((label, index) => {
    const groups = byLabel.get(label) ?? new Map<string | number, number[]>();
    const key = texts ? normalizeLikeTokenizer(texts[index] as string) : index;
    const members = groups.get(key) ?? [];
    members.push(index);
    groups.set(key, members);
    byLabel.set(label, groups);
  });
  const random = seededRandom(seed);
  const train: number[] = [];
  const heldOut: number[] = [];
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const groups = shuffle([...(byLabel.get(label) as Map<string | number, number[]>).values()], random);
    const size = groups.reduce((sum, group) => sum + group.length, 0);
    // One group only: holding it out would leave the label nothing to train on.
    const target = fraction <= 0 || groups.length < 2 ? 0 : Math.max(1, Math.round(size * fraction));
    const held = new Set<number[]>();
    let count = 0;
    for (const group of groups) {
      if (count === target) break;
      if (count + group.length <= target) {
        held.add(group);
        count += group.length;
      }
    }
    // Every group larger than the share: hold out the smallest whole, so calibration sees the label.
    if (target > 0 && count === 0) held.add(groups.reduce((smallest, group) => (group.length < smallest.length ? group : smallest)));
    for (const group of groups) (held.has(group) ? heldOut : train).push(...group);
  }
  return { train: train.sort((a, b) => a - b), heldOut: heldOut.sort((a, b) => a - b) };
}
