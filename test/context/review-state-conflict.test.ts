/**
 * The session state is written whole: a save can make its state write conditional on the version it
 * loaded, so two requests in flight at once cannot overwrite each other's pseudonym vault. Run against
 * Redis (replicas sharing it) and memory, which must agree.
 */
import { describe, expect, inject, it } from "vitest";
import { createCipher } from "../../src/context/cipher.js";
import type { SessionScope } from "../../src/context/session-id.js";
import { assistant, contents, memoryStorage, randomKey, redisStorage, storagePerTest, turn, user } from "./support.js";

const url = inject("redisUrl");
const scope = (sessionId: string): SessionScope => ({ tenantId: "acme", sessionId });

describe.each([
  { name: "Redis", storage: () => redisStorage(url, "test:review-state:") },
  { name: "in-memory", storage: () => memoryStorage() },
])("$name context store, state written by concurrent requests", ({ storage }) => {
  const openStorage = storagePerTest(storage);
  const replicas = async () => {
    const opened = openStorage();
    const cipher = createCipher(randomKey());
    return [await opened.replica({ cipher }), await opened.replica({ cipher })] as const;
  };

  it("counts state writes, and a save with the loaded version writes its state", async () => {
    const [a] = await replicas();
    expect((await a.load(scope("v"))).stateVersion).toBe(0);
    expect(await a.save(scope("v"), { turns: [turn(user("q"))], state: { n: 1 }, ifStateVersion: 0 })).toEqual({ status: "ok", turns: 1, trimmed: 0 });
    expect(await a.save(scope("v"), { turns: [turn(assistant("a"))] })).toMatchObject({ status: "ok" });
    const loaded = await a.load(scope("v"));
    expect(loaded).toMatchObject({ state: { n: 1 }, stateVersion: 1 });
    expect(contents(loaded.turns)).toEqual(["q", "a"]);
  });

  it("writes nothing when the state changed since the load and the turns need this request's state", async () => {
    const [a, b] = await replicas();
    const [seenA, seenB] = await Promise.all([a.load(scope("c")), b.load(scope("c"))]);
    expect(await a.save(scope("c"), { turns: [turn(user("to <PERSON_1>"))], state: { vault: "Ann" }, ifStateVersion: seenA.stateVersion, turnsNeedState: true })).toMatchObject({
      status: "ok",
    });
    const late = await b.save(scope("c"), { turns: [turn(user("to <PERSON_1>, the other one"))], state: { vault: "Bob" }, ifStateVersion: seenB.stateVersion, turnsNeedState: true });
    // The stored state and history come back with the conflict: the caller redoes its own from them.
    expect(late).toEqual({ status: "conflict", turnsSaved: false, state: { vault: "Ann" }, stateVersion: 1, stored: { turns: [expect.objectContaining({ message: user("to <PERSON_1>") })], instructions: [] } });
    expect(contents((await a.load(scope("c"))).turns)).toEqual(["to <PERSON_1>"]);

    expect(await b.save(scope("c"), { turns: [turn(user("to <PERSON_2>"))], state: { vault: "Ann, Bob" }, ifStateVersion: 1, turnsNeedState: true })).toMatchObject({ status: "ok" });
    const loaded = await a.load(scope("c"));
    expect(contents(loaded.turns)).toEqual(["to <PERSON_1>", "to <PERSON_2>"]);
    expect(loaded).toMatchObject({ state: { vault: "Ann, Bob" }, stateVersion: 2 });
  });

  it("counts a last try whose turns a conflict left unwritten as a degraded save, and a redoable one not", async () => {
    const [a, b] = await replicas();
    const [seenA, seenB] = await Promise.all([a.load(scope("l")), b.load(scope("l"))]);
    await a.save(scope("l"), { turns: [turn(user("to <PERSON_1>"))], state: { vault: "Ann" }, ifStateVersion: seenA.stateVersion, turnsNeedState: true });
    const write = { turns: [turn(user("to <PERSON_1>, the other one"))], state: { vault: "Bob" }, ifStateVersion: seenB.stateVersion, turnsNeedState: true };
    expect(await b.save(scope("l"), write)).toMatchObject({ status: "conflict", turnsSaved: false });
    expect(b.status().counters.degradedSaves).toBe(0);
    expect(await b.save(scope("l"), { ...write, lastTry: true })).toMatchObject({ status: "conflict", turnsSaved: false });
    expect(b.status().counters.degradedSaves).toBe(1);
  });

  it("still appends turns that do not need the state, in order, and keeps the other request's state", async () => {
    const [a, b] = await replicas();
    const [seenA, seenB] = await Promise.all([a.load(scope("t")), b.load(scope("t"))]);
    await a.save(scope("t"), { turns: [turn(user("first"))], state: { sticky: "cloud" }, ifStateVersion: seenA.stateVersion });
    const late = await b.save(scope("t"), { turns: [turn(user("second"))], state: { sticky: "local" }, ifStateVersion: seenB.stateVersion });
    expect(late).toEqual({ status: "conflict", turnsSaved: true, state: { sticky: "cloud" }, stateVersion: 1, stored: { turns: [expect.objectContaining({ message: user("first") }), expect.objectContaining({ message: user("second") })], instructions: [] } });
    const loaded = await a.load(scope("t"));
    expect(contents(loaded.turns)).toEqual(["first", "second"]);
    expect(loaded).toMatchObject({ state: { sticky: "cloud" }, stateVersion: 1 });
  });

  it("writes the state unconditionally when no version is given, and a conditional save after an erase starts over", async () => {
    const [a] = await replicas();
    await a.save(scope("e"), { turns: [turn(user("q"))], state: { n: 1 } });
    await a.save(scope("e"), { turns: [], state: { n: 2 } });
    expect(await a.load(scope("e"))).toMatchObject({ state: { n: 2 }, stateVersion: 2 });
    await a.erase(scope("e"));
    expect(await a.save(scope("e"), { turns: [turn(user("again"))], state: { n: 3 }, ifStateVersion: 2, turnsNeedState: true })).toEqual({
      status: "conflict",
      turnsSaved: false,
      state: undefined,
      stateVersion: 0,
      stored: { turns: [], instructions: [] },
    });
  });

  // The redo prunes its vault against what the conflict returns: a turn it cannot read (sealed with a
  // key this replica lacks, mid-rollout) leaves that unknown, so nothing is pruned, and the conflict
  // is still a conflict (not an unreadable, dropped save).
  it("returns a conflict without the stored text when a stored turn cannot be decoded", async () => {
    const opened = openStorage();
    const sealedElsewhere = await opened.replica({ cipher: createCipher(randomKey()) });
    const here = await opened.replica({ cipher: createCipher(randomKey()) });
    await sealedElsewhere.save(scope("u"), { turns: [turn(user("sealed with another key"))] });
    expect(await here.save(scope("u"), { turns: [], state: { n: 1 }, ifStateVersion: 0 })).toMatchObject({ status: "ok" });
    const late = await here.save(scope("u"), { turns: [turn(user("to <PERSON_1>"))], state: { n: 2 }, ifStateVersion: 0, turnsNeedState: true });
    expect(late).toEqual({ status: "conflict", turnsSaved: false, state: { n: 1 }, stateVersion: 1, stored: undefined });
  });
});
