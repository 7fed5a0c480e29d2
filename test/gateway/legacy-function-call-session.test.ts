/**
 * A session (`x-session-id`) whose cloud answer is the deprecated single function call: the client
 * sends only the `function` result on the next turn, and the gateway must put the call it answers
 * back in front of it — on the in-memory store and on Redis alike.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { FUNCTIONS, legacyCallGateway } from "./legacy-call-upstream.js";

const EMAIL = "ann.lee@example.com";
const KEY = "sk-legacy-session-0123456789";

describe.each([
  { backend: "memory", env: {} as Record<string, string> },
  { backend: "redis", env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" } },
])("a session answered with function_call ($backend store)", ({ env }) => {
  const legacy = legacyCallGateway({ env: { ...env, SWITCHYARD_API_KEYS: `legacy=${KEY}` } });
  beforeEach(() => {
    legacy.upstream.received.length = 0;
  });

  const client = () => legacy.gw.client({ apiKey: KEY });
  const ask = { model: "legacy-gpt", functions: FUNCTIONS };
  const firstTurn = [{ role: "user" as const, content: `Mail ${EMAIL}` }];
  const resultTurn = [{ role: "function" as const, name: "send_mail", content: "sent" }];

  async function turn(session: string, messages: typeof firstTurn | typeof resultTurn, stream: boolean): Promise<void> {
    const headers = { "x-session-id": session };
    if (!stream) {
      await client().chat.completions.create({ ...ask, messages }, { headers });
      return;
    }
    for await (const _ of await client().chat.completions.create({ ...ask, messages, stream: true }, { headers })) {
      // drained: the turn is saved once the stream ends
    }
  }

  async function storedMessages(session: string, answers = 1): Promise<Array<Record<string, unknown>>> {
    // The save happens after the answer went out: wait for the assistant turns to be there.
    const deadline = Date.now() + 5000;
    for (;;) {
      const res = await fetch(`${legacy.gw.url}/v1/sessions/${session}`, { headers: { authorization: `Bearer ${KEY}` } });
      const messages = res.ok ? ((await res.json()) as { messages: Array<Record<string, unknown>> }).messages : [];
      if (messages.filter((m) => m.role === "assistant").length >= answers || Date.now() > deadline) return messages;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it("keeps the client's version of a call it resends edited, for the turns that follow", async () => {
    const session = `legacy-${randomUUID()}`;
    const headers = { "x-session-id": session };
    await turn(session, firstTurn, false);
    await storedMessages(session);
    // The client resends the history with the call changed (another recipient), then the result.
    const editedCall = { name: "send_mail", arguments: JSON.stringify({ to: "the finance team" }) };
    const edited = [...firstTurn, { role: "assistant" as const, content: null, function_call: editedCall }, ...resultTurn];
    await client().chat.completions.create({ ...ask, messages: edited }, { headers });
    await storedMessages(session, 2);
    await client().chat.completions.create({ ...ask, messages: [{ role: "user", content: "Thanks." }] }, { headers });

    expect(legacy.upstream.received).toHaveLength(3);
    expect(legacy.upstream.received[2]!.map((m) => m.role)).toEqual(["user", "assistant", "function", "assistant", "user"]);
    expect(legacy.upstream.received[2]![1]).toMatchObject({ role: "assistant", function_call: editedCall });
  });

  describe.each([{ stream: false }, { stream: true }])("stream: $stream", ({ stream }) => {
    it("sends the call ahead of the function result the client sends on the next turn", async () => {
      const session = `legacy-${randomUUID()}`;
      await turn(session, firstTurn, stream);
      await storedMessages(session);
      await turn(session, resultTurn, stream);

      expect(legacy.upstream.received).toHaveLength(2);
      const [user, assistant, result] = legacy.upstream.received[1]!;
      expect(user).toMatchObject({ role: "user", content: expect.stringMatching(/^Mail <EMAIL_ADDRESS_\d+>$/) });
      // The session's placeholder, as the cloud saw it on the first turn.
      expect(assistant).toMatchObject({ role: "assistant", function_call: { name: "send_mail", arguments: JSON.stringify({ to: user!.content }) } });
      expect(assistant!.content ?? null).toBeNull();
      expect(result).toMatchObject({ role: "function", name: "send_mail", content: "sent" });
      expect(JSON.stringify(legacy.upstream.received)).not.toContain(EMAIL);
    });

    it("keeps the call the client received, original values and all, in the session", async () => {
      const session = `legacy-${randomUUID()}`;
      await turn(session, firstTurn, stream);
      const stored = await storedMessages(session);
      expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
      expect(stored[1]).toMatchObject({ function_call: { name: "send_mail", arguments: JSON.stringify({ to: `Mail ${EMAIL}` }) } });
    });
  });
});
