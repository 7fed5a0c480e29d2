/**
 * Remembers what the engine found in texts it has already scanned. Chat clients resend the whole
 * conversation on every turn and an application sends the same system prompt with every request, so
 * most of what a request carries was scanned moments before; only the new turn needs the recognizers.
 *
 * Nothing of the text is kept: the key is a salted SHA-256 of it (the salt is random per cache, so a
 * memory dump cannot be checked against guessed texts offline) and the value is the entities' types,
 * offsets and scores. Least recently used entries go first once `maxEntries` is reached.
 */
import { hash, randomBytes } from "node:crypto";
import type { Entity } from "./entity.js";

/** Below this length a scan costs about what hashing the text does: not worth an entry. */
export const MIN_CACHED_CHARS = 64;

export interface ScanCache {
  /**
   * What `scan` finds in `text`, from memory when this text was scanned before. A scan that throws
   * is not remembered. `text` should be at least MIN_CACHED_CHARS long.
   */
  entitiesOf(text: string, scan: (text: string) => Entity[]): readonly Entity[];
  readonly size: number;
}

export function createScanCache(maxEntries: number): ScanCache {
  const salt = randomBytes(16).toString("base64");
  const entries = new Map<string, readonly Entity[]>();
  return {
    entitiesOf(text, scan) {
      const key = hash("sha256", salt + text, "base64");
      const known = entries.get(key);
      if (known !== undefined) {
        // Map order is insertion order: re-inserting makes this the most recently used.
        entries.delete(key);
        entries.set(key, known);
        return known;
      }
      // Shared between requests from now on: nobody may change them.
      const found = Object.freeze(scan(text).map((e) => Object.freeze(e)));
      entries.set(key, found);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      return found;
    },
    get size() {
      return entries.size;
    },
  };
}
