/**
 * Client API keys and the tenant each one belongs to. Keys are held only as SHA-256 digests and looked
 * up by digest, so checking a key takes the same time whichever key (or non-key) is presented.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export interface Tenant {
  /** Stable id used to scope sessions, usage and budgets; never the key itself. */
  id: string;
}

export const ANONYMOUS_TENANT: Tenant = { id: "anonymous" };

export interface KeyRing {
  readonly size: number;
  /** The tenant owning `key`, or undefined. */
  lookup(key: string): Tenant | undefined;
}

const digest = (key: string) => createHash("sha256").update(key).digest("hex");

/**
 * Parses `SWITCHYARD_API_KEYS`: comma-separated entries, each `key` or `tenant=key`. A bare key's
 * tenant is derived from its digest so logs and usage never show the key.
 */
export function parseApiKeys(spec: string | undefined): KeyRing {
  const byDigest = new Map<string, Tenant>();
  for (const raw of (spec ?? "").split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const eq = entry.indexOf("=");
    const key = eq > 0 ? entry.slice(eq + 1).trim() : entry;
    const hash = digest(key);
    const tenantId = eq > 0 ? entry.slice(0, eq).trim() : `key-${hash.slice(0, 12)}`;
    if (key.length < 8) throw new Error(`SWITCHYARD_API_KEYS: the key for '${tenantId}' is shorter than 8 characters`);
    byDigest.set(hash, { id: tenantId });
  }
  return {
    size: byDigest.size,
    lookup: (key) => byDigest.get(digest(key)),
  };
}

/** Whether `presented` is the secret whose SHA-256 hex digest is `expectedDigest`, compared in constant time. */
export function matchesSecret(presented: string, expectedDigest: string): boolean {
  const expected = Buffer.from(expectedDigest, "hex");
  const actual = Buffer.from(digest(presented), "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export { digest as keyDigest };
