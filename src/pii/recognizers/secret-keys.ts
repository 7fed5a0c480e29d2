/**
 * SECRET under a key whose name ends in "key" (`AccountKey=` in an Azure connection string,
 * `Ocp-Apim-Subscription-Key:`, `ENCRYPTION_KEY=`, `signing_key:`, `"hmacKey":`), and Azure SAS
 * signatures (`…&sig=…`). Such names also hold things that are no secret (`primary_key: id`,
 * `sort_key=created_at`, a public key), so only a value that looks generated is taken: 32 or more hex
 * digits, or 20 or more base64 or key characters mixing letters and digits (or cases, with base64's
 * `+`, `/` or padding).
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

// Glued to `key` in one lower- or upper-case word (`masterkey`, `SUBSCRIPTIONKEY`), these name a
// credential; other words ending in "key" (`monkey`, `hotkey`, `turkey`) do not.
const GLUED_OWNER =
  /(?:account|storage|subscription|encryption|signing|master|hmac|client|consumer|license|licence|product|app|auth|session|shared|service|admin|root|cipher|aes|webhook|function|host|access|secret|private|api)key\d{0,2}$/i;
// Words of a key's name that make it no secret: a key that is public by design (an SSH or PGP public
// key, Stripe's publishable key, .NET's public key token), or a key in the sense of an index, a lookup
// or a name (`primary_key`, `sort_key`, `idempotency_key`, an S3 object's key, a translation's key).
const NOT_A_SECRET = new Set(
  "public publishable pub csrf xsrf foreign sort partition range cache idempotency dedup dedupe deduplication object routing row shard cursor continuation pagination page lookup index unique composite surrogate natural candidate translation i18n message trace correlation request file blob s3 registry map dict hot short shortcut keyboard group".split(" "),
);
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

function namesASecret(name: string): boolean {
  return !name
    .replace(CAMEL_HUMP, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => NOT_A_SECRET.has(word));
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
const WORD_OR_COUNT = /^(?:[A-Za-z][a-z]+(?:[A-Z][a-z]+)*\d{0,4}|\d{1,4})$/;
// `AZURE_STORAGE_KEY_2`: a constant's or an environment variable's name, given as where the key is.
const CONSTANT_NAME = /^[A-Z]+(?:_[A-Z0-9]+)+$/;
// `uploads/2024/3f8a….png`, `/home/app/keys/id_ed25519`: a path (S3 object keys, files).
const PATH = /^(?:~|\.{1,2})?\/|^[a-z]{4,}\//;

/** Whether `value` is key material: generated, not a name, a path or a word. */
export function looksLikeKeyMaterial(value: string): boolean {
  const key = decoded(value);
  if (key.length < 20 || PATH.test(key)) return false;
  if (HEX_KEY.test(key)) return true;
  if (CONSTANT_NAME.test(key) || key.split(/[_-]/).every((part) => WORD_OR_COUNT.test(part))) return false;
  if (/\d/.test(key) && /[A-Za-z]/.test(key)) return true;
  return /[a-z]/.test(key) && /[A-Z]/.test(key) && /[+/]|=$/.test(key);
}

function keyPairSecret(m: RegExpExecArray, text: string): Finding | null {
  const name = keyName(text, m.index);
  if (name === null || !namesASecret(name)) return null;
  const value = m[3] ?? "";
  const end = m.index + m[0].length;
  // `key=3f8a….example.com`, `…@host`: the value runs on into a host name or an address, no key.
  if (/^[.:@][A-Za-z0-9]/.test(text.slice(end, end + 2))) return null;
  return looksLikeKeyMaterial(value) ? group(m, 3, 0.85) : null;
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
      evaluate: (m) => {
        const signature = decoded(m[1] ?? "");
        return /^[A-Za-z0-9+/_-]{20,}={0,2}$/.test(signature) && /\d/.test(signature) && /[A-Za-z]/.test(signature) ? group(m, 1, 0.9) : null;
      },
    }),
  ];
}
