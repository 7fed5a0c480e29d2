/**
 * A write whose exchange in the middle is over the size limit on its own (a full-history client
 * resending an exchange that was never stored, in front of its new turn): that exchange is left out,
 * the exchanges around it are stored, and the history before the write is kept — on both stores.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { assistant, capturedLog, contents, memoryStorage, redisStorage, toolCall, toolResult, turn, user, type SharedStorage } from "./support.js";

const url = inject("redisUrl");

describe.each([
  { name: "memory", storage: () => memoryStorage({ maxBytes: 2000 }) },
  { name: "Redis", storage: () => redisStorage(url, "test:oversized-exchange:", { maxBytes: 2000 }) },
])("$name store, an exchange over max_bytes inside a write", ({ storage }) => {
  let opened: SharedStorage | undefined;
  afterEach(async () => {
    await opened?.close();
  });

  it("leaves out only that exchange and keeps the history before it", async () => {
    const captured = capturedLog();
    opened = storage();
    const store = await opened.replica({ log: captured.log });
    const scope = { tenantId: "acme", sessionId: `mid-${Math.random()}` };
    await store.save(scope, { turns: [turn(user("u1")), turn(assistant("a1")), turn(user("u2")), turn(assistant("a2"))] });
    const big = [turn(user(`BIG ${"x".repeat(3000)}`)), turn(assistant("big answer"))];
    const saved = await store.save(scope, { turns: [...big, turn(user("u4")), turn(assistant("a4"))] });
    expect(saved).toEqual({ status: "ok", turns: 6, trimmed: 0, notStored: 2 });
    expect(contents((await store.load(scope)).turns)).toEqual(["u1", "a1", "u2", "a2", "u4", "a4"]);
    const warning = captured.lines().find((l) => l.msg === "conversation turn larger than the context size limit; not stored");
    expect(warning).toMatchObject({ messages: 2 });
    // The size of the exchange left out, not of the turns that were stored after it.
    expect(warning!.bytes as number).toBeGreaterThan(3000);

    // Two large exchanges around a small one: only the small one is stored.
    expect(await store.save(scope, { turns: [...big, turn(user("u5")), turn(assistant("a5")), ...big] })).toEqual({ status: "ok", turns: 8, trimmed: 0, notStored: 4 });
    expect(contents((await store.load(scope)).turns)).toEqual(["u1", "a1", "u2", "a2", "u4", "a4", "u5", "a5"]);
  });

  it("never starts a history with a call result whose call was too large to store", async () => {
    opened = storage();
    const store = await opened.replica();
    const scope = { tenantId: "acme", sessionId: `head-${Math.random()}` };
    await store.save(scope, { turns: [turn(user("Q".repeat(2500))), turn(toolCall("c1", "lookup", "{}"))] });
    await store.save(scope, { turns: [turn(toolResult("c1", "result")), turn(assistant("answer"))] });
    expect((await store.load(scope)).turns.map((t) => t.message.role)).toEqual(["assistant"]);
  });

  it("never keeps a call without its results: a too-large continuation drops the call it continues, a later large exchange too", async () => {
    opened = storage();
    const store = await opened.replica();
    const scope = { tenantId: "acme", sessionId: `call-${Math.random()}` };
    await store.save(scope, { turns: [turn(user("u0")), turn(assistant("a0")), turn(user("u1")), turn(toolCall("c1", "lookup", "{}"))] });
    const saved = await store.save(scope, {
      turns: [turn(toolResult("c1", "R".repeat(2500))), turn(assistant("a1")), turn(user("Q".repeat(2500))), turn(assistant("a2"))],
    });
    expect(saved).toMatchObject({ status: "ok", turns: 2, notStored: 4 });
    expect(contents((await store.load(scope)).turns)).toEqual(["u0", "a0"]);
  });
});
