/**
 * A save the context store answers too late: Redis may still run it once it gets to it, so the log
 * must not say the turn was not saved (ops reading "not saved" looked for a lost turn that was there).
 * A private Redis, frozen with SIGSTOP while the save waits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer } from "../../src/pii/index.js";
import { loadConversation } from "../../src/pipeline/stages/conversation.js";
import { saveTurn } from "../../src/pipeline/stages/save.js";
import { capturedLog, contents, redisStorage, sleep, storagePerTest } from "../context/support.js";
import { policyWith } from "../pii/support.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { sessionRequest } from "./session-request.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  redis?.process.kill("SIGCONT");
  await redis?.stop();
});

describe("a save the context store answers too late", () => {
  // The suite's generous command bound (2 s), so the load before the freeze does not time out on a
  // loaded machine; the freeze outlasts it.
  const openStorage = storagePerTest(() => redisStorage(redis.url, "test:save-timeout:"));

  it("is logged as maybe not saved, and is stored once the store catches up", async () => {
    const store = await openStorage().replica();
    const policy = policyWith({});
    const sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
    const captured = capturedLog();
    const ctx = { ...sessionRequest({ requestId: "late", tenantId: "acme", sessionId: "late-save", messages: [{ role: "user", content: "Hello" }] }), log: captured.log };
    const conversation = await loadConversation(ctx, store, "raw");
    const answer: ChatMessage = { role: "assistant", content: "Hi" };

    redis.process.kill("SIGSTOP");
    const saving = saveTurn(ctx, { store, sanitizer }, conversation, answer, { route: "cloud", model: "gpt", provider: "openai", intent: undefined, sticky: null });
    await sleep(2_600);
    redis.process.kill("SIGCONT");
    await saving;

    const warned = captured.lines().filter((l) => (l.level as number) >= 40 && /saved/.test(String(l.msg)));
    expect(warned.map((l) => l.msg)).toEqual([expect.stringMatching(/^conversation turn may not be saved: the context store did not answer in time/)]);
    await expect.poll(async () => store.ready(100), { timeout: 5000 }).toBe(true);
    expect(contents((await store.load({ tenantId: "acme", sessionId: "late-save" })).turns)).toEqual(["Hello", "Hi"]);
  }, 15_000);
});
