/**
 * A value the PII policy blocks from cloud models may be in a session's stored history: a secret sent
 * in an earlier turn that the model on this host answered. Every later cloud turn is refused, and the
 * refusal said "The request contains data…" with param `messages`, though the request held nothing of
 * the kind (found by the sessions bug bash). It now names the session and says what can be done; a
 * blocked value in the request names the message as the client sent it.
 */
import { BadRequestError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { fakeCloudGateway, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const TOKEN = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";
const cloud = fakeCloudGateway();

async function refusalOf(promise: Promise<unknown>): Promise<BadRequestError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BadRequestError);
  expect((error as BadRequestError).code).toBe("pii_blocked");
  return error as BadRequestError;
}

describe("a blocked value in a session", () => {
  it("in the stored history: the refusal names the session, not the request's messages", async () => {
    const client = cloud.gw.client();
    const session = { headers: { "x-session-id": "pii-history-1" } };
    await client.chat.completions.create({ model: "local", max_tokens: 4, messages: [{ role: "user", content: `Once upon a time my key was ${TOKEN}` }] }, session);
    const refusal = await refusalOf(client.chat.completions.create({ model: "cloud", messages: [{ role: "user", content: "And then?" }] }, session));
    expect(refusal.param).toBe("x-session-id");
    expect(refusal.message).toContain("stored history");
    expect(refusal.message).not.toContain(TOKEN);
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("in the new turn: the refusal names the message by its index in the request", async () => {
    const client = cloud.gw.client();
    const session = { headers: { "x-session-id": "pii-history-2" } };
    await client.chat.completions.create({ model: "local", max_tokens: 4, messages: [{ role: "user", content: "Once upon a time" }] }, session);
    const refusal = await refusalOf(client.chat.completions.create({ model: "cloud", messages: [{ role: "user", content: `my key is ${TOKEN}` }] }, session));
    expect(refusal.param).toBe("messages[0]");
    expect(cloud.fake.requests).toHaveLength(0);
  });
});

describe("a blocked value in a request whose oldest turns were dropped to fit the model", () => {
  // Review: the scan ran on the trimmed conversation, so its index named another message (here a stored one).
  const small = fakeCloudGatewayWithWindow(600);
  it("names the message as the client sent it", async () => {
    const client = small.gw.client();
    const session = { headers: { "x-session-id": "pii-history-3" } };
    const long = (n: number) => `Turn ${n}: ${"tell me a long story about the sea and the ships ".repeat(20)}`;
    for (const n of [1, 2, 3]) await client.chat.completions.create({ model: "cloud", max_tokens: 16, messages: [{ role: "user", content: long(n) }] }, session);
    const before = small.fake.requests.length;
    const refusal = await refusalOf(client.chat.completions.create({ model: "cloud", max_tokens: 16, messages: [{ role: "user", content: `my key is ${TOKEN}` }] }, session));
    expect(refusal.param).toBe("messages[0]");
    expect(refusal.message).not.toContain("stored history");
    expect(small.fake.requests).toHaveLength(before);
  });
});

function fakeCloudGatewayWithWindow(window: number) {
  const box: { fake?: FakeOpenAI; gw?: TestGateway } = {};
  beforeAll(async () => {
    box.fake = await startFakeOpenAI();
    box.gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: box.fake.baseURL, maxRetries: 0 }).replace("context_window: 128000", `context_window: ${window}`), waitForModels: false });
  });
  afterAll(async () => {
    await box.gw?.close();
    await box.fake?.close();
  });
  return { get gw() { return box.gw!; }, get fake() { return box.fake!; } };
}
