/**
 * What the context store keeps follows pii.yaml's `context_storage`: raw by default, or sanitized
 * (placeholders from the session's vault, restored for the models and the client).
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { fakeCloudGateway, SHIPPED_POLICIES } from "../support/gateway.js";

const EMAIL = "olga.petrova@example.com";
const SESSION = `storage-${randomUUID()}`;

const pii = (await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8")).replace(/^context_storage: raw/m, "context_storage: sanitized");
// On Redis, so the test can read what the store itself holds (the sessions API restores it).
const cloud = fakeCloudGateway({
  fake: { echo: true },
  models: { maxRetries: 2 },
  gateway: { files: { "pii.yaml": pii }, env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" }, waitForModels: false },
});

async function chat(session: string, content: string) {
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content }] }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
}

describe("context_storage: sanitized", () => {
  it("stores placeholders, never the value, and still restores it for the client", async () => {
    const answer = await chat(SESSION, `Please write to ${EMAIL} about the delayed parcel.`);
    expect(answer).toContain(EMAIL);
    const redis = new Redis(inject("redisUrl"));
    try {
      const [list] = await redis.keys(`*{*:${SESSION}}:t`);
      const stored = (await redis.lrange(list!, 0, -1)).join("\n");
      expect(stored).not.toContain(EMAIL);
      expect(stored).toContain("<EMAIL_ADDRESS_1>");
    } finally {
      redis.disconnect();
    }
    // The sessions API reads it back as the client sent it.
    expect(await (await fetch(`${cloud.gw.url}/v1/sessions/${SESSION}`)).text()).toContain(EMAIL);
  });

  it("continues the conversation with the same placeholder for the stored value", async () => {
    cloud.fake.reset();
    await chat(SESSION, `And copy ${EMAIL} on the follow-up.`);
    const sent = cloud.fake.requests[0]!.raw.toString();
    expect(sent).not.toContain(EMAIL);
    // The stored turn and the new one name the same person the same way.
    expect(sent.split("<EMAIL_ADDRESS_1>").length - 1).toBeGreaterThanOrEqual(3);
  });
});
