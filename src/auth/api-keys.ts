/**
 * Client API keys and the tenant each one belongs to. Keys are held only as SHA-256 digests and looked
 * up by digest, so checking a key takes the same time whichever key (or non-key) is presented.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../config/yaml-file.js";

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

/** Shortest key accepted: anything shorter is guessable, or a typo. */
export const MIN_KEY_LENGTH = 8;

/**
 * Keys are printable ASCII (space to `~`). Node reads header bytes as Latin-1, so a key with any other
 * character (`ключ-…`, `café-…`) never equals what a client sends: it would be accepted here and
 * then answer every request with 401.
 */
export const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * A tenant id is any text without control characters: ids like `acme:eu`, `ops@acme.com` or
 * `müller-gmbh` name tenants in deployments that predate any stricter rule, and every store escapes
 * the id it keys by. Control characters are refused because they would forge log lines and labels.
 */
export const TENANT_ID = /^[^\p{Cc}]{1,256}$/u;

interface KeyEntry {
  /** Absent for a bare key. */
  tenant?: string;
  key: string;
}

/**
 * One entry is `tenant=key` when the text after its first `=` is non-empty and does not start with
 * `=`; otherwise it is a bare key. Base64 pads only at the end, so a padded bare key (`…oP8q=`,
 * `…oP8==`) always leaves nothing, or only `=`, after its first `=`. A `tenant=key` entry whose tenant
 * is not a tenant id is refused rather than read as a bare key: that tenant's clients would only
 * see 401s, with nothing saying why.
 */
function splitEntry(entry: string): KeyEntry | "bad tenant" {
  const eq = entry.indexOf("=");
  if (eq > 0) {
    const tenant = entry.slice(0, eq).trim();
    const key = entry.slice(eq + 1).trim();
    if (key !== "" && !key.startsWith("=")) return TENANT_ID.test(tenant) ? { tenant, key } : "bad tenant";
  }
  return { key: entry };
}

/**
 * The problems of a `SWITCHYARD_API_KEYS` value, one line each. Entries are named by their 1-based
 * position only: a malformed entry may be a bare key, so no part of it (not even a would-be tenant)
 * is safe to print.
 */
export function apiKeysProblems(spec: string | undefined): string[] {
  return readEntries(spec).problems;
}

function readEntries(spec: string | undefined): { entries: KeyEntry[]; problems: string[] } {
  const entries: KeyEntry[] = [];
  const problems: string[] = [];
  const positionOf = new Map<string, number>();
  let position = 0;
  for (const raw of (spec ?? "").split(",")) {
    const text = raw.trim();
    if (!text) continue;
    position++;
    const entry = splitEntry(text);
    if (entry === "bad tenant") {
      problems.push(
        `entry ${position}: the text before its first '=' is not a tenant id (1–256 characters, no control characters); a key may hold '=' only as trailing padding`,
      );
      continue;
    }
    if (!PRINTABLE_ASCII.test(entry.key)) {
      problems.push(`entry ${position}: the key has characters outside printable ASCII (a client's header cannot carry them)`);
      continue;
    }
    if (entry.key.length < MIN_KEY_LENGTH) {
      problems.push(`entry ${position}: the key is shorter than ${MIN_KEY_LENGTH} characters`);
      continue;
    }
    const hash = digest(entry.key);
    const first = positionOf.get(hash);
    // The lookup is by key: the same key under two tenants would silently belong to the last one.
    if (first !== undefined) problems.push(`entries ${first} and ${position} have the same key`);
    else positionOf.set(hash, position);
    entries.push(entry);
  }
  return { entries, problems };
}

/**
 * Parses `SWITCHYARD_API_KEYS`: comma-separated entries, each `key` or `tenant=key` (see `splitEntry`).
 * A bare key's tenant is derived from its digest so logs and usage never show the key. Throws a
 * `ConfigError` naming the variable for an invalid value (the config loader reports it before this).
 *
 * @example
 * parseApiKeys("acme=s3cret-key-1,k8ZtQ2vNw4Rj7Lx1=").lookup("s3cret-key-1") // { id: "acme" }
 */
export function parseApiKeys(spec: string | undefined): KeyRing {
  const { entries, problems } = readEntries(spec);
  if (problems.length > 0) {
    throw new ConfigError(problems.map((message) => ({ file: "environment", line: 0, col: 0, path: "SWITCHYARD_API_KEYS", message })));
  }
  const byDigest = new Map<string, Tenant>();
  for (const { tenant, key } of entries) {
    const hash = digest(key);
    byDigest.set(hash, { id: tenant ?? `key-${hash.slice(0, 12)}` });
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
