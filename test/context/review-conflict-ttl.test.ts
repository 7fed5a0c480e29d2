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
const TTL_MS = 1000;

describe.each([
  { name: "Redis", storage: (limits: Partial<SessionLimits>) => redisStorage(url, "test:review-conflict-ttl:", limits) },
  { name: "in-memory", storage: (limits: Partial<SessionLimits>) => memoryStorage(limits) },
])("$name context store", ({ storage }) => {
  const openStorage = storagePerTest(storage);

  it("restarts the session's TTL on a save that conflicted and wrote nothing", async () => {
    const opened = openStorage({ ttlMs: TTL_MS });
    const store = await opened.replica();
    // The scenario needs the conflicting save to come before the first save's TTL ends, and the load
    // after that and before the TTL counted from the conflicting save ends. Fixed sleeps of 0.6 TTL each
    // left 400 ms either side, and a worker stalled that long on a loaded machine failed the test (shown
    // by a 450 ms sleep injected at either point). The times are measured instead: the load is timed
    // from the first save, and a try whose steps the machine was too slow to fit in the windows (seen
    // from the clock, never from the outcome) is repeated on a new session.
    for (let attempt = 1; ; attempt++) {
      const scope: SessionScope = { tenantId: "acme", sessionId: `busy-${attempt}` };
      const firstSent = performance.now();
      await store.save(scope, { turns: [turn(user("to <PERSON_1>"))], state: { vault: "Ann" }, ifStateVersion: 0 });
      const firstDone = performance.now();
      await sleep(TTL_MS * 0.5);
      // Derived from the empty session's state (version 0), which another save has replaced since.
      const lateSent = performance.now();
      const late = await store.save(scope, { turns: [turn(user("to <PERSON_1>, the other one"))], state: { vault: "Bob" }, ifStateVersion: 0, turnsNeedState: true });
      const lateDone = performance.now();
      // Past the TTL counted from the first save (which ends by its reply), within the one counted from
      // the conflicting save (which starts after it was sent).
      await sleep(Math.max(0, firstDone + TTL_MS + 50 - performance.now()));
      const loaded = await store.load(scope);
      const loadDone = performance.now();
      const fitted = lateDone < firstSent + TTL_MS && loadDone < lateSent + TTL_MS;
      if (!fitted && attempt < 5) continue;
      expect(fitted, "the machine was too slow to fit the steps in the TTL five times").toBe(true);
      expect(late).toMatchObject({ status: "conflict", turnsSaved: false });
      expect(loaded.exists).toBe(true);
      expect(contents(loaded.turns)).toEqual(["to <PERSON_1>"]);
      expect(loaded.state).toEqual({ vault: "Ann" });
      return;
    }
  });
});
