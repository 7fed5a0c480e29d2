/**
 * AES-256-GCM encryption at rest for session content. Each sealed value names the key that sealed it
 * (a short digest of the key, never the key), so values written before a key rotation still open with
 * the old key while new writes use the current one.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const VERSION = "v1";

export interface ContextCipher {
  /** Encrypts `plaintext`, bound to `aad` (the session and field it belongs to). */
  seal(plaintext: string, aad: string): string;
  /** Decrypts a sealed value; throws when the key is unknown, or the value or its `aad` was altered. */
  open(sealed: string, aad: string): string;
  /** Whether `sealed` names the current key (false: an old key, or not a sealed value). */
  isCurrent(sealed: string): boolean;
}

export class UnknownKeyError extends Error {
  override name = "UnknownKeyError";
}

/** Decodes a base64 key and checks it is exactly 32 bytes. */
export function decodeKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== KEY_BYTES) throw new Error(`an AES-256 key must be ${KEY_BYTES} bytes of base64, got ${key.length} bytes`);
  return key;
}

export function keyId(key: Buffer): string {
  return createHash("sha256").update("switchyard-context-key\0").update(key).digest("hex").slice(0, 8);
}

/**
 * @example
 * const cipher = createCipher(decodeKey(env.SWITCHYARD_CONTEXT_KEY), [decodeKey(oldKey)]);
 * cipher.open(cipher.seal("hello", "t\0s"), "t\0s") // "hello"
 */
export function createCipher(current: Buffer, previous: readonly Buffer[] = []): ContextCipher {
  const currentId = keyId(current);
  const keys = new Map<string, Buffer>([[currentId, current]]);
  for (const key of previous) if (!keys.has(keyId(key))) keys.set(keyId(key), key);

  return {
    seal(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      cipher.setAAD(Buffer.from(aad, "utf8"));
      const body = Buffer.concat([iv, cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${currentId}.${body.toString("base64")}`;
    },
    isCurrent: (sealed) => sealed.startsWith(`${VERSION}.${currentId}.`),
    open(sealed, aad) {
      const [version, id, data] = sealed.split(".");
      if (version !== VERSION || id === undefined || data === undefined) throw new Error("not a sealed context value");
      const key = keys.get(id);
      if (!key) throw new UnknownKeyError(`sealed with key ${id}, which is neither SWITCHYARD_CONTEXT_KEY nor one of SWITCHYARD_CONTEXT_OLD_KEYS`);
      const body = Buffer.from(data, "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, body.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    },
  };
}
