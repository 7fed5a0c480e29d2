/**
 * Duplicate mapping keys in a parsed YAML document, found in one pass.
 *
 * The `yaml` package's own check (`uniqueKeys`) compares each new key with every key before it in
 * its mapping: quadratic, so a policy file of 80k keys in one mapping (1 MB, under the size limit)
 * held the event loop for over a minute. A Set per mapping makes it linear.
 */
import { isMap, isScalar, visit, type Document } from "yaml";

export interface DuplicateKey {
  /** The repeated key, as text. */
  key: string;
  /** Source offset of the repeated key. */
  offset: number;
  /** Source offset of the key's first occurrence in the same mapping. */
  firstOffset: number;
}

/**
 * @example
 * const doc = parseDocument("a: 1\na: 2\n", { uniqueKeys: false, stringKeys: true });
 * duplicateKeys(doc); // [{ key: "a", offset: 5, firstOffset: 0 }]
 */
export function duplicateKeys(doc: Document): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Map<unknown, number>();
      for (const pair of map.items) {
        // Only scalar keys can repeat: yaml compares other keys (aliases, collections) by identity.
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const offset = pair.key.range[0];
        const first = seen.get(pair.key.value);
        if (first === undefined) seen.set(pair.key.value, offset);
        else found.push({ key: String(pair.key.value), offset, firstOffset: first });
      }
    },
  });
  return found;
}
