/**
 * What a reviewer saw reach the cloud: credentials under key names ending in "Key" other than the API,
 * access, secret and private keys (an Azure Storage connection string's `AccountKey`, an
 * `Ocp-Apim-Subscription-Key` header, `ENCRYPTION_KEY=`, `signing_key:`, `license_key=`, `MasterKey=`)
 * and Azure SAS signatures (`&sig=…`) were sent with HTTP 200. A generated-looking value under such a
 * key is a SECRET, which the shipped policy blocks; names, words, paths and public keys are not.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, postJson } from "../support/gateway.js";
import { defaultPolicy, valuesOf } from "./support.js";

const STORAGE_KEY = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmE9PQ==";
const HEX_KEY = "3f8a9c2e7b1d4e6f9a0b2c4d6e8f0a1b";
const SIGNATURE = "Zm9vYmFy%2BYmF6cXV4Zm9vYmFyYmF6cXV4%3D";

const LEAKED: [string, string][] = [
  [`DefaultEndpointsProtocol=https;AccountName=prodstore;AccountKey=${STORAGE_KEY};EndpointSuffix=core.windows.net`, STORAGE_KEY],
  [`curl -H 'Ocp-Apim-Subscription-Key: ${HEX_KEY}' https://westeurope.api.cognitive.microsoft.com/`, HEX_KEY],
  [`ENCRYPTION_KEY=${HEX_KEY}`, HEX_KEY],
  ["signing_key: 9c2e7b1d4e6f9a0b2c4d6e8f0a1b3f8a", "9c2e7b1d4e6f9a0b2c4d6e8f0a1b3f8a"],
  ["license_key=ABCD1-EFGH2-IJKL3-MNOP4-QRST5", "ABCD1-EFGH2-IJKL3-MNOP4-QRST5"],
  ["MasterKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4", "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4"],
  [`BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2021-06-08&ss=b&srt=sco&sp=rl&sig=${SIGNATURE}`, SIGNATURE],
];

describe("a request carrying a credential under a …Key name, through the gateway", () => {
  const cloud = fakeCloudGateway({ fake: { echo: true }, gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });

  it.each(LEAKED)("is blocked before the cloud: %j", async (text, value) => {
    cloud.fake.reset();
    const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: [{ role: "user", content: `Why does this fail? ${text}` }] });
    expect(answer.status).toBe(400);
    expect((answer.json as any).error.code).toBe("pii_blocked");
    expect(JSON.stringify(answer.json)).not.toContain(value);
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("is blocked in a SAS URL too, and as a camelCase key of tool-call arguments", async () => {
    for (const messages of [
      [{ role: "user", content: `Download https://acct.blob.core.windows.net/c/report.csv?sv=2021-06-08&se=2025-01-01&sr=b&sp=r&sig=${SIGNATURE}` }],
      [
        { role: "user", content: "sign it" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "sign", arguments: JSON.stringify({ hmacKey: HEX_KEY }) } }] },
        { role: "tool", tool_call_id: "c1", content: "signed" },
      ],
    ]) {
      cloud.fake.reset();
      const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages });
      expect(answer.status).toBe(400);
      expect(cloud.fake.requests).toHaveLength(0);
    }
  });

  it("still sends key names whose values are no secrets", async () => {
    cloud.fake.reset();
    const content = "Schema: primary_key: id, sort_key=created_at, idempotency_key: 3f8a9c2e-7b1d-4e6f-9a0b-2c4d6e8f0a1b. Which index fits?";
    const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: [{ role: "user", content }] });
    expect(answer.status).toBe(200);
    expect(cloud.fake.requests[0]!.raw.toString("utf8")).toContain(content);
  });
});

describe("SECRET under key names ending in Key (recognizer)", () => {
  let engine: PiiEngine;
  beforeAll(() => {
    engine = createPiiEngine(defaultPolicy());
  });
  const secrets = (text: string) => valuesOf(engine, "SECRET", text);

  it.each([
    // Without the endpoint's URL around it, which the URL recognizer takes whole (then typed SECRET).
    ...LEAKED.slice(0, -1),
    [`SharedAccessSignature=sv=2021-06-08&ss=b&srt=sco&sp=rl&se=2025-01-01T00:00:00Z&sig=${SIGNATURE}`, SIGNATURE],
    [`"hmacKey": "${HEX_KEY}"`, HEX_KEY],
    [`x-functions-key: aGVsbG8gd29ybGQgdGhpcyBpcyBhIGtleQ==`, "aGVsbG8gd29ybGQgdGhpcyBpcyBhIGtleQ=="],
    [`CLIENT_KEY=${HEX_KEY}`, HEX_KEY],
    [`consumer-key: Xy7kQ2pL9mZr4TbWv1Nc8Hs3`, "Xy7kQ2pL9mZr4TbWv1Nc8Hs3"],
    [`MASTERKEY=${HEX_KEY}`, HEX_KEY],
    [`storage key1: ${STORAGE_KEY}`, STORAGE_KEY],
    [`The subscription key is ${HEX_KEY}, can you check it?`, HEX_KEY],
    [`Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=ns&sig=${SIGNATURE}&se=1700000000&skn=Root`, SIGNATURE],
  ])("finds it in %j", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it("types a SAS URL SECRET as a whole", () => {
    const url = `https://acct.blob.core.windows.net/c/report.csv?sv=2021-06-08&sr=b&sp=r&sig=${SIGNATURE}`;
    expect(secrets(`Download ${url} now`)).toEqual([url]);
  });

  it.each([
    // Names, words and counts under index and lookup keys.
    "primary_key: id",
    "sort_key=created_at",
    "cache_key=user_profile_settings_v2_2024",
    "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users(id)",
    "The key: value pairs are separated by commas.",
    "key: AZURE_STORAGE_KEY_2",
    // Identifiers that are not secrets even when generated.
    "idempotency_key: 3f8a9c2e-7b1d-4e6f-9a0b-2c4d6e8f0a1b",
    "sortKey: 3f8a9c2e7b1d4e6f9a0b2c4d6e8f0a1b",
    '"Key": "uploads/2024/3f8a9c2e7b1d4e6f9a0b2c4d6e8f0a1b.png"',
    "ssh_key: /home/app/keys/id_ed25519_prod",
    // Public keys are public.
    "public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx2nNNN8mbXwzRS4WvYqXm0fQ0hG0bU9Q5rDZu5K8jr user@host",
    "publicKey: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3f8a9c2e7b1d",
    "STRIPE_PUBLISHABLE_KEY=pk_live_51Hx7kQ2pL9mZr4TbWv1Nc8Hs3",
    // Words that only end in "key".
    "monkey=3",
    `MONKEY=${HEX_KEY}`,
    `hotkey: ${HEX_KEY}`,
    "Press the keyboard shortcut twice.",
    // A signature too short or plain to be one.
    "?sig=true&sv=2021",
  ])("finds none in %j", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});
