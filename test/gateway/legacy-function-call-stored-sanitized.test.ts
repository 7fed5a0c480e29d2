/**
 * pii.yaml's `context_storage: sanitized` with the deprecated function_call: the session stores the
 * call's arguments with placeholders, and a model on the host (which may see the original text)
 * gets the original values back when the session continues, as it does for content and tool_calls.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { SHIPPED_POLICIES } from "../support/gateway.js";
import { FUNCTIONS, legacyCallGateway } from "./legacy-call-upstream.js";

const EMAIL = "ann.lee@example.com";

const pii = (await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8")).replace(/^context_storage: raw/m, "context_storage: sanitized");
// On Redis, so the test can read what the store itself holds (the sessions API restores it).
const legacy = legacyCallGateway({ files: { "pii.yaml": pii }, env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" } });

async function storedMessages(session: string): Promise<Array<Record<string, unknown>>> {
  // The save happens after the answer went out: wait for the assistant turn to be there.
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${legacy.gw.url}/v1/sessions/${session}`);
    const messages = res.ok ? ((await res.json()) as { messages: Array<Record<string, unknown>> }).messages : [];
    if (messages.some((m) => m.role === "assistant") || Date.now() > deadline) return messages;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("a function_call stored sanitized", () => {
  it("reaches the on-host model with its original values when the session continues", async () => {
    const session = `legacy-sanitized-${randomUUID()}`;
    const headers = { "x-session-id": session };
    const ask = { model: "legacy-local", functions: FUNCTIONS };
    await legacy.gw.client().chat.completions.create({ ...ask, messages: [{ role: "user", content: `Mail ${EMAIL}` }] }, { headers });
    // The sessions API reads the call back as the client received it…
    const read = await storedMessages(session);
    expect(read[1]).toMatchObject({ role: "assistant", function_call: { name: "send_mail", arguments: JSON.stringify({ to: `Mail ${EMAIL}` }) } });
    // …but what makes the restore necessary: the session holds the call with a placeholder only.
    const redis = new Redis(inject("redisUrl"));
    try {
      const [list] = await redis.keys(`*{*:${session}}:t`);
      const stored = (await redis.lrange(list!, 0, -1)).map((turn) => JSON.parse(turn) as Record<string, unknown>);
      expect(JSON.stringify(stored)).not.toContain(EMAIL);
      expect(JSON.stringify(stored[1])).toMatch(/send_mail.*<EMAIL_ADDRESS_\d+>/);
    } finally {
      redis.disconnect();
    }

    await legacy.gw.client().chat.completions.create({ ...ask, messages: [{ role: "function", name: "send_mail", content: "sent" }] }, { headers });
    expect(legacy.upstream.received).toHaveLength(2);
    const [user, assistant, result] = legacy.upstream.received[1]!;
    expect(user).toMatchObject({ role: "user", content: `Mail ${EMAIL}` });
    expect(assistant).toMatchObject({ role: "assistant", function_call: { name: "send_mail", arguments: JSON.stringify({ to: `Mail ${EMAIL}` }) } });
    expect(result).toMatchObject({ role: "function", name: "send_mail", content: "sent" });
    expect(JSON.stringify(legacy.upstream.received[1])).not.toMatch(/<EMAIL_ADDRESS_\d+>/);
  });
});
