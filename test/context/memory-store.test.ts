import { describe, expect, it } from "vitest";
import { assistant, memoryStorage, system, turn, user } from "./support.js";
import { describeStoreBehaviour } from "./store-behaviour.js";

describeStoreBehaviour("in-memory", (limits) => memoryStorage(limits));

describe("in-memory context store bounds", () => {
  it("evicts the least recently used session beyond the maximum number of sessions", async () => {
    const storage = memoryStorage({}, 3);
    const store = await storage.replica();
    const scope = (sessionId: string) => ({ tenantId: "t", sessionId });
    for (const id of ["a", "b", "c"]) await store.save(scope(id), { turns: [turn(user(id))] });
    await store.load(scope("a"));
    await store.save(scope("d"), { turns: [turn(user("d"))] });
    expect((await store.load(scope("b"))).exists).toBe(false);
    for (const id of ["a", "c", "d"]) expect((await store.load(scope(id))).exists).toBe(true);
    expect(store.status()).toMatchObject({ backend: "memory", state: "ready" });
  });

  it("evicts the least recently used sessions beyond the bytes all sessions may hold", async () => {
    // Four sessions of ~90 KB fit in 450 KB; ten thousand at the per-session limit would be 2.5 GiB.
    const storage = memoryStorage({ maxBytes: 100_000 }, 1000, 450_000);
    const store = await storage.replica();
    const scope = (sessionId: string) => ({ tenantId: "t", sessionId });
    for (const id of ["a", "b", "c", "d", "e", "f"]) await store.save(scope(id), { turns: [turn(user(`${id} ${"x".repeat(90_000)}`))] });
    for (const id of ["a", "b"]) expect((await store.load(scope(id))).exists, id).toBe(false);
    for (const id of ["c", "d", "e", "f"]) expect((await store.load(scope(id))).exists, id).toBe(true);
  });

  it("keeps a session whose one save wrote instructions and state, with a bound as low as one session's max_bytes", async () => {
    // Turns, an exchange waiting for its call's results on top, instructions and state from one save.
    const storage = memoryStorage({ maxBytes: 100_000 }, 1000, 100_000);
    const store = await storage.replica();
    const scope = { tenantId: "t", sessionId: "big" };
    await store.save(scope, { turns: [turn(user(`q ${"x".repeat(70_000)}`)), turn(assistant("ok"))], instructions: [turn(system("i".repeat(30_000)))], state: { notes: "s".repeat(20_000) } });
    const call = { role: "assistant" as const, content: null, tool_calls: [{ id: "c1", type: "function" as const, function: { name: "f", arguments: "{}" } }] };
    expect(await store.save(scope, { turns: [turn(user(`q2 ${"y".repeat(70_000)}`)), turn(call)] })).toMatchObject({ status: "ok" });
    // lru-cache deletes an entry heavier than its whole bound when it is set: the session went, saves "ok".
    const loaded = await store.load(scope);
    expect(loaded.turns).toHaveLength(4);
    expect(loaded.instructions).toHaveLength(1);
    expect(loaded.state).toEqual({ notes: "s".repeat(20_000) });
  });

  it("keeps a session whose instructions and state two saves wrote, each as large as one may be", async () => {
    const storage = memoryStorage({ maxBytes: 100_000 }, 1000, 100_000);
    const store = await storage.replica();
    const scope = { tenantId: "t", sessionId: "two-saves" };
    await store.save(scope, { turns: [turn(user("q")), turn(assistant("ok"))], instructions: [turn(system("i".repeat(90_000)))] });
    await store.save(scope, { turns: [turn(user(`q2 ${"x".repeat(70_000)}`)), turn(assistant("ok"))], state: { notes: "s".repeat(90_000) } });
    const call = { role: "assistant" as const, content: null, tool_calls: [{ id: "c1", type: "function" as const, function: { name: "f", arguments: "{}" } }] };
    expect(await store.save(scope, { turns: [turn(user(`q3 ${"y".repeat(70_000)}`)), turn(call)] })).toMatchObject({ status: "ok" });
    const loaded = await store.load(scope);
    expect(loaded.exists).toBe(true);
    expect(loaded.instructions).toHaveLength(1);
    expect(loaded.state).toEqual({ notes: "s".repeat(90_000) });
  });

  it("counts what a session grows to by later saves against that bound", async () => {
    const storage = memoryStorage({ maxBytes: 100_000 }, 1000, 450_000);
    const store = await storage.replica();
    const scope = (sessionId: string) => ({ tenantId: "t", sessionId });
    const ids = ["a", "b", "c", "d", "e"];
    for (const id of ids) await store.save(scope(id), { turns: [turn(user(id)), turn(assistant("ok"))] });
    for (const id of ids) await store.save(scope(id), { turns: [turn(user(`${id} ${"x".repeat(90_000)}`))] });
    expect((await store.load(scope("a"))).exists).toBe(false);
    for (const id of ["b", "c", "d", "e"]) expect((await store.load(scope(id))).turns, id).toHaveLength(3);
  });
});
