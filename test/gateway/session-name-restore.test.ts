/**
 * With `context_storage: sanitized`, a message `name` is stored as its bracket-less alias (`PERSON_1`).
 * A later turn restores it from the session's vault before the new request is sanitized, so the
 * name is pseudonymized again and an answer that repeats the alias reaches the client as the name.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { fakeCloudGateway, SHIPPED_POLICIES } from "../support/gateway.js";

const NAME = "Maria Gonzalez";
const SESSION = `named-${randomUUID()}`;

const pii = (await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8")).replace(/^context_storage: raw/m, "context_storage: sanitized");
// On Redis, so the test can read what the store itself holds (the sessions API restores it).
const cloud = fakeCloudGateway({
  fake: { answer: "Hello PERSON_1, how can I help?" },
  models: { maxRetries: 2 },
  gateway: { files: { "pii.yaml": pii }, env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" }, waitForModels: false },
});

async function chat(message: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": SESSION },
    body: JSON.stringify({ model: "cloud", messages: [message] }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
}

describe("a message name in a sanitized session", () => {
  it("is restored in a later turn's answer, and never leaves the host", async () => {
    expect(await chat({ role: "user", name: NAME, content: "Hi there" })).toBe(`Hello ${NAME}, how can I help?`);
    const redis = new Redis(inject("redisUrl"));
    try {
      const [list] = await redis.keys(`*{*:${SESSION}}:t`);
      expect((await redis.lrange(list!, 0, -1)).join("\n")).not.toContain(NAME);
    } finally {
      redis.disconnect();
    }
    // The sessions API reads the name back as the client sent it.
    const read = (await (await fetch(`${cloud.gw.url}/v1/sessions/${SESSION}`)).json()) as { messages: { name?: string }[] };
    expect(read.messages[0]!.name).toBe(NAME);
    // The next turn sends only its new message: the name comes from the stored turn.
    expect(await chat({ role: "user", content: "What was my question?" })).toBe(`Hello ${NAME}, how can I help?`);
    expect(cloud.fake.requests.map((r) => r.raw.toString()).join("\n")).not.toContain("Gonzalez");
  });
});
