/**
 * Stratified held-out split: each label gives `fraction` of its examples (rounded, at least one when
 * it has two or more) to the held-out set, so calibration sees every intent.
 */
import { seededRandom, shuffle } from "./random.js";

export function stratifiedSplit(labels: readonly number[], fraction: number, seed: number): { train: number[]; heldOut: number[] } {
  const byLabel = new Map<number, number[]>();
  labels.forEach((label, index) => {
    const members = byLabel.get(label) ?? [];
    members.push(index);
    byLabel.set(label, members);
  });
  const random = seededRandom(seed);
  const train: number[] = [];
  const heldOut: number[] = [];
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const members = shuffle(byLabel.get(label) as number[], random);
    const count = fraction <= 0 || members.length < 2 ? 0 : Math.max(1, Math.round(members.length * fraction));
    heldOut.push(...members.slice(0, count));
    train.push(...members.slice(count));
  }
  return { train: train.sort((a, b) => a - b), heldOut: heldOut.sort((a, b) => a - b) };
}
