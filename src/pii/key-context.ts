/**
 * A JSON value alone often says nothing a recognizer can use ("536224187", "Maria", "1985-03-12");
 * with its key it does ("ssn: 536224187", "first_name: Maria", "dob: 1985-03-12"): the engine's
 * context words and name rules read the key as they read the words before a value in running text.
 */
import type { Entity } from "./entity.js";
import { resolveOverlaps } from "./resolve.js";
import type { ScannedEntities } from "./scan-cache.js";

/** Context words are looked for up to 48 characters before a match: more of a long key adds nothing. */
const KEY_CHARS = 48;
/**
 * The key can only change findings that start near it (context reaches 48 characters before a match
 * and 24 after), so a long value is scanned with its key over its head only, not a second time whole.
 */
const HEAD_CHARS = 256;
const CAMEL_HUMP = /([a-z0-9])([A-Z])/g;

/**
 * The findings in `value`, scanned alone and as `key: value`, joined. The key only adds: a finding of
 * the value alone stays even where the key is counter-evidence (a phone number under "id" is still a
 * phone number). Offsets are `value`'s; findings inside the key are dropped (where keys are sent, they
 * are scanned on their own).
 *
 * @example
 * findingsWithKey((t) => engine.scan(t), "536224187", "ssn"); // [{ type: "US_SSN", start: 0, end: 9, … }]
 */
export function findingsWithKey(scan: (text: string) => ScannedEntities, value: string, key: string): ScannedEntities {
  const alone = scan(value);
  // A value that is one finding whole has nothing left for the key to reveal.
  if (alone.length === 1 && alone[0]!.start === 0 && alone[0]!.end === value.length) return alone;
  // Context words match whole words: "dateOfBirth" must read as "date Of Birth" to be one.
  const prefix = `${key.slice(-KEY_CHARS).replace(CAMEL_HUMP, "$1 $2")}: `;
  const cut = value.length > HEAD_CHARS;
  const head = cut ? value.slice(0, HEAD_CHARS) : value;
  const added: Entity[] = [];
  for (const found of scan(prefix + head)) {
    if (found.end <= prefix.length) continue;
    // A match running into the cut may be a piece of a longer value: the whole-value scan judges it.
    if (cut && found.end >= prefix.length + HEAD_CHARS) continue;
    added.push({ ...found, start: Math.max(0, found.start - prefix.length), end: found.end - prefix.length });
  }
  return added.length === 0 ? alone : resolveOverlaps([...alone, ...added]);
}
