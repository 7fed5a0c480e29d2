/**
 * A client that timed out (or lost its connection) resends the same request with the same
 * `x-request-id`, although the first attempt completed and stored its turn. The retry is the same
 * request: its turn is not stored twice, and neither it nor later turns send the turn twice upstream.
 * Only a client-sent id with the same new messages makes a retry: the same text under a new id (or
 * the gateway's own id) is a new turn, and so is another message under a fixed id. Memory and Redis.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { sessionBackends } from "../support/session-chat.js";

type Message = { role: string; content: string };
const ANSWER = "Hello from the fake cloud.";
const pairs = (messages: Message[]) => messages.map(({ role, content }) => [role, content]);

describe.each(sessionBackends())("a retried request ($backend store)", ({ env }) => {
  const cloud = fakeCloudGateway({ fake: { answer: ANSWER }, gateway: { env, waitForModels: false } });

  /** Sends `messages` and returns what went upstream for it. */
  async function chat(session: string, messages: Message[], requestId?: string) {
    const before = cloud.fake.requests.length;
    const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session, ...(requestId ? { "x-request-id": requestId } : {}) },
      body: JSON.stringify({ model: "cloud", messages }),
    });
    expect(response.status).toBe(200);
    if (requestId) expect(response.headers.get("x-request-id")).toBe(requestId);
    await response.text();
    expect(cloud.fake.requests.length).toBe(before + 1);
    return pairs((cloud.fake.requests.at(-1)!.body as { messages: Message[] }).messages);
  }
  /** The stored conversation, once it holds `count` messages (saves finish after the answer). */
  async function stored(session: string, count: number) {
    let messages: (Message & { metadata: { request_id?: string } })[] = [];
    await expect
      .poll(async () => {
        const response = await fetch(`${cloud.gw.url}/v1/sessions/${session}`);
        messages = response.ok ? ((await response.json()) as { messages: typeof messages }).messages : [];
        return messages.length;
      })
      .toBeGreaterThanOrEqual(count);
    // A duplicate would land after the count was reached: give it the time a save takes.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const response = await fetch(`${cloud.gw.url}/v1/sessions/${session}`);
    expect(response.status).toBe(200);
    messages = ((await response.json()) as { messages: typeof messages }).messages;
    return messages.map(({ role, content, metadata }) => [role, content, metadata.request_id]);
  }

  it("with the same x-request-id and body is stored once, and sent upstream once", async () => {
    const session = `retry-${randomUUID()}`;
    const id = `req-${randomUUID()}`;
    await chat(session, [{ role: "user", content: "Hi there." }]);
    await stored(session, 2);
    const book = { role: "user", content: "Book a table for two." };
    expect(await chat(session, [book], id)).toEqual([["user", "Hi there."], ["assistant", ANSWER], ["user", book.content]]);
    await stored(session, 4);
    // The client never saw the answer: it retries the same request, with the same id.
    expect(await chat(session, [book], id), "the retry is sent as the first attempt was").toEqual([
      ["user", "Hi there."],
      ["assistant", ANSWER],
      ["user", book.content],
    ]);
    expect((await stored(session, 4)).slice(2)).toEqual([
      ["user", book.content, id],
      ["assistant", ANSWER, id],
    ]);
    expect(await chat(session, [{ role: "user", content: "For 8pm please." }])).toEqual([
      ["user", "Hi there."],
      ["assistant", ANSWER],
      ["user", book.content],
      ["assistant", ANSWER],
      ["user", "For 8pm please."],
    ]);
  });

  it("that resends the whole history with the same x-request-id is stored once", async () => {
    const session = `retry-history-${randomUUID()}`;
    const id = `req-${randomUUID()}`;
    await chat(session, [{ role: "user", content: "Hi there." }]);
    await stored(session, 2);
    const whole = [
      { role: "user", content: "Hi there." },
      { role: "assistant", content: ANSWER },
      { role: "user", content: "Book a table for two." },
    ];
    await chat(session, whole, id);
    await stored(session, 4);
    const before = await stored(session, 4);
    expect(await chat(session, whole, id)).toEqual(pairs(whole));
    // Not taken for a rewrite of the history either: the earlier turns keep their own request's id.
    const after = await stored(session, 4);
    expect(after).toEqual(before);
    expect(after[0]![2]).not.toBe(id);
  });

  it("repeating a message under a new id, or the gateway's own, is a new turn", async () => {
    const session = `repeat-${randomUUID()}`;
    await chat(session, [{ role: "user", content: "hi" }], `req-${randomUUID()}`);
    await stored(session, 2);
    await chat(session, [{ role: "user", content: "hi" }], `req-${randomUUID()}`);
    await stored(session, 4);
    await chat(session, [{ role: "user", content: "hi" }]);
    await chat(session, [{ role: "user", content: "hi" }]);
    expect((await stored(session, 8)).map(([role, content]) => [role, content])).toEqual(Array.from({ length: 4 }, () => [["user", "hi"], ["assistant", ANSWER]]).flat());
  });

  it("a new message under the same id (a client sending a fixed id) is a new turn", async () => {
    const session = `fixed-id-${randomUUID()}`;
    const id = `fixed-${randomUUID()}`;
    await chat(session, [{ role: "user", content: "first" }], id);
    await stored(session, 2);
    await chat(session, [{ role: "user", content: "second" }], id);
    expect((await stored(session, 4)).map(([role, content]) => [role, content])).toEqual([
      ["user", "first"],
      ["assistant", ANSWER],
      ["user", "second"],
      ["assistant", ANSWER],
    ]);
  });
});
