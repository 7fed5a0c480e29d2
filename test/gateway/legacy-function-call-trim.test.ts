/**
 * A session trimmed to its turn limit right after a deprecated single function call: the `function`
 * result whose `function_call` was trimmed away must not lead the stored history, or every later
 * turn sends the model a result answering no call (which OpenAI refuses with a 400) — on the
 * in-memory store and on Redis alike. Trimming keeps whole exchanges, so the answer after that
 * result goes with it; and an exchange still waiting for its function result is not counted until
 * it is answered (docs/CONTEXT.md, "Limits").
 */
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { FUNCTIONS, legacyCallGateway } from "./legacy-call-upstream.js";

const KEY = "sk-legacy-trim-0123456789";

describe.each([
  { backend: "memory", env: {} as Record<string, string> },
  { backend: "redis", env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" } },
])("a session of four turns at most, answered with function_call ($backend store)", ({ env }) => {
  const legacy = legacyCallGateway({ env: { ...env, SWITCHYARD_CONTEXT_MAX_TURNS: "4", SWITCHYARD_API_KEYS: `legacy=${KEY}` } });

  async function storedMessages(session: string, until: (messages: Array<Record<string, unknown>>) => boolean): Promise<Array<Record<string, unknown>>> {
    // The save happens after the answer went out: wait for it.
    const deadline = Date.now() + 5000;
    for (;;) {
      const res = await fetch(`${legacy.gw.url}/v1/sessions/${session}`, { headers: { authorization: `Bearer ${KEY}` } });
      const messages = res.ok ? ((await res.json()) as { messages: Array<Record<string, unknown>> }).messages : [];
      if (until(messages) || Date.now() > deadline) return messages;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it("sends no function result without its call once the call is trimmed away", async () => {
    const session = `legacy-trim-${randomUUID()}`;
    const ask = (messages: Array<{ role: "user"; content: string } | { role: "function"; name: string; content: string }>) =>
      legacy.gw.client({ apiKey: KEY }).chat.completions.create({ model: "legacy-gpt", functions: FUNCTIONS, messages }, { headers: { "x-session-id": session } });

    await ask([{ role: "user", content: "Mail the report" }]);
    await storedMessages(session, (m) => m.some((x) => x.function_call));
    await ask([{ role: "function", name: "send_mail", content: "sent" }]);
    await storedMessages(session, (m) => m.some((x) => x.content === "Done: sent"));
    // Six turns, but the last exchange ends with a call awaiting its result: it does not count yet,
    // so the first exchange (question, call, result, answer) is not trimmed for it.
    await ask([{ role: "user", content: "Thanks" }]);
    const waiting = await storedMessages(session, (m) => m.some((x) => x.content === "Thanks") && m.length === 6);
    expect(waiting.map((m) => m.role)).toEqual(["user", "assistant", "function", "assistant", "user", "assistant"]);

    legacy.upstream.received.length = 0;
    await ask([{ role: "function", name: "send_mail", content: "sent again" }]);
    expect(legacy.upstream.received[0]!.map((m) => m.role)).toEqual(["user", "assistant", "function", "assistant", "user", "assistant", "function"]);
    // Answered, the exchange counts: the first one is trimmed whole, and no function result leads.
    const stored = await storedMessages(session, (m) => m.some((x) => x.content === "Done: sent again") && m.length === 4);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "function", "assistant"]);
    expect(stored[0]!.content).toBe("Thanks");

    legacy.upstream.received.length = 0;
    await ask([{ role: "user", content: "Bye" }]);
    expect(legacy.upstream.received[0]!.map((m) => m.role)).toEqual(["user", "assistant", "function", "assistant", "user"]);
  });
});
