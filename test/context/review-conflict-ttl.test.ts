/**
 * A session's TTL slides with every use. A save that writes nothing (its turns need a state another
 * request changed meanwhile) is a use too: a session whose saves keep conflicting is in active use
 * and must not expire under it. Run against Redis and memory, which must agree.
 */
import { describe, expect, inject, it } from "vitest";
import type { SessionLimits } from "../../src/context/backend.js";
import type { SessionScope } from "../../src/context/session-id.js";
import { contents, memoryStorage, redisStorage, sleep, storagePerTest, turn, user } from "./support.js";

const url = inject("redisUrl");
const scope: SessionScope = { tenantId: "acme", sessionId: "busy" };
const TTL_MS = 1000;

describe.each([
  { name: "Redis", storage: (limits: Partial<SessionLimits>) => redisStorage(url, "test:review-conflict-ttl:", limits) },
  { name: "in-memory", storage: (limits: Partial<SessionLimits>) => memoryStorage(limits) },
])("$name context store", ({ storage }) => {
  const openStorage = storagePerTest(storage);

  it("restarts the session's TTL on a save that conflicted and wrote nothing", async () => {
    const opened = openStorage({ ttlMs: TTL_MS });
    const store = await opened.replica();
    await store.save(scope, { turns: [turn(user("to <PERSON_1>"))], state: { vault: "Ann" }, ifStateVersion: 0 });
    await sleep(TTL_MS * 0.6);
    // Derived from the empty session's state (version 0), which another save has replaced since.
    const late = await store.save(scope, { turns: [turn(user("to <PERSON_1>, the other one"))], state: { vault: "Bob" }, ifStateVersion: 0, turnsNeedState: true });
    expect(late).toMatchObject({ status: "conflict", turnsSaved: false });
    // Past the TTL counted from the first save, within the one counted from the conflicting save.
    await sleep(TTL_MS * 0.6);
    const loaded = await store.load(scope);
    expect(loaded.exists).toBe(true);
    expect(contents(loaded.turns)).toEqual(["to <PERSON_1>"]);
    expect(loaded.state).toEqual({ vault: "Ann" });
  });
});
