/**
 * SECRET under a key whose name ends in "key" and carries a credential word (`AccountKey=` in an Azure
 * connection string, `Ocp-Apim-Subscription-Key:`, `x-functions-key:`, `ENCRYPTION_KEY=`,
 * `signing_key:`, `"hmacKey":`), and Azure SAS signatures (`…&sig=…` beside the SAS's `sv=`/`se=`/
 * `sr=`/`sp=`). A bare `key`, or a key named by any other word (`cache key`, `hash_key`, `eventKey`,
 * an S3 object's `Key`, a feature flag's `"key"`), is most often an identifier, a digest or a name:
 * there only unmistakable key material is taken (padded base64 of 40 or more characters). Under a
 * credential name a value that looks generated is taken: 32 or more hex digits, or 20 or more base64
 * or key characters mixing letters and digits (or cases, with base64's `+`, `/` or padding); never a
 * UUID, a name, a path or a public key.
 */
import type { Finding } from "./pattern.js";
import { group, patternRecognizer } from "./pattern.js";
import type { Recognizer } from "./recognizer.js";

// `key`, maybe numbered (`key1`, `Key_2`), then how the value is introduced (as for `password=`), its
// quote and the value: base64, base64url, hex, dashed licence keys, `%`-encoded characters. The name
// before `key` is read in code (keyName): a look-behind here would slow every scan. Groups: 1 how the
// value is introduced, 2 its quote, 3 the value.
const KEY_PAIR = /key(?:[_-]?\d{1,2})?["']?[ \t]*(=>|[:=]|[ \t]is:?[ \t])[ \t]*(["']?)([A-Za-z0-9+/=_%-]{20,2048})/dgi;
// Azure shared access signatures: `?sv=…&sig=<base64, %-encoded>`, `SharedAccessSignature=sv=…&sig=…`,
// Service Bus's `SharedAccessSignature sr=…&sig=…&se=…`. The signature is the credential.
const SAS_SIGNATURE = /(?<![A-Za-z0-9_-])sig=([A-Za-z0-9+/=_%-]{20,512})/dgi;
// A SAS's other fields in the same query (`sv=` version, `se=` expiry, `sr=` resource, `sp=`
// permissions), or the connection string's or token's `SharedAccessSignature`: without them `sig=` is
// any signature, a git hash or a digest in a log line.
const SAS_FIELD = /^s[verp]=/i;
const SAS_TOKEN_END = /[\s"'<>]/;
/** How far around `sig=` its query is read: scans stay linear in the text. */
const SAS_CHARS = 512;

// Glued to `key` in one lower- or upper-case word (`masterkey`, `SUBSCRIPTIONKEY`), these name a
// credential; other words ending in "key" (`monkey`, `hotkey`, `turkey`) do not.
const GLUED_OWNER =
  /(?:account|storage|subscription|encryption|signing|master|hmac|client|consumer|license|licence|product|app|auth|session|shared|service|admin|root|cipher|aes|webhook|function|host|access|secret|private|api)key\d{0,2}$/i;
// Words of a key's name that make it no secret: a key that is public by design (an SSH or PGP public
// key, Stripe's publishable key, .NET's public key token), or a key in the sense of an index, a lookup
// or a name (`foreign key`, `sort_key`, `idempotency_key`, an S3 object's key, a translation's key).
// Digests, versions and the keys of stores, entities, events, jobs, builds, commits, uploads and caches
// are identifiers too (`hash_key`, `checksum_key: sha256-…`, `etagKey`, `versionKey`, `commit key`).
// `primary`/`secondary` are not here: a table's `primaryKey` is an id, but Azure lists its credentials as
// `primaryKey`/`primaryMasterKey`, so they read as any other word (padded base64 only, or a credential
// word after them).
const NOT_A_SECRET = new Set(
  "public publishable pub csrf xsrf foreign sort partition range cache idempotency dedup dedupe deduplication object routing row shard cursor continuation pagination page lookup index unique composite surrogate natural candidate translation i18n message trace correlation request file blob s3 registry map dict hot short shortcut keyboard group hash checksum digest sha sha1 sha256 md5 crc content integrity etag fingerprint version store entity event job build commit upload".split(
    " ",
  ),
);
// Words in a key's name that make it a credential's (`AccountKey`, `Ocp-Apim-Subscription-Key`,
// `ENCRYPTION_KEY`, `signing_key`, `hmacKey`, `storage key1`, `x-functions-key`).
const CREDENTIAL_WORD = new Set(
  "account storage subscription encryption decryption signing hmac master client consumer license licence product app auth session shared service admin root cipher crypto aes webhook function functions host access secret private api jwt".split(
    " ",
  ),
);
// An HTTP header carrying a key (`x-functions-key`, `x-goog-api-key`, `X-Gravitee-Api-Key`).
const KEY_HEADER = /^x-[a-z0-9]+(?:-[a-z0-9]+)*-key$/i;
// git's `user.signingkey` (and `signingkey =` in its `[user]` section) names a GPG key by its public
// fingerprint or id.
const GIT_SIGNING_KEY = /(?:^|\.)signingkey$/;
const GPG_KEY_ID = /^(?:[0-9A-F]{16}|[0-9A-F]{40})$/i;
const CAMEL_HUMP = /([a-z0-9])([A-Z])/g;

/** How far back the key's name is read: scans stay linear in the text. */
const NAME_CHARS = 64;

/**
 * The key's name ending in the `key` at `at` (`Ocp-Apim-Subscription-Key`, `ENCRYPTION_KEY`), and the
 * word before it when `key` stands alone after a space ("sort Key", as a camelCase JSON key reads with
 * its value: key-context.ts), or null when `key` only ends another word (`monkey`, `hotkey`).
 */
function keyName(text: string, at: number): string | null {
  let start = at;
  while (start > 0 && at - start < NAME_CHARS && /[A-Za-z0-9_.-]/.test(text[start - 1]!)) start--;
  const before = text[at - 1] ?? "";
  const camel = text[at] === "K" && text[at + 1] === "e";
  if (/[A-Za-z0-9]/.test(before) && !camel && !GLUED_OWNER.test(text.slice(start, at + 3))) return null;
  if (start === at && before === " ") {
    const word = /[A-Za-z0-9_-]{1,40}$/.exec(text.slice(Math.max(0, at - 41), at - 1));
    if (word) return `${word[0]} key`;
  }
  return text.slice(start, at + 3);
}

/**
 * What the key's name says of its value: "credential" when a credential word names it, "bare" for a
 * bare `key` or a key named by other words (only unmistakable key material is a secret there), null
 * when it names an identifier, a digest or a public key.
 */
function nameKind(name: string, value: string): "credential" | "bare" | null {
  const words = name
    .replace(CAMEL_HUMP, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.some((word) => NOT_A_SECRET.has(word))) return null;
  if (/user\.signingkey$/i.test(name) || (GIT_SIGNING_KEY.test(name) && GPG_KEY_ID.test(value))) return null;
  const last = words[words.length - 1] ?? "";
  if (!/^key\d{0,2}$/.test(last)) return GLUED_OWNER.test(last) ? "credential" : "bare";
  if (words.slice(0, -1).some((word) => CREDENTIAL_WORD.has(word)) || KEY_HEADER.test(name)) return "credential";
  return "bare";
}

function decoded(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const HEX_KEY = /^[0-9a-f]{32,}$/i;
// `user_profile_settings_v2`, `createdAtIndex`, `order-2024-07`: words and counts joined, a name.
// Each hump after the first starts with a capital, so a run of letters splits one way only (linear).
// Short words count (`v2`, `q3`, `x86`), and so do numeronyms (`k8s`, `i18n`) and dates (`20240115`).
const WORD_OR_COUNT = /^(?:[A-Za-z][a-z]*(?:[A-Z][a-z]+)*\d{0,4}|[a-z]\d{1,2}[a-z]{1,2}|\d{1,8})$/;
// `AZURE_STORAGE_KEY_2`: a constant's or an environment variable's name, given as where the key is.
const CONSTANT_NAME = /^[A-Z]+(?:_[A-Z0-9]+)+$/;
// `uploads/2024/3f8a….png`, `/home/app/keys/id_ed25519`: a path (S3 object keys, files).
const PATH = /^(?:~|\.{1,2})?\/|^[a-z]{4,}\//;
// A UUID names a record, a user or a request, not a key.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Public keys in DER (an RSA, EC or Ed25519 SubjectPublicKeyInfo, as a Chrome extension's manifest
// `"key"` holds) or in OpenSSH's wire format (`AAAAB3NzaC1yc2E…`): public by design.
const PUBLIC_KEY_MATERIAL = /^(?:M[A-Za-z0-9+/]{2,6}(?:ANBgkqhkiG9w0BAQEFAAO|EwYHKoZIzj0CAQY|EAYHKoZIzj0CAQY|BQYDK2VwAyEA)|AAAA[BCE][0-9A-Za-z]{2}zaC1|AAAAE2VjZHNh)/;
// Under a bare `key` only this is key material: base64 of 40 or more characters with its `=` padding
// (a 32-byte key is 44), mixing cases and digits.
const PADDED_BASE64 = /^[A-Za-z0-9+/]{38,}={1,2}$/;

/** Whether `value` is key material: generated, not a name, a path or a word. */
export function looksLikeKeyMaterial(value: string): boolean {
  const key = decoded(value);
  if (key.length < 20 || PATH.test(key) || UUID.test(key) || PUBLIC_KEY_MATERIAL.test(key)) return false;
  if (HEX_KEY.test(key)) return true;
  if (CONSTANT_NAME.test(key) || key.split(/[_-]/).every((part) => WORD_OR_COUNT.test(part))) return false;
  if (/\d/.test(key) && /[A-Za-z]/.test(key)) return true;
  return /[a-z]/.test(key) && /[A-Z]/.test(key) && /[+/]|=$/.test(key);
}

/** Whether `value`, under a bare `key` or one named by words that name no credential, is a key. */
export function isUnmistakableKeyMaterial(value: string): boolean {
  const key = decoded(value);
  return key.length >= 40 && PADDED_BASE64.test(key) && /\d/.test(key) && /[a-z]/.test(key) && /[A-Z]/.test(key) && !PUBLIC_KEY_MATERIAL.test(key);
}

function keyPairSecret(m: RegExpExecArray, text: string): Finding | null {
  const name = keyName(text, m.index);
  if (name === null) return null;
  const value = m[3] ?? "";
  const kind = nameKind(name, value);
  if (kind === null) return null;
  const end = m.index + m[0].length;
  // `key=3f8a….example.com`, `…@host`: the value runs on into a host name or an address, no key.
  if (/^[.:@][A-Za-z0-9]/.test(text.slice(end, end + 2))) return null;
  if (kind === "bare") return isUnmistakableKeyMaterial(value) ? group(m, 3, 0.85) : null;
  return looksLikeKeyMaterial(value) ? group(m, 3, 0.85) : null;
}

/** Whether the `sig=` at `at` stands in a SAS: beside its `sv=`/`se=`/`sr=`/`sp=`, or after `SharedAccessSignature`. */
function inSas(text: string, at: number, end: number): boolean {
  let start = at;
  while (start > 0 && at - start < SAS_CHARS && !SAS_TOKEN_END.test(text[start - 1]!)) start--;
  let stop = end;
  while (stop < text.length && stop - end < SAS_CHARS && !SAS_TOKEN_END.test(text[stop]!)) stop++;
  const fields = `${text.slice(start, at)}&${text.slice(end, stop)}`.split(/[?&;]|=(?=s[verp]=)/i);
  // `SharedAccessSignature=…` (a connection string), `SharedAccessSignature sr=…` (a Service Bus token).
  return fields.some((field) => SAS_FIELD.test(field)) || /sharedaccesssignature/i.test(text.slice(Math.max(0, start - 23), at));
}

/** SECRET: generated values under key names ending in "key", and Azure SAS signatures. */
export function keyNameSecretRecognizers(): Recognizer[] {
  return [
    patternRecognizer({
      name: "secret_key_pair",
      type: "SECRET",
      regex: KEY_PAIR,
      prefilter: (text) => /key/i.test(text),
      evaluate: keyPairSecret,
    }),
    patternRecognizer({
      name: "secret_sas_signature",
      type: "SECRET",
      regex: SAS_SIGNATURE,
      prefilter: (text) => /sig=/i.test(text),
      evaluate: (m, text) => {
        const signature = decoded(m[1] ?? "");
        if (!(/^[A-Za-z0-9+/_-]{20,}={0,2}$/.test(signature) && /\d/.test(signature) && /[A-Za-z]/.test(signature))) return null;
        return inSas(text, m.index, m.index + m[0].length) ? group(m, 1, 0.9) : null;
      },
    }),
  ];
}
