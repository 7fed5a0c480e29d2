/**
 * The held-out split that calibration (temperature, `unsure` threshold) is fitted on. A copy of a
 * training text in the held-out set is a question the model has already seen answered, so it makes
 * the calibration overconfident: all copies of one text must land on the same side.
 */
import { describe, expect, it } from "vitest";
import { normalizeLikeTokenizer } from "../../classifiers/ngram/tokenizer-files.js";
import { stratifiedSplit } from "../../classifiers/training/split.js";

/** Intent files as people write them: some phrases repeated, some only in case or punctuation. */
function dataWithDuplicates(): { texts: string[]; labels: number[] } {
  const texts: string[] = [];
  const labels: number[] = [];
  const add = (label: number, text: string, copies: number) => {
    for (let c = 0; c < copies; c++) {
      texts.push(c % 2 === 0 ? text : `${text.toUpperCase()}!`);
      labels.push(label);
    }
  };
  for (let label = 0; label < 4; label++) {
    for (let phrase = 0; phrase < 12; phrase++) add(label, `intent ${label} phrase ${phrase}`, 1 + ((phrase * 7 + label) % 4));
  }
  return { texts, labels };
}

function sideOf(split: { train: number[]; heldOut: number[] }): Map<number, "train" | "heldOut"> {
  const sides = new Map<number, "train" | "heldOut">();
  for (const i of split.train) sides.set(i, "train");
  for (const i of split.heldOut) sides.set(i, "heldOut");
  return sides;
}

describe("stratifiedSplit", () => {
  it("keeps every copy of a text (same label, same text once normalised) on the same side", () => {
    const { texts, labels } = dataWithDuplicates();
    for (const fraction of [0.1, 0.2, 0.5]) {
      for (const seed of [1, 2, 3, 42]) {
        const split = stratifiedSplit(labels, fraction, seed, texts);
        const sides = sideOf(split);
        const byText = new Map<string, Set<string>>();
        texts.forEach((text, i) => {
          const key = `${labels[i]}\u0000${normalizeLikeTokenizer(text)}`;
          byText.set(key, (byText.get(key) ?? new Set()).add(sides.get(i) as string));
        });
        for (const [key, side] of byText) expect(side.size, `${key} (fraction ${fraction}, seed ${seed})`).toBe(1);
      }
    }
  });

  it("still holds out part of every intent, about `fraction` of it, and uses each example once", () => {
    const { texts, labels } = dataWithDuplicates();
    const split = stratifiedSplit(labels, 0.2, 1, texts);
    expect([...split.train, ...split.heldOut].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    for (let label = 0; label < 4; label++) {
      const total = labels.filter((l) => l === label).length;
      const heldOut = split.heldOut.filter((i) => labels[i] === label).length;
      expect(heldOut, `label ${label}`).toBeGreaterThanOrEqual(1);
      expect(heldOut, `label ${label}`).toBeLessThanOrEqual(Math.round(total * 0.2));
    }
  });

  it("holds out a whole text when every text of an intent has more copies than `fraction` allows", () => {
    const texts = ["a", "a", "a", "b", "b", "b", "c", "d"];
    const labels = [0, 0, 0, 0, 0, 0, 1, 1];
    const split = stratifiedSplit(labels, 0.1, 7, texts);
    const heldOutTexts = split.heldOut.map((i) => texts[i]);
    expect(heldOutTexts.filter((t) => t === "a" || t === "b")).toSatisfy((held: string[]) => held.join("") === "aaa" || held.join("") === "bbb");
    expect(heldOutTexts.filter((t) => t === "c" || t === "d")).toHaveLength(1);
  });

  it("holds out nothing of an intent whose examples are all one text (it would have none left to learn from)", () => {
    const texts = ["hi", "Hi!", "hi", "x", "y", "z"];
    const labels = [0, 0, 0, 1, 1, 1];
    const split = stratifiedSplit(labels, 0.5, 1, texts);
    expect(split.heldOut.filter((i) => labels[i] === 0)).toEqual([]);
    expect(split.train).toEqual(expect.arrayContaining([0, 1, 2]));
  });

  it("refuses texts that are not one per label", () => {
    expect(() => stratifiedSplit([0, 0, 1, 1], 0.5, 1, ["a", "b", "c"])).toThrow(RangeError);
  });

  it("splits data without duplicates exactly as without texts, so such models retrain byte-identical", () => {
    const labels = Array.from({ length: 90 }, (_, i) => i % 5);
    const texts = labels.map((label, i) => `example ${i} of ${label}`);
    for (const seed of [1, 9]) {
      expect(stratifiedSplit(labels, 0.1, seed, texts)).toEqual(stratifiedSplit(labels, 0.1, seed));
    }
  });
});
