/**
 * JSON lets one object name a key twice; `JSON.parse` keeps the last value only. A text sent as the
 * client wrote it would carry the earlier value to the model unscanned
 * (`{"ssn":"536-22-4187","ssn":"***"}`), so the walker sends such text re-serialised from what it scanned.
 */

// A string of valid JSON, and `:` after it when it is an object's key (strings are matched whole, left
// to right, so a quote or colon inside one is never taken for structure).
const STRING_OR_KEY = /"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?/g;

/**
 * Whether the JSON text `json`, which `JSON.parse` read as `parsed`, names a key twice in one object
 * (also written differently: `"a"` and `"\u0061"`). Counts the keys written against the keys parsed:
 * one pass over the text, no copies.
 *
 * @example
 * hasDuplicateKeys('{"to":"ann@example.com","to":"team"}', { to: "team" }); // true
 */
export function hasDuplicateKeys(json: string, parsed: unknown): boolean {
  if (parsed === null || typeof parsed !== "object") return false;
  let written = 0;
  STRING_OR_KEY.lastIndex = 0;
  for (let m = STRING_OR_KEY.exec(json); m !== null; m = STRING_OR_KEY.exec(json)) if (m[1] !== undefined) written++;
  STRING_OR_KEY.lastIndex = 0;
  return written > keyCount(parsed);
}

function keyCount(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += keyCount(item);
    return count;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    count += 1 + keyCount((value as Record<string, unknown>)[key]);
  }
  return count;
}
