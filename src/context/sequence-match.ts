/**
 * Matching lists of message fingerprints against each other in time linear in their lengths: a
 * conversation may hold tens of thousands of short messages that repeat ("ok", "hi"), where comparing
 * each position afresh costs the product of the two lengths.
 */

/**
 * fallback[i]: the length of the longest proper prefix of items[0..i] that is also its suffix
 * (Knuth–Morris–Pratt). Computed once per pattern and reused across many texts (stored-meanwhile.ts),
 * where `commonPrefixLengths` would go over the pattern again for each.
 */
export function prefixFunction(items: readonly string[]): number[] {
  const fallback = new Array<number>(items.length).fill(0);
  for (let i = 1, k = 0; i < items.length; i++) {
    while (k > 0 && items[i] !== items[k]) k = fallback[k - 1]!;
    if (items[i] === items[k]) k++;
    fallback[i] = k;
  }
  return fallback;
}

/**
 * For each position i of `text`, how many items of `text` from i on equal the start of `pattern`
 * (at most `pattern.length`), by the Z-algorithm over the two. No item may be `""`: it separates them.
 *
 * @example commonPrefixLengths(["a", "b"], ["b", "a", "b", "a"]) // [0, 2, 0, 1]
 */
export function commonPrefixLengths(pattern: readonly string[], text: readonly string[]): number[] {
  const items = [...pattern, "", ...text];
  const z = new Array<number>(items.length).fill(0);
  for (let i = 1, left = 0, right = 0; i < items.length; i++) {
    let length = i < right ? Math.min(right - i, z[i - left]!) : 0;
    while (i + length < items.length && items[length] === items[i + length]) length++;
    z[i] = length;
    if (i + length > right) [left, right] = [i, i + length];
  }
  return z.slice(pattern.length + 1);
}
