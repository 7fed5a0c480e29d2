/**
 * Merge keys (`<<: *defaults`) checked on the syntax tree: each must bring in a mapping, or a list of
 * them, given in place or by an alias. The yaml library finds a bad one only while building values,
 * and then cannot say where it is.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from "yaml";

export const MERGE_MESSAGE = "`<<` merges mappings into this one: give it a mapping, an alias of one (*name), or a list of them";

/**
 * The source offsets of merge values that are not mappings.
 *
 * @example
 * badMerges(parseDocument("a:\n  <<: 5\n", { merge: true })); // [8]
 */
export function badMerges(doc: Document): number[] {
  const offsets: number[] = [];
  const isMapping = (node: unknown): boolean => isMap(node) || (isAlias(node) && isMap(node.resolve(doc)));
  visit(doc, {
    Pair(_key, pair) {
      // Only a plain `<<` merges; a quoted one is a key like any other.
      if (!isPair(pair) || !isScalar(pair.key) || pair.key.value !== "<<" || (pair.key.type !== undefined && pair.key.type !== "PLAIN")) return undefined;
      const value = pair.value;
      if (isMapping(value)) return undefined;
      // In a list, the first item that is not a mapping is the one to fix.
      const bad = isSeq(value) && value.items.length > 0 ? value.items.find((item) => !isMapping(item)) : value;
      if (bad !== undefined) offsets.push((bad as Node | null)?.range?.[0] ?? pair.key.range?.[0] ?? 0);
      return undefined;
    },
  });
  return offsets;
}
