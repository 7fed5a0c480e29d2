/**
 * A value the PII policy blocks from cloud models may be in a session's stored history: a secret sent
 * in an earlier turn that the model on this host answered. Every later cloud turn is refused, and the
 * refusal said "The request contains data…" with param `messages`, though the request held nothing of
 * the kind (found by the sessions bug bash). It now names the session and says what can be done; a
 * blocked value in the request names the message as the client sent it.
 */
import { BadRequestError } from "openai";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

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
