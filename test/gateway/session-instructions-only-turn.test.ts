/**
 * A request in a session that carries only instructions (system messages) brings no new turn: the
 * stored conversation is sent as it is, so the model answers again after the stored last answer, as
 * OpenAI does for messages that end with an assistant message. That answer is stored after the one
 * before it, nothing else is stored again, and the conversation stays what the model saw
 * (docs/CONTEXT.md, "Sending messages"). Without a session, instructions alone are answered as
 * OpenAI answers them.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

// The fake echoes the last user message.
const cloud = fakeCloudGateway({ fake: { echo: true }, gateway: { waitForModels: false } });

type Message = { role: string; content: string };

const chat = (messages: Message[], headers: Record<string, string> = {}) =>
  fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "cloud", messages }),
  });

const stored = async (session: string): Promise<Array<[string, string]>> => {
  const body = (await (await fetch(`${cloud.gw.url}/v1/sessions/${session}`)).json()) as { messages: Message[] };
  return body.messages.map(({ role, content }) => [role, content]);
};

describe("a session's turn of instructions only", () => {
  it("answers again after the stored last answer, stores that answer and the new instructions, and re-stores nothing", async () => {
    const session = `instructions-only-${randomUUID()}`;
    const first = await chat([{ role: "system", content: "Be kind." }, { role: "user", content: "first question" }], { "x-session-id": session });
    expect(first.status).toBe(200);
    await expect.poll(() => stored(session)).toHaveLength(3);

    const again = await chat([{ role: "system", content: "Be brief." }], { "x-session-id": session });
    expect(again.status).toBe(200);
    const sent = (cloud.fake.requests.at(-1)!.body as { messages: Message[] }).messages.map(({ role, content }) => [role, content]);
    expect(sent).toEqual([
      ["system", "Be brief."],
      ["user", "first question"],
      ["assistant", "first question"],
    ]);
    await expect.poll(() => stored(session)).toEqual([
      ["system", "Be brief."],
      ["user", "first question"],
      ["assistant", "first question"],
      ["assistant", "first question"],
    ]);
  });

  it("answers instructions alone without a session, as OpenAI does", async () => {
    const answer = await chat([{ role: "system", content: "Be brief." }]);
    expect(answer.status).toBe(200);
    expect((cloud.fake.requests.at(-1)!.body as { messages: Message[] }).messages).toEqual([{ role: "system", content: "Be brief." }]);
  });
});
