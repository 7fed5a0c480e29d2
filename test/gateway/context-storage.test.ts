/**
 * What the context store keeps follows pii.yaml's `context_storage`: raw by default, or sanitized
 * (placeholders from the session's vault, restored for the models and the client).
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { SHIPPED_POLICIES, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let fake: FakeOpenAI;
let gw: TestGateway;
const EMAIL = "olga.petrova@example.com";
const SESSION = `storage-${randomUUID()}`;

beforeAll(async () => {
  fake = await startFakeOpenAI({ echo: true });
  const pii = (await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8")).replace(/^context_storage: raw/m, "context_storage: sanitized");
  // On Redis, so the test can read what the store itself holds (the sessions API restores it).
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), files: { "pii.yaml": pii }, env: { REDIS_URL: inject("redisUrl") }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

async function chat(session: string, content: string) {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
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
    expect(await (await fetch(`${gw.url}/v1/sessions/${SESSION}`)).text()).toContain(EMAIL);
  });

  it("continues the conversation with the same placeholder for the stored value", async () => {
    fake.reset();
    await chat(SESSION, `And copy ${EMAIL} on the follow-up.`);
    const sent = fake.requests[0]!.raw.toString();
    expect(sent).not.toContain(EMAIL);
    // The stored turn and the new one name the same person the same way.
    expect(sent.split("<EMAIL_ADDRESS_1>").length - 1).toBeGreaterThanOrEqual(3);
  });
});
