/**
 * `DELETE /v1/sessions/{id}` while a request of that session is still being answered: the request
 * loaded the session before the erasure, and saves its turn after it. The erasure must win — the
 * session stays gone, neither the new turn nor a rewritten (whole) history comes back — while the
 * request itself still gets its answer, and nothing is logged as a failure. On the in-memory store and
 * on Redis alike.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { assistant, sessionBackends, sessionChat, user, type Message } from "../support/session-chat.js";


const ANSWER = "Hello from the fake cloud.";
const ERASED_WHILE_ANSWERED = "conversation turn not saved: the session was erased while the request was answered";

describe.each(sessionBackends())("a session erased while one of its requests is answered ($backend store)", ({ env }) => {
  const cloud = fakeCloudGateway({ fake: { answer: ANSWER }, models: { maxRetries: 2 }, gateway: { env, waitForModels: false } });

  const { post, chat } = sessionChat(() => cloud.gw);

  /**
   * Sends a request whose upstream answer waits for `release()`, and returns once the upstream has it
   * (its session load is done). `answered` is the client's view of the answer.
   */
  async function startHeld(session: string, messages: Message[], stream = false) {
    let release!: () => void;
    cloud.fake.script({ kind: "hold", until: new Promise<void>((resolve) => (release = resolve)) });
    const before = cloud.fake.requests.length;
    const answered = post(session, messages, stream).then(async (response) => ({ status: response.status, text: await response.text() }));
    const deadline = Date.now() + 5000;
    while (cloud.fake.requests.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(cloud.fake.requests.length, "the held request reached the upstream").toBe(before + 1);
    return { release, answered };
  }

  const erase = (session: string) => fetch(`${cloud.gw.url}/v1/sessions/${session}`, { method: "DELETE" });

  async function stored(session: string): Promise<{ status: number; messages: Message[] }> {
    const res = await fetch(`${cloud.gw.url}/v1/sessions/${session}`);
    const messages = res.ok ? ((await res.json()) as { messages: Message[] }).messages.map(({ role, content }) => ({ role, content })) : [];
    return { status: res.status, messages };
  }

  const logLines = () => cloud.gw.logs.map((line) => JSON.parse(line) as { level: number; msg: string; requestId?: string });

  /** The save comes after the answer: wait until the request's save has reported the erasure. */
  async function refusedSaves(count: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (logLines().filter((l) => l.msg === ERASED_WHILE_ANSWERED).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  it.each([{ stream: false }, { stream: true }])("does not store the turn of a request that loaded before the erasure (stream: $stream)", async ({ stream }) => {
    const session = `erase-${randomUUID()}`;
    await chat(session, [user("My name is Ada and I live in Paris.")]);
    expect((await stored(session)).messages).toHaveLength(2);
    const refusedBefore = logLines().filter((l) => l.msg === ERASED_WHILE_ANSWERED).length;

    const held = await startHeld(session, [user("And my card is 4111 1111 1111 1111.")], stream);
    const erased = await erase(session);
    expect(erased.status).toBe(200);
    expect(await erased.json()).toEqual({ id: session, object: "session.deleted", deleted: true });
    held.release();
    const answer = await held.answered;
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(stream ? "Hello " : ANSWER);

    await refusedSaves(refusedBefore + 1);
    expect(await stored(session)).toEqual({ status: 404, messages: [] });
    // An expected outcome, not a failure: info, and no warning that a save failed.
    const refused = logLines().filter((l) => l.msg === ERASED_WHILE_ANSWERED);
    expect(refused).toHaveLength(refusedBefore + 1);
    expect(refused.at(-1)!.level).toBe(30);
    expect(logLines().filter((l) => l.level >= 40 && /not saved/.test(l.msg))).toEqual([]);

    // The next request loads after the erasure: the session starts afresh and is kept.
    await chat(session, [user("Hello again.")]);
    expect(await stored(session)).toEqual({ status: 200, messages: [user("Hello again."), assistant(ANSWER)] });
  });

  it("does not store again the whole history a rewrite in flight sends", async () => {
    const session = `erase-${randomUUID()}`;
    await chat(session, [user("Draft a note to Ada about her diagnosis.")]);
    const refusedBefore = logLines().filter((l) => l.msg === ERASED_WHILE_ANSWERED).length;

    // The client edited the stored answer: its save would replace the session with this history.
    const rewritten = [user("Draft a note to Ada about her diagnosis."), assistant("Dear Ada, the results show…"), user("Shorter, please.")];
    const held = await startHeld(session, rewritten);
    expect((await erase(session)).status).toBe(200);
    held.release();
    expect((await held.answered).status).toBe(200);

    await refusedSaves(refusedBefore + 1);
    expect(await stored(session)).toEqual({ status: 404, messages: [] });
  });

  it("does not let a first turn in flight create the session a DELETE was sent for (still answered 404)", async () => {
    const session = `erase-${randomUUID()}`;
    const refusedBefore = logLines().filter((l) => l.msg === ERASED_WHILE_ANSWERED).length;
    const held = await startHeld(session, [user("Remember my passport number X1234567.")]);
    // Nothing is stored yet, so the contract is unchanged: 404. The request answered now must still
    // not store what the client asked to be forgotten.
    const erased = await erase(session);
    expect(erased.status).toBe(404);
    held.release();
    expect((await held.answered).status).toBe(200);

    await refusedSaves(refusedBefore + 1);
    expect(await stored(session)).toEqual({ status: 404, messages: [] });
  });
});
