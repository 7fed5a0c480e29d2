import { describe, expect, it } from "vitest";
import { memoryStorage, turn, user } from "./support.js";
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
});
