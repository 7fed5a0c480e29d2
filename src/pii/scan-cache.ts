/**
 * Remembers what the engine found in texts it has already scanned. Chat clients resend the whole
 * conversation on every turn and an application sends the same system prompt with every request, so
 * most of what a request carries was scanned moments before; only the new turn needs the recognizers.
 *
 * What is kept per text: a salted SHA-256 fingerprint of the scope and the text, and the entities'
 * types, offsets and scores — never the text. The salt is random per process, so fingerprints cannot
 * be matched against precomputed tables or across processes; someone who can read this process's
 * memory can still test a guessed text, as they could read the requests themselves. Entries are
 * scoped (per tenant): whether a text is cached shows in how fast it is scanned, and one tenant must
 * not learn that another sent a text. The tenants share one LRU, so a busy tenant can push another's
 * entries out; that costs the other a rescan (speed only, never a different finding).
 *
 * Memory is bounded twice: at most `maxEntries` entries, least recently used dropped first, and a
 * text with more than MAX_CACHED_ENTITIES findings is not kept (a hostile request full of e-mail
 * addresses would otherwise hold megabytes per entry).
 */
import { hash, randomBytes } from "node:crypto";
import type { Entity } from "./entity.js";

/** Below this length a scan costs about what hashing the text does: not worth an entry. */
export const MIN_CACHED_CHARS = 64;
/** Findings beyond this many are scanned again each time rather than kept (about 2.5 KB per entry at most). */
export const MAX_CACHED_ENTITIES = 32;

export type ScannedEntities = readonly Readonly<Entity>[];

export interface ScanCache {
  /**
   * What `scan` finds in `text`, from memory when this scope sent this text before. A scan that
   * throws is not remembered.
   */
  entitiesOf(scope: string, text: string, scan: (text: string) => Entity[]): ScannedEntities;
  readonly size: number;
}

/**
 * @example
 * const cache = createScanCache(4096);
 * cache.entitiesOf("acme", systemPrompt, (t) => detect(t)); // scans
 * cache.entitiesOf("acme", systemPrompt, (t) => detect(t)); // remembered
 */
export function createScanCache(maxEntries: number): ScanCache {
  const salt = randomBytes(16).toString("base64");
  const entries = new Map<string, ScannedEntities>();
  return {
    entitiesOf(scope, text, scan) {
      // The scope's length first, so "a" + "bc…" and "ab" + "c…" never share a fingerprint.
      const key = hash("sha256", `${salt}${scope.length}:${scope}${text}`, "base64");
      const known = entries.get(key);
      if (known !== undefined) {
        // Map order is insertion order: re-inserting makes this the most recently used.
        entries.delete(key);
        entries.set(key, known);
        return known;
      }
      // Shared between requests from now on: nobody may change them.
      const found = Object.freeze(scan(text).map((e) => Object.freeze(e)));
      if (found.length > MAX_CACHED_ENTITIES) return found;
      entries.set(key, found);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      return found;
    },
    get size() {
      return entries.size;
    },
  };
}
