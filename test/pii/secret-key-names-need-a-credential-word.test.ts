/**
 * Regression: the `…key` SECRET rule took a bare `key`, or `<any word> key`, as a credential's name and
 * any 20+ character value mixing letters and digits as key material, so cache keys, digests, UUIDs,
 * S3 object keys, feature-flag keys, git's GPG fingerprint and a Chrome extension's public key were
 * blocked with HTTP 400 by the shipped policy. A key's name must carry a credential word
 * (`AccountKey`, `ENCRYPTION_KEY`, `x-functions-key`); a bare `key` takes only unmistakable key
 * material; a bare `sig=` is a SAS signature only beside the SAS's other fields.
 */
import { describe, expect, it } from "vitest";
import { createPiiEngine, createSanitizer } from "../../src/pii/index.js";
import { patientPolicy, userMessageForCloud, valuesOf } from "./support.js";

const policy = patientPolicy();
const engine = createPiiEngine(policy);
const sanitizer = createSanitizer({ policy, engine, env: {} });
const kind = (content: string) => userMessageForCloud(sanitizer, content).kind;

const HEX = "3f8a9c2e7b1d4e6f9a0b2c4d6e8f0a1b";
const UUID = "3f8a9c2e-7b1d-4e6f-9a0b-2c4d6e8f0a1b";
const SHA1 = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";

const NOT_SECRETS = [
  `Cache saved with key: Linux-node-${HEX}${HEX}`,
  "user.signingkey=3AA5C34371567BD2A1B2C3D4E5F60718293A4B5C",
  "[user]\n\tsigningkey = 3AA5C34371567BD2A1B2C3D4E5F60718293A4B5C",
  `DynamoDB item: {"hash_key": "${SHA1}", "range_key": 1}`,
  "checksum_key: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
  `hashKey: ${SHA1}`,
  `digestKey: ${HEX}`,
  "contentKey: sha512-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "integrityKey: sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC",
  `etagKey: "${HEX}"`,
  `[{"key": "${UUID}", "label": "Inbox"}] why does React warn?`,
  `primaryKey: "${UUID}"`,
  `The primary key is ${UUID}`,
  '{"key": "new-checkout-flow-v2", "on": true}',
  "upload key=uploads_2024_01_15_report_final_v2",
  "versionKey: v2_20240115_build_1234",
  `job_key: build-${HEX}`,
  "deploy key: release_q3_x86_k8s_2024_rollout",
  `{"Key": "img/${HEX}", "Size": 1024}`,
  '{"manifest_version": 3, "key": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"}',
  `storeKey: ${HEX}`,
  `entityKey: ${UUID}`,
  `eventKey: evt_${HEX}`,
  `commit key: ${SHA1}`,
  `my key is ${HEX}`,
  `key=${HEX}`,
  `The signature is at sig=${SHA1} in the log.`,
];

describe("key names without a credential word", () => {
  it.each(NOT_SECRETS)("are sent, not blocked: %j", (text) => {
    expect(valuesOf(engine, "SECRET", text)).toEqual([]);
    expect(kind(text)).not.toBe("blocked");
  });
});

describe("credentials stay blocked", () => {
  const STORAGE_KEY = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmE9PQ==";
  it.each([
    [`AccountKey=${STORAGE_KEY}`, STORAGE_KEY],
    // A bare `key` takes unmistakable key material only: padded base64 of 40 or more characters.
    [`key=${STORAGE_KEY}`, STORAGE_KEY],
    [`"key": "${STORAGE_KEY}"`, STORAGE_KEY],
    // Azure lists its keys as `primaryKey` and Cosmos DB's as `primaryMasterKey`.
    [`"primaryKey": "${STORAGE_KEY}"`, STORAGE_KEY],
    [`"primaryMasterKey": "${STORAGE_KEY}"`, STORAGE_KEY],
    [`x-goog-api-key: ${HEX}`, HEX],
    [`Some-Service-Subscription-Key: ${HEX}`, HEX],
    [`signing_key: ${SHA1}`, SHA1],
    [`ENCRYPTION_KEY=release_q3_x86_k8s_2024_rollout_9f3kQ`, "release_q3_x86_k8s_2024_rollout_9f3kQ"],
    [`SharedAccessSignature sr=ns&sig=Zm9vYmFy%2BYmF6cXV4Zm9vYmFyYmF6cXV4%3D&se=1700000000`, "Zm9vYmFy%2BYmF6cXV4Zm9vYmFyYmF6cXV4%3D"],
    [`?se=2025-01-01&sig=Zm9vYmFy%2BYmF6cXV4Zm9vYmFyYmF6cXV4%3D`, "Zm9vYmFy%2BYmF6cXV4Zm9vYmFyYmF6cXV4%3D"],
  ])("%j", (text, value) => {
    expect(valuesOf(engine, "SECRET", text)).toEqual([value]);
    expect(kind(text)).toBe("blocked");
  });
});

describe("a scan of one huge line of keys or signatures", () => {
  it.each(["x-a-key: Zm9vYmFyYmF6cXV4Zm9vYmFy ", "a=1&sig=Zm9vYmFyYmF6cXV4Zm9vYmFy1", "storage key=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4PQ==&"])(
    "stays linear for %j repeated to 200 KB",
    (unit) => {
      const text = unit.repeat(Math.ceil(200_000 / unit.length));
      engine.scan(text.slice(0, 1000));
      const started = performance.now();
      engine.scan(text);
      expect(performance.now() - started).toBeLessThan(2_000);
    },
  );
});
