/**
 * A save that replaces the stored turns (the client rewrote the history) names the load it merged
 * with (`replaceAsOf`): it drops the turns stored by then and keeps those other requests of the
 * session appended since, even when their saves trimmed the oldest turns in between. Run against
 * Redis and memory, which must agree.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import type { SessionLimits } from "../../src/context/backend.js";
import type { SessionScope } from "../../src/context/session-id.js";
import { createTurnCodec } from "../../src/context/turn-codec.js";
import { assistant, contents, memoryStorage, redisStorage, toolCall, toolResult, turn, user, type SharedStorage } from "./support.js";

const url = inject("redisUrl");
const scope: SessionScope = { tenantId: "acme", sessionId: "rewritten" };
const turns = (...texts: string[]) => texts.map((t) => turn(user(t)));

describe.each([
  { name: "Redis", storage: (limits: Partial<SessionLimits>) => redisStorage(url, "test:review-replace-as-of:", limits) },
  { name: "in-memory", storage: (limits: Partial<SessionLimits>) => memoryStorage(limits) },
])("$name context store, a replace as of a load", ({ storage }) => {
  let opened: SharedStorage | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  const open = (limits: Partial<SessionLimits> = {}) => (opened = storage(limits)).replica();

  it("counts every turn appended, and drops all stored turns when none was appended since the load", async () => {
    const store = await open();
    await store.save(scope, { turns: turns("1", "2", "3") });
    const seen = await store.load(scope);
    expect(seen.turnsAppended).toBe(3);
    expect(await store.save(scope, { turns: turns("x"), replace: true, replaceAsOf: seen.turnsAppended })).toMatchObject({ status: "ok", turns: 1 });
    const loaded = await store.load(scope);
    expect(contents(loaded.turns)).toEqual(["x"]);
    expect(loaded.turnsAppended).toBe(4);
  });

  it("keeps the turns appended after the load, also when their save trimmed the oldest ones", async () => {
    const store = await open({ maxTurns: 4 });
    await store.save(scope, { turns: turns("1", "2", "3") });
    const seen = await store.load(scope);
    expect(await store.save(scope, { turns: turns("4", "5") })).toMatchObject({ trimmed: 1 });
    // The list holds 2, 3, 4, 5 now: dropping as many turns as were loaded (3) would take 4 along.
    await store.save(scope, { turns: turns("x"), replace: true, replaceAsOf: seen.turnsAppended });
    expect(contents((await store.load(scope)).turns)).toEqual(["4", "5", "x"]);
  });

  it("drops a kept tool result whose call was replaced", async () => {
    const store = await open();
    await store.save(scope, { turns: [turn(user("q")), turn(toolCall("c1", "f", "{}"))] });
    const seen = await store.load(scope);
    await store.save(scope, { turns: [turn(toolResult("c1", "r1")), turn(assistant("done"))] });
    await store.save(scope, { turns: turns("x"), replace: true, replaceAsOf: seen.turnsAppended });
    expect(contents((await store.load(scope)).turns)).toEqual(["done", "x"]);
  });

  it("counts the size of the kept turns, so later saves trim by the real size", async () => {
    const text = (name: string) => name.padEnd(200, ".");
    const size = Buffer.byteLength(createTurnCodec(undefined).encodeTurn(scope, turn(user(text("a")))));
    // Three turns fit, four do not.
    const store = await open({ maxBytes: Math.floor(size * 3.5) });
    await store.save(scope, { turns: turns(text("a"), text("b")) });
    const seen = await store.load(scope);
    await store.save(scope, { turns: turns(text("c")) });
    await store.save(scope, { turns: turns(text("d")), replace: true, replaceAsOf: seen.turnsAppended });
    // A size still counting a and b would trim c away here.
    expect(contents((await store.load(scope)).turns)).toEqual([text("c"), text("d")]);
    await store.save(scope, { turns: turns(text("e")) });
    // A size counting only d would keep c here, four turns over the limit.
    expect(await store.save(scope, { turns: turns(text("f")) })).toMatchObject({ turns: 3, trimmed: 1 });
    expect(contents((await store.load(scope)).turns)).toEqual([text("d"), text("e"), text("f")]);
  });
});
