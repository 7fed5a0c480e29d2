/**
 * Mapping keys a parsed policy cannot keep. `__proto__` survives YAML parsing as an own key, but
 * zod's records skip it (assigning it would replace the object's prototype), so a header condition,
 * a tenant or an intent of that name silently vanished from the policy. It is refused at the key.
 */
import { isMap, isScalar, visit, type Document } from "yaml";

export const PROTOTYPE_KEY_MESSAGE = "'__proto__' cannot be a key in a policy file (it cannot be kept once parsed); use another name";

/**
 * Source offsets of every `__proto__` mapping key, in document order.
 *
 * @example
 * prototypeKeys(parseDocument("a:\n  __proto__: 1\n", { stringKeys: true })); // [5]
 */
export function prototypeKeys(doc: Document): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      for (const pair of map.items) {
        if (isScalar(pair.key) && pair.key.range && String(pair.key.value) === "__proto__") offsets.push(pair.key.range[0]);
      }
    },
  });
  return offsets;
}
