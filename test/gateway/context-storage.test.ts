/**
 * What the context store keeps follows pii.yaml's `context_storage`: raw by default, or sanitized
 * (placeholders from the session's vault, restored for the models and the client).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { SHIPPED_POLICIES, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let fake: FakeOpenAI;
let gw: TestGateway;
const EMAIL = "olga.petrova@example.com";

beforeAll(async () => {
  fake = await startFakeOpenAI({ echo: true });
  const pii = (await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8")).replace(/^context_storage: raw/m, "context_storage: sanitized");
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), files: { "pii.yaml": pii }, waitForModels: false });
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
    const answer = await chat("storage-1", `Please write to ${EMAIL} about the delayed parcel.`);
    expect(answer).toContain(EMAIL);
    const stored = await (await fetch(`${gw.url}/v1/sessions/storage-1`)).text();
    expect(stored).not.toContain(EMAIL);
    expect(stored).toContain("<EMAIL_ADDRESS_1>");
  });

  it("continues the conversation with the same placeholder for the stored value", async () => {
    fake.reset();
    await chat("storage-1", `And copy ${EMAIL} on the follow-up.`);
    const sent = fake.requests[0]!.raw.toString();
    expect(sent).not.toContain(EMAIL);
    // The stored turn and the new one name the same person the same way.
    expect(sent.split("<EMAIL_ADDRESS_1>").length - 1).toBeGreaterThanOrEqual(3);
  });
});
