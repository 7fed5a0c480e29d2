/**
 * A session sealed with a key no replica holds any more cannot be read back, and waiting will not
 * change that: `GET /v1/sessions/{id}` says so and points to DELETE, instead of "try again shortly".
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let fake: FakeOpenAI;
let sealer: TestGateway;
let reader: TestGateway;
const SESSION = `unreadable-${randomUUID()}`;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const replica = (key: string) =>
    startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }),
      env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000", SWITCHYARD_CONTEXT_KEY: key },
      waitForModels: false,
    });
  // Two replicas on one Redis, the second with a new key and without the first one's among its old keys.
  [sealer, reader] = await Promise.all([replica(randomBytes(32).toString("base64")), replica(randomBytes(32).toString("base64"))]);
});
afterAll(async () => {
  await Promise.all([sealer?.close(), reader?.close()]);
  await fake?.close();
});

describe("a session no configured key can open", () => {
  it("answers GET with a non-retryable error that says to delete it, and DELETE erases it", async () => {
    const chat = await fetch(`${sealer.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": SESSION },
      body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content: "Remember the blue door." }] }),
    });
    expect(chat.status).toBe(200);
    expect((await fetch(`${sealer.url}/v1/sessions/${SESSION}`)).status).toBe(200);

    const unreadable = await fetch(`${reader.url}/v1/sessions/${SESSION}`);
    const body = (await unreadable.json()) as { error: { code: string; message: string } };
    expect(unreadable.status).toBe(500);
    expect(body.error.code).toBe("session_unreadable");
    expect(body.error.message).toContain("DELETE");
    expect(unreadable.headers.get("x-should-retry")).toBe("false");
    expect(unreadable.headers.get("retry-after")).toBeNull();

    expect((await fetch(`${reader.url}/v1/sessions/${SESSION}`, { method: "DELETE" })).status).toBe(200);
    expect((await fetch(`${reader.url}/v1/sessions/${SESSION}`)).status).toBe(404);
  });
});
