/**
 * A client that resends its history edited (a regenerated answer, an edited question) replaces the
 * stored conversation. When another request of the same session saves while the rewrite is still
 * being answered, the session must read as if the two had run one after the other, in the order they
 * saved: the rewrite, saved last, is the conversation — never the other request's turns ahead of the
 * rewritten history, nor a rewrite stored twice. On the in-memory store and on Redis alike.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { assistant, sessionBackends, sessionChat, user, type Message } from "../support/session-chat.js";


const GREETING = "Hello there";
const ANSWER = "Hello from the fake cloud.";
// The fake upstream streams a scripted slow answer as "w0 w1 w2 …": 1.5 s, for the other request to
// load, be answered and save meanwhile on a busy machine.
const SLOW = { kind: "stream", chunks: 15, delayMs: 100 } as const;
const SLOW_ANSWER = Array.from({ length: SLOW.chunks }, (_, i) => `w${i} `).join("");

describe.each(sessionBackends())("a rewritten history answered while another request of the session saves ($backend store)", ({ env }) => {
  const cloud = fakeCloudGateway({ fake: { answer: ANSWER }, models: { maxRetries: 2 }, gateway: { env, waitForModels: false } });

  const { post, chat } = sessionChat(() => cloud.gw);

  /**
   * Starts a slowly streamed request and returns once the upstream has it (its load is done), with
   * its end in an object: an async function returning the promise itself would wait for it.
   */
  async function startSlow(session: string, messages: Message[]): Promise<{ done: Promise<void> }> {
    cloud.fake.script(SLOW);
    const before = cloud.fake.requests.length;
    const done = post(session, messages, true).then(async (response) => {
      expect(response.status).toBe(200);
      await response.text();
    });
    const deadline = Date.now() + 5000;
    while (cloud.fake.requests.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return { done };
  }

  /** The stored conversation once `until` holds for it (the save follows the answer), or after 5 s. */
  async function stored(session: string, until: (messages: Message[]) => boolean): Promise<Message[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const res = await fetch(`${cloud.gw.url}/v1/sessions/${session}`);
      const messages = res.ok ? ((await res.json()) as { messages: Message[] }).messages : [];
      if (until(messages) || Date.now() > deadline) return messages.map(({ role, content }) => ({ role, content }));
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const hasAnswer = (text: string) => (messages: Message[]) => messages.some((m) => m.role === "assistant" && m.content === text);

  it("stores the rewritten history alone, not the other request's turns ahead of it", async () => {
    const session = `rewrite-${randomUUID()}`;
    await chat(session, [user(GREETING)]);
    await stored(session, hasAnswer(ANSWER));

    // B: the first answer edited, then a new question — it diverges from the stored history.
    const rewritten = [user(GREETING), assistant("Hi! What do you need?"), user("Draft a note about the new office.")];
    const rewrite = await startSlow(session, rewritten);
    // A: another tab continues the stored conversation, and saves while B is still streaming.
    const continued = [user(GREETING), assistant(ANSWER), user("Draft a note about the overdue invoice."), assistant(ANSWER)];
    await chat(session, [continued[2]!]);
    expect(await stored(session, (messages) => messages.length === 4)).toEqual(continued);
    await rewrite.done;

    // A's exchange continued the answer B rewrote: saved before B, it is replaced with the rest of that branch.
    expect(await stored(session, hasAnswer(SLOW_ANSWER))).toEqual([...rewritten, assistant(SLOW_ANSWER)]);
  });

  it("stores a rewrite sent twice at once (a client's retry) once", async () => {
    const session = `rewrite-${randomUUID()}`;
    await chat(session, [user(GREETING)]);
    await stored(session, hasAnswer(ANSWER));

    const rewritten = [user(GREETING), assistant("Hi! What do you need?"), user("Draft a note about the new office.")];
    const first = await startSlow(session, rewritten);
    await chat(session, rewritten);
    expect(await stored(session, (messages) => messages.length === 4)).toEqual([...rewritten, assistant(ANSWER)]);
    await first.done;

    expect(await stored(session, hasAnswer(SLOW_ANSWER))).toEqual([...rewritten, assistant(SLOW_ANSWER)]);
  });
});
