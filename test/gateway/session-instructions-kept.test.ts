/**
 * A session's instructions (its leading system/developer messages) are stored apart from its turns so
 * trimming never removes them. They must reach the model also when no stored turn is left: every turn
 * trimmed away by `max_bytes` (an answer larger than the limit), or the turn list evicted by a Redis
 * under memory pressure while the meta hash with the instructions stayed.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { sessionBackends } from "../support/session-chat.js";

const SYSTEM = "You are a pirate. Always say arr.";
type Sent = { messages: { role: string; content: string }[] };

describe.each(sessionBackends())("stored instructions with no stored turn left ($backend store)", ({ backend, env }) => {
  const cloud = fakeCloudGateway({ fake: { echo: true }, gateway: { env: { ...env, SWITCHYARD_CONTEXT_MAX_BYTES: "2000" }, waitForModels: false } });

  const chat = async (session: string, messages: { role: string; content: string }[]) => {
    const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session },
      // The fake echoes the last user message: a long one is an answer larger than the byte limit.
      body: JSON.stringify({ model: "cloud", messages }),
    });
    expect(response.status).toBe(200);
    await response.text();
  };
  const stored = async (session: string) => {
    const response = await fetch(`${cloud.gw.url}/v1/sessions/${session}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as Sent).messages.map(({ role, content }) => [role, content.slice(0, 40)]);
  };
  const lastSent = () => (cloud.fake.requests.at(-1)!.body as Sent).messages.map(({ role, content }) => [role, content.slice(0, 40)]);

  it("are sent to the model when every turn was trimmed away", async () => {
    const session = `trimmed-${randomUUID()}`;
    // An answer (the echo) larger than the byte limit: once stored, every turn of the session is trimmed.
    await chat(session, [{ role: "system", content: SYSTEM }, { role: "user", content: `hi ${"A".repeat(2500)}` }]);
    // The precondition: the turn did not fit the byte limit, the instructions are kept.
    await expect.poll(() => stored(session)).toEqual([["system", SYSTEM]]);

    await chat(session, [{ role: "user", content: "and now?" }]);
    expect(lastSent()).toEqual([
      ["system", SYSTEM],
      ["user", "and now?"],
    ]);
  });

  it.runIf(backend === "redis")("are sent to the model when the turn list was evicted", async () => {
    const redis = new Redis(env.REDIS_URL!);
    try {
      const session = `evicted-${randomUUID()}`;
      await chat(session, [{ role: "system", content: SYSTEM }, { role: "user", content: "hi" }]);
      await expect.poll(() => stored(session)).toEqual([["system", SYSTEM], ["user", "hi"], ["assistant", "hi"]]);
      // A Redis under memory pressure evicts the turn list; the meta hash with the instructions stays.
      const keys = await redis.keys(`*{*:${session}}:t`);
      expect(keys).toHaveLength(1);
      await redis.del(keys[0]!);

      await chat(session, [{ role: "user", content: "still a pirate?" }]);
      expect(lastSent()).toEqual([
        ["system", SYSTEM],
        ["user", "still a pirate?"],
      ]);
    } finally {
      redis.disconnect();
    }
  });
});
