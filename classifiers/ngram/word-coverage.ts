/**
 * Word coverage: the share of a query's words that occur in at least one training example of an
 * intent. A query of an intent the model never saw often lands on a known intent through one or two
 * shared words, confidently; the rest of its words were never seen with that intent. Confidence
 * alone cannot tell, coverage can: `ln confidence + weight × coverage` caught more of Banking77's
 * held-out intents than confidence at the same in-scope cost (docs/CLASSIFIER.md).
 */
import { MAX_CHARACTERS, normalizeLikeTokenizer } from "./tokenizer-files.js";

/** A text's words as the tokenizer normalises them, repeats kept; at most `maxCharacters` of normalised text. */
export function wordsOf(text: string, maxCharacters = Infinity): string[] {
  // Normalising shrinks text at most by its runs of non-letters, so twice the cut is enough input.
  const head = Number.isFinite(maxCharacters) ? text.slice(0, maxCharacters * 2) : text;
  const normalised = normalizeLikeTokenizer(head);
  const read = normalised.length > maxCharacters ? normalised.slice(0, maxCharacters) : normalised;
  return read === "" ? [] : read.split(" ");
}

/** The words the classifier reads of a query (the head of a long one, as the model does). */
export function queryWords(text: string): string[] {
  return wordsOf(text, MAX_CHARACTERS);
}

/** Per label (by index), the sorted distinct words of its training examples. */
export function wordsByLabel(examples: readonly { text: string; label: string }[], labels: readonly string[]): string[][] {
  const index = new Map(labels.map((label, i) => [label, i]));
  const sets = labels.map(() => new Set<string>());
  for (const { text, label } of examples) {
    const words = sets[index.get(label) as number] as Set<string>;
    for (const word of wordsOf(text)) words.add(word);
  }
  return sets.map((words) => [...words].sort());
}

/** Share of `words` (repeats counted) in `known`; a query without words is fully covered (it is no evidence either way). */
export function coverageShare(words: readonly string[], known: ReadonlySet<string>): number {
  if (words.length === 0) return 1;
  let covered = 0;
  for (const word of words) if (known.has(word)) covered++;
  return covered / words.length;
}
