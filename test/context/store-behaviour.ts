/**
 * The behaviour every context store must show, written once and run against Redis and memory.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createCipher } from "../../src/context/cipher.js";
import type { ChatMessage } from "../../src/api/chat-request.js";
import type { SessionScope } from "../../src/context/session-id.js";
import { assistant, capturedLog, contents, randomKey, sleep, system, toolCall, toolResult, turn, user, type SharedStorage, type StorageFactory } from "./support.js";

/** The TTL of the tests about expiry. */
const TTL_MS = 1000;

/**
 * Runs a TTL scenario whose steps must fall in windows of real time. These tests slept fixed spans
 * (350 ms twice against a 600 ms TTL), leaving 250 ms for a worker stalled on a loaded machine: a 300 ms
 * sleep injected between the steps failed both backends. `attempt` measures its steps and says whether
 * they fitted, judged from the clock and never from the outcome; a try that did not is repeated on new
 * session ids, up to five times, and only a try that fitted is checked.
 */
async function inTime(attempt: (n: number) => Promise<{ fitted: boolean; check: () => void }>): Promise<void> {
  for (let n = 1; ; n++) {
    const { fitted, check } = await attempt(n);
    if (!fitted && n < 5) continue;
    expect(fitted, "the machine was too slow to fit the steps in the TTL five times").toBe(true);
    check();
    return;
  }
}

export function describeStoreBehaviour(name: string, storage: StorageFactory): void {
  describe(`${name} context store`, () => {
    const opened: SharedStorage[] = [];
    const open = (limits?: Parameters<StorageFactory>[0]) => {
      const s = storage(limits);
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const scope = (sessionId: string, tenantId = "acme"): SessionScope => ({ tenantId, sessionId });

    it("returns what was saved: turns with tool calls and metadata, instructions and state", async () => {
      const store = await open().replica();
      const saved = await store.save(scope("s1"), {
        instructions: [turn(system("Be brief."))],
        turns: [
          turn(user("weather in Paris?"), { route: "local", model: "stories", intent: "tools", requestId: "r1" }),
          turn(toolCall("call_1", "weather", '{"city":"Paris"}'), { route: "cloud", model: "gpt" }),
          turn(toolResult("call_1", "sunny")),
        ],
        state: { vault: { "<PERSON_1>": "Ada" }, sticky: "cloud" },
      });
      expect(saved).toEqual({ status: "ok", turns: 3, trimmed: 0 });

      const loaded = await store.load(scope("s1"));
      expect(loaded.status).toBe("ok");
      expect(loaded.exists).toBe(true);
      expect(loaded.instructions.map((t) => t.message)).toEqual([system("Be brief.")]);
      expect(loaded.turns.map((t) => t.message)).toEqual([user("weather in Paris?"), toolCall("call_1", "weather", '{"city":"Paris"}'), toolResult("call_1", "sunny")]);
      expect(loaded.turns[0]!.meta).toEqual({ at: 1_700_000_000_000, route: "local", model: "stories", intent: "tools", requestId: "r1" });
      expect(loaded.state).toEqual({ vault: { "<PERSON_1>": "Ada" }, sticky: "cloud" });
    });

    it("reports an unknown session as absent and empty", async () => {
      const loaded = await (await open().replica()).load(scope("never-saved"));
      expect(loaded).toMatchObject({ status: "ok", exists: false, turns: [], instructions: [], state: undefined });
    });

    it("keeps the state unless a save sets or erases it", async () => {
      const store = await open().replica();
      await store.save(scope("s"), { turns: [turn(user("a"))], state: { n: 1 } });
      await store.save(scope("s"), { turns: [turn(assistant("b"))] });
      expect((await store.load(scope("s"))).state).toEqual({ n: 1 });
      await store.save(scope("s"), { turns: [], state: null });
      expect((await store.load(scope("s"))).state).toBeUndefined();
    });

    it("loses no turn when 50 requests append to one session at once, and keeps each request's turns together and in order", async () => {
      const store = await open().replica();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.save(scope("busy"), { turns: [turn(user(`q${i}`)), turn(assistant(`a${i}`))] })),
      );
      const texts = contents((await store.load(scope("busy"))).turns) as string[];
      expect(texts).toHaveLength(100);
      for (let k = 0; k < 100; k += 2) expect(texts[k + 1]).toBe(texts[k]!.replace("q", "a"));
      expect(new Set(texts).size).toBe(100);
    });

    it("keeps each writer's order when several writers append sequences concurrently", async () => {
      const storage = open();
      const replicas = await Promise.all([storage.replica(), storage.replica(), storage.replica()]);
      await Promise.all(
        replicas.map(async (store, w) => {
          for (let i = 0; i < 10; i++) await store.save(scope("ordered"), { turns: [turn(user(`w${w}-${i}`))] });
        }),
      );
      const texts = contents((await replicas[0]!.load(scope("ordered"))).turns) as string[];
      expect(texts).toHaveLength(30);
      for (let w = 0; w < 3; w++) {
        expect(texts.filter((t) => t.startsWith(`w${w}-`))).toEqual(Array.from({ length: 10 }, (_, i) => `w${w}-${i}`));
      }
    });

    it("lets a second replica continue the conversation the first one started", async () => {
      const storage = open();
      const first = await storage.replica();
      const second = await storage.replica();
      await first.save(scope("handoff"), { turns: [turn(user("hello")), turn(assistant("hi, local here"))], state: { route: "local" } });
      const loaded = await second.load(scope("handoff"));
      expect(contents(loaded.turns)).toEqual(["hello", "hi, local here"]);
      await second.save(scope("handoff"), { turns: [turn(user("escalate")), turn(assistant("cloud here"))], state: { route: "cloud" } });
      const back = await first.load(scope("handoff"));
      expect(contents(back.turns)).toEqual(["hello", "hi, local here", "escalate", "cloud here"]);
      expect(back.state).toEqual({ route: "cloud" });
    });

    it("never shows one tenant's session to another tenant using the same id", async () => {
      const store = await open().replica();
      await store.save(scope("shared-id", "tenant-a"), { turns: [turn(user("secret of a"))], state: { a: true } });
      const seenByB = await store.load(scope("shared-id", "tenant-b"));
      expect(seenByB.exists).toBe(false);
      expect(seenByB.turns).toEqual([]);

      await store.save(scope("shared-id", "tenant-b"), { turns: [turn(user("b writes"))] });
      expect(await store.erase(scope("shared-id", "tenant-b"))).toEqual({ status: "erased" });
      expect(contents((await store.load(scope("shared-id", "tenant-a"))).turns)).toEqual(["secret of a"]);
      // Separators inside ids cannot be used to reach another tenant's key.
      await store.save(scope("b:x", "a"), { turns: [turn(user("tenant a"))] });
      expect((await store.load(scope("x", "a:b"))).exists).toBe(false);
    });

    it("forgets a session after its TTL, and each use restarts the TTL", async () => {
      const store = await open({ ttlMs: TTL_MS }).replica();
      await inTime(async (n) => {
        await store.save(scope(`short-${n}`), { turns: [turn(user("x"))] });
        const shortSaved = performance.now();
        const keptSent = performance.now();
        await store.save(scope(`kept-${n}`), { turns: [turn(user("y"))] });
        const keptSaved = performance.now();
        await sleep(TTL_MS / 2);
        const usedSent = performance.now();
        const used = await store.load(scope(`kept-${n}`));
        const usedDone = performance.now();
        // Past both first TTLs, kept's counted from the end of its own save (a slow save must not leave
        // its first TTL running, where a load that did not restart it would still find the session).
        await sleep(Math.max(0, Math.max(shortSaved, keptSaved) + TTL_MS + 50 - performance.now()));
        const short = await store.load(scope(`short-${n}`));
        const kept = await store.load(scope(`kept-${n}`));
        return {
          // "kept" was used within its first TTL, and read at the end within the TTL that use restarted.
          fitted: usedDone < keptSent + TTL_MS && performance.now() < usedSent + TTL_MS,
          check: () => {
            expect(used.exists).toBe(true);
            expect(short.exists).toBe(false);
            expect(kept.exists).toBe(true);
          },
        };
      });
    });

    it("trims the oldest turns beyond the maximum number of turns", async () => {
      const store = await open({ maxTurns: 4 }).replica();
      await store.save(scope("long"), { turns: ["1", "2", "3"].map((t) => turn(user(t))) });
      const saved = await store.save(scope("long"), { turns: ["4", "5", "6"].map((t) => turn(user(t))) });
      expect(saved).toEqual({ status: "ok", turns: 4, trimmed: 2 });
      expect(contents((await store.load(scope("long"))).turns)).toEqual(["3", "4", "5", "6"]);
    });

    it("trims the oldest turns beyond the maximum size", async () => {
      const store = await open({ maxBytes: 1000 }).replica();
      for (let i = 0; i < 10; i++) await store.save(scope("big"), { turns: [turn(user(`${i}`.padEnd(200, "x")))] });
      const texts = contents((await store.load(scope("big"))).turns) as string[];
      expect(texts.length).toBeGreaterThan(0);
      expect(texts.length).toBeLessThan(5);
      expect(texts.at(-1)!.startsWith("9")).toBe(true);
      expect(texts.join("").length).toBeLessThan(1000);
    });

    it("saves one request carrying more messages than a Lua call can unpack, keeping the newest max_turns", async () => {
      // A first request may carry a long history; Redis used to fail it (Lua's unpack limit, ~8000)
      // while memory saved it: both must keep the same newest turns and report the same trim.
      const store = await open({ maxTurns: 200 }).replica();
      await store.save(scope("many"), { turns: [turn(user("older"))] });
      const many = Array.from({ length: 9000 }, (_, i) => turn(i % 2 ? assistant(`a${i}`) : user(`q${i}`)));
      expect(await store.save(scope("many"), { turns: many })).toEqual({ status: "ok", turns: 200, trimmed: 8801 });
      const texts = contents((await store.load(scope("many"))).turns);
      expect(texts).toHaveLength(200);
      expect([texts[0], texts.at(-1)]).toEqual(["q8800", "a8999"]);
      expect(store.status()).toMatchObject({ state: "ready", counters: { degradedSaves: 0 } });
    });

    it("never keeps a tool result without the call it answers, nor an answer without its question, when trimming", async () => {
      const store = await open({ maxTurns: 4 }).replica();
      await store.save(scope("tools"), {
        turns: [turn(user("q1")), turn(toolCall("c1", "f", "{}")), turn(toolResult("c1", "r1")), turn(assistant("done"))],
      });
      // Two over the limit: the cut falls right after the call; its result and the answer go with it.
      expect(await store.save(scope("tools"), { turns: [turn(user("q2")), turn(assistant("a2"))] })).toEqual({ status: "ok", turns: 2, trimmed: 4 });
      expect(contents((await store.load(scope("tools"))).turns)).toEqual(["q2", "a2"]);
    });

    it("trims the size in whole exchanges: never an answer without its question", async () => {
      const store = await open({ maxBytes: 1000 }).replica();
      const question = (n: number) => user(`q${n} `.padEnd(400, "x"));
      await store.save(scope("units"), { turns: [turn(question(1)), turn(assistant("a1"))] });
      // ~620 bytes each: dropping the first question alone would be enough, and would leave "a1" first.
      expect(await store.save(scope("units"), { turns: [turn(question(2)), turn(assistant("a2"))] })).toEqual({ status: "ok", turns: 2, trimmed: 2 });
      expect((contents((await store.load(scope("units"))).turns) as string[]).map((t) => t.slice(0, 2))).toEqual(["q2", "a2"]);
    });

    it("does not store an exchange larger than max_bytes on its own, keeps the history before it, and says so", async () => {
      const captured = capturedLog();
      const store = await open({ maxBytes: 2000 }).replica({ log: captured.log });
      const history = [turn(user("my name is Ann")), turn(assistant("hi Ann")), turn(user("I live in Oslo")), turn(assistant("nice"))];
      await store.save(scope("one-big"), { turns: history, state: { n: 1 } });
      const saved = await store.save(scope("one-big"), {
        turns: [turn(user(`summarize this: ${"x".repeat(3000)}`)), turn(assistant("It is a log file."))],
        state: { n: 2 },
      });
      expect(saved).toEqual({ status: "ok", turns: 4, trimmed: 0, notStored: 2 });
      const loaded = await store.load(scope("one-big"));
      expect(contents(loaded.turns)).toEqual(["my name is Ann", "hi Ann", "I live in Oslo", "nice"]);
      expect(loaded.state).toEqual({ n: 2 });
      expect(captured.lines().find((l) => l.msg === "conversation turn larger than the context size limit; not stored")).toMatchObject({
        level: 40,
        tenant: "acme",
        messages: 2,
        maxBytes: 2000,
      });
      // Earlier exchanges of the same write that fit are stored; and the session goes on.
      expect(await store.save(scope("one-big"), { turns: [turn(user("q")), turn(assistant("a")), turn(user("y".repeat(3000))), turn(assistant("b"))] })).toMatchObject({
        status: "ok",
        turns: 6,
        notStored: 2,
      });
      expect(await store.save(scope("one-big"), { turns: [turn(user("short")), turn(assistant("fine"))] })).toEqual({ status: "ok", turns: 8, trimmed: 0 });
    });

    it("does not store call results that make the exchange they continue larger than max_bytes, nor leave its call unanswered", async () => {
      const store = await open({ maxBytes: 2000 }).replica();
      await store.save(scope("loop"), { turns: [turn(user("hi")), turn(assistant("hello"))] });
      await store.save(scope("loop"), { turns: [turn(user(`read ${"f".repeat(900)}`)), turn(toolCall("c1", "read", "{}"))] });
      // The result alone fits, but not with the question and call it answers: the whole exchange goes,
      // the history before it stays (a call kept without its result would be refused by the model).
      const saved = await store.save(scope("loop"), { turns: [turn(toolResult("c1", "r".repeat(1000))), turn(assistant("read it"))] });
      expect(saved).toEqual({ status: "ok", turns: 2, trimmed: 2, notStored: 2 });
      expect(contents((await store.load(scope("loop"))).turns)).toEqual(["hi", "hello"]);
      expect(await store.save(scope("loop"), { turns: [turn(user("next")), turn(assistant("sure"))] })).toEqual({ status: "ok", turns: 4, trimmed: 0 });
    });

    it("does not store an exchange of more messages than max_turns", async () => {
      const store = await open({ maxTurns: 3 }).replica();
      await store.save(scope("long-exchange"), { turns: [turn(user("q1")), turn(assistant("a1"))] });
      const saved = await store.save(scope("long-exchange"), {
        turns: [turn(user("q2")), turn(toolCall("c1", "f", "{}")), turn(toolResult("c1", "r1")), turn(assistant("a2"))],
      });
      expect(saved).toEqual({ status: "ok", turns: 2, trimmed: 0, notStored: 4 });
      expect(contents((await store.load(scope("long-exchange"))).turns)).toEqual(["q1", "a1"]);
    });

    /**
     * A history the OpenAI API accepts: not empty, opened by a question, every call answered by its
     * results before anything else, and no result without its call.
     */
    const expectSendable = (messages: readonly ChatMessage[]) => {
      expect(messages.length).toBeGreaterThan(0);
      expect(messages[0]!.role).toBe("user");
      const awaiting = new Set<string>();
      for (const message of messages) {
        if (message.role === "tool") {
          expect(awaiting.delete(message.tool_call_id)).toBe(true);
          continue;
        }
        expect([...awaiting]).toEqual([]);
        if (message.role === "assistant") for (const call of message.tool_calls ?? []) awaiting.add(call.id);
      }
      expect([...awaiting]).toEqual([]);
    };

    for (const maxTurns of [2, 3]) {
      it(`never empties a session for a tool exchange that grows past max_turns=${maxTurns}, nor keeps its call unanswered`, async () => {
        const store = await open({ maxTurns }).replica({ cipher: createCipher(randomKey()) });
        const s = scope(`tool-flow-${maxTurns}`);
        await store.save(s, { turns: [turn(user("q1")), turn(assistant("a1"))] });
        await store.save(s, { turns: [turn(user("q2")), turn(assistant("a2"))] });
        expect(contents((await store.load(s)).turns)).toEqual(["q2", "a2"]);
        // The call fits on its own, but its results may not: the history before it is not trimmed for it.
        expect(await store.save(s, { turns: [turn(user("q3")), turn(toolCall("c3", "f", "{}"))] })).toEqual({ status: "ok", turns: 4, trimmed: 0 });
        expect(contents((await store.load(s)).turns)).toEqual(["q2", "a2", "q3", null]);
        // With its results the exchange is 4 messages, over the limit on its own: it goes, whole.
        const saved = await store.save(s, { turns: [turn(toolResult("c3", "42")), turn(assistant("a3"))] });
        expect(saved).toEqual({ status: "ok", turns: 2, trimmed: 2, notStored: 2 });
        const loaded = await store.load(s);
        expect(contents(loaded.turns)).toEqual(["q2", "a2"]);
        expectSendable(loaded.turns.map((t) => t.message));
        // The next exchange counts again: the session is back within its limits.
        expect(await store.save(s, { turns: [turn(user("q4")), turn(assistant("a4"))] })).toEqual({ status: "ok", turns: 2, trimmed: 2 });
        expect(contents((await store.load(s)).turns)).toEqual(["q4", "a4"]);
      });
    }

    it("keeps the history through a multi-step tool exchange, stores it once answered if it fits, and drops it whole if not", async () => {
      const store = await open({ maxTurns: 4 }).replica();
      const s = scope("tool-steps");
      await store.save(s, { turns: [turn(user("q1")), turn(assistant("a1"))] });
      await store.save(s, { turns: [turn(user("q2")), turn(toolCall("c2", "f", "{}"))] });
      expect(await store.save(s, { turns: [turn(toolResult("c2", "r")), turn(toolCall("c3", "g", "{}"))] })).toEqual({ status: "ok", turns: 6, trimmed: 0 });
      expect(await store.save(s, { turns: [turn(toolResult("c3", "r")), turn(assistant("a2"))] })).toEqual({ status: "ok", turns: 2, trimmed: 4, notStored: 2 });
      const loaded = await store.load(s);
      expect(contents(loaded.turns)).toEqual(["q1", "a1"]);
      expectSendable(loaded.turns.map((t) => t.message));

      const fits = scope("tool-fits");
      await store.save(fits, { turns: [turn(user("q1")), turn(assistant("a1"))] });
      await store.save(fits, { turns: [turn(user("q2")), turn(toolCall("c2", "f", "{}"))] });
      expect(await store.save(fits, { turns: [turn(toolResult("c2", "r")), turn(assistant("a2"))] })).toEqual({ status: "ok", turns: 4, trimmed: 2 });
      expect(contents((await store.load(fits)).turns)).toEqual(["q2", null, "r", "a2"]);
    });

    it("never empties a session when a call result makes the exchange larger than max_bytes after its call was stored near the limit", async () => {
      const store = await open({ maxBytes: 2000 }).replica();
      const s = scope("tool-bytes");
      await store.save(s, { turns: [turn(user(`hi ${"h".repeat(700)}`)), turn(assistant("hello"))] });
      // Together over the limit, the call's exchange alone within it.
      await store.save(s, { turns: [turn(user(`read ${"f".repeat(800)}`)), turn(toolCall("c1", "read", "{}"))] });
      expect((contents((await store.load(s)).turns) as Array<string | null>).map((t) => t?.slice(0, 4) ?? null)).toEqual(["hi h", "hell", "read", null]);
      const saved = await store.save(s, { turns: [turn(toolResult("c1", "r".repeat(1000))), turn(assistant("read it"))] });
      expect(saved).toEqual({ status: "ok", turns: 2, trimmed: 2, notStored: 2 });
      const loaded = await store.load(s);
      expect((contents(loaded.turns) as string[]).map((t) => t.slice(0, 4))).toEqual(["hi h", "hell"]);
      expectSendable(loaded.turns.map((t) => t.message));
    });

    it("replaces the stored turns when asked (the client rewrote the history)", async () => {
      const store = await open().replica();
      await store.save(scope("r"), { turns: [turn(user("a")), turn(assistant("b"))] });
      await store.save(scope("r"), { turns: [turn(user("a2"))], replace: true });
      expect(contents((await store.load(scope("r"))).turns)).toEqual(["a2"]);
    });

    it("erases a session with everything in it, and then reports it absent", async () => {
      const store = await open().replica();
      await store.save(scope("gone"), { instructions: [turn(system("s"))], turns: [turn(user("a"))], state: { v: 1 } });
      expect(await store.erase(scope("gone"))).toEqual({ status: "erased" });
      expect((await store.load(scope("gone"))).exists).toBe(false);
      expect(await store.erase(scope("gone"))).toEqual({ status: "absent" });
    });

    it("does not let a request that loaded before an erasure bring the session back", async () => {
      const storage = open();
      const store = await storage.replica();
      await store.save(scope("forget-me"), { instructions: [turn(system("s"))], turns: [turn(user("my name is Ada"))], state: { vault: { "<PERSON_1>": "Ada" } } });
      const loaded = await store.load(scope("forget-me"));
      // The erasure comes from another replica while the request is being answered.
      expect(await (await storage.replica()).erase(scope("forget-me"))).toEqual({ status: "erased" });

      const saved = await store.save(scope("forget-me"), {
        turns: [turn(user("and my card is 4111")), turn(assistant("noted"))],
        state: { vault: { "<PERSON_1>": "Ada", "<PERSON_2>": "Bob" } },
        ifStateVersion: loaded.stateVersion,
        ifEpoch: loaded.epoch,
      });
      expect(saved).toEqual({ status: "erased" });
      expect(await store.load(scope("forget-me"))).toMatchObject({ status: "ok", exists: false, turns: [], instructions: [], state: undefined });
    });

    it("does not let a rewrite that loaded before an erasure store the erased history again", async () => {
      const store = await open().replica();
      await store.save(scope("rewrite"), { turns: [turn(user("a")), turn(assistant("b"))] });
      const loaded = await store.load(scope("rewrite"));
      await store.erase(scope("rewrite"));
      const saved = await store.save(scope("rewrite"), {
        instructions: [turn(system("s"))],
        turns: [turn(user("a")), turn(assistant("b edited")), turn(user("c")), turn(assistant("d"))],
        replace: true,
        ifEpoch: loaded.epoch,
      });
      expect(saved).toEqual({ status: "erased" });
      expect((await store.load(scope("rewrite"))).exists).toBe(false);
    });

    it("does not let a request that found no session create it after an erasure of the absent session", async () => {
      const store = await open().replica();
      const loaded = await store.load(scope("first-turn"));
      // Nothing stored yet: the erasure answers absent (404), but the first turn in flight must not land.
      expect(await store.erase(scope("first-turn"))).toEqual({ status: "absent" });
      expect(await store.save(scope("first-turn"), { turns: [turn(user("hi"))], ifEpoch: loaded.epoch })).toEqual({ status: "erased" });
      expect((await store.load(scope("first-turn"))).exists).toBe(false);
      expect(await store.erase(scope("first-turn"))).toEqual({ status: "absent" });
    });

    it("saves a request that loaded after the erasure: the session starts afresh", async () => {
      const store = await open().replica();
      await store.save(scope("afresh"), { turns: [turn(user("old"))], state: { n: 1 } });
      const before = await store.load(scope("afresh"));
      await store.erase(scope("afresh"));
      const after = await store.load(scope("afresh"));
      expect(after).toMatchObject({ exists: false, turns: [], state: undefined });

      const saved = await store.save(scope("afresh"), { turns: [turn(user("new")), turn(assistant("hello"))], state: { n: 2 }, ifStateVersion: after.stateVersion, ifEpoch: after.epoch });
      expect(saved).toEqual({ status: "ok", turns: 2, trimmed: 0 });
      const next = await store.load(scope("afresh"));
      expect(contents(next.turns)).toEqual(["new", "hello"]);
      expect(next.state).toEqual({ n: 2 });
      // Later turns continue it, and a save still holding the load from before the erasure stays refused.
      expect(await store.save(scope("afresh"), { turns: [turn(user("more"))], ifEpoch: next.epoch })).toMatchObject({ status: "ok", turns: 3 });
      expect(await store.save(scope("afresh"), { turns: [turn(user("stale"))], ifEpoch: before.epoch })).toEqual({ status: "erased" });
      expect(contents((await store.load(scope("afresh"))).turns)).toEqual(["new", "hello", "more"]);
    });

    it("refuses a stale save after each of several erasures", async () => {
      const store = await open().replica();
      for (let i = 0; i < 3; i++) {
        const loaded = await store.load(scope("again"));
        expect(await store.save(scope("again"), { turns: [turn(user(`t${i}`))], ifEpoch: loaded.epoch })).toMatchObject({ status: "ok" });
        const stale = await store.load(scope("again"));
        expect(await store.erase(scope("again"))).toEqual({ status: "erased" });
        expect(await store.save(scope("again"), { turns: [turn(user(`late${i}`))], ifEpoch: stale.epoch })).toEqual({ status: "erased" });
        expect((await store.load(scope("again"))).exists).toBe(false);
      }
    });

    it("keeps an erasure's mark no longer than a session: it expires with the TTL", async () => {
      const store = await open({ ttlMs: 300 }).replica();
      await store.save(scope("mark"), { turns: [turn(user("x"))] });
      await store.erase(scope("mark"));
      await sleep(450);
      // Nothing remembers the erasure now: a fresh load and save behave as for a session never seen.
      const loaded = await store.load(scope("mark"));
      expect(loaded).toMatchObject({ exists: false, epoch: null });
      expect(await store.save(scope("mark"), { turns: [turn(user("y"))], ifEpoch: loaded.epoch })).toMatchObject({ status: "ok" });
    });

    it("refuses instructions and state larger than the size limit without storing part of the write", async () => {
      const store = await open().replica({ maxBytes: 100 });
      const saved = await store.save(scope("huge"), { turns: [turn(user("a"))], state: { blob: "x".repeat(200) } });
      expect(saved).toEqual({ status: "degraded", reason: "too_large" });
      expect((await store.load(scope("huge"))).exists).toBe(false);
    });

    it("reads sessions written before a key rotation and refuses content sealed with a retired key", async () => {
      const storage = open();
      const oldKey = randomKey();
      const newKey = randomKey();
      const before = await storage.replica({ cipher: createCipher(oldKey) });
      await before.save(scope("enc"), { instructions: [turn(system("sys"))], turns: [turn(user("written with the old key"))], state: { s: 1 } });

      const rotating = await storage.replica({ cipher: createCipher(newKey, [oldKey]) });
      await rotating.save(scope("enc"), { turns: [turn(assistant("written with the new key"))] });

      // Not read since the rotation began (a read would have re-sealed it): the old key is needed.
      const after = await storage.replica({ cipher: createCipher(newKey) });
      const refused = await after.load(scope("enc"));
      expect(refused).toMatchObject({ status: "degraded", reason: "unreadable", turns: [] });

      const plain = await storage.replica();
      expect((await plain.load(scope("enc"))).status).toBe("degraded");

      const during = await rotating.load(scope("enc"));
      expect(during.status).toBe("ok");
      expect(contents(during.turns)).toEqual(["written with the old key", "written with the new key"]);
      expect(during.state).toEqual({ s: 1 });
    });

    it("re-seals what it reads with an old key, so a session in use stays readable once the old key is removed", async () => {
      const storage = open();
      const oldKey = randomKey();
      const newKey = randomKey();
      const before = await storage.replica({ cipher: createCipher(oldKey) });
      await before.save(scope("rotated"), {
        instructions: [turn(system("be brief"))],
        turns: [turn(user("hi")), turn(assistant("hello"))],
        state: { vault: { "<PERSON_1>": "Ann" } },
      });
      // Step 1 of the rotation: the session is used; instructions, state and turns never change.
      const rotating = await storage.replica({ cipher: createCipher(newKey, [oldKey]) });
      const used = await rotating.load(scope("rotated"));
      expect(used.status).toBe("ok");
      expect(await rotating.save(scope("rotated"), { turns: [turn(user("q")), turn(assistant("a"))], ifEpoch: used.epoch, ifStateVersion: used.stateVersion })).toMatchObject({ status: "ok" });
      // Step 3: the old key removed.
      const after = await storage.replica({ cipher: createCipher(newKey) });
      const loaded = await after.load(scope("rotated"));
      expect(loaded).toMatchObject({ status: "ok", exists: true, state: { vault: { "<PERSON_1>": "Ann" } }, stateVersion: used.stateVersion });
      expect(contents(loaded.instructions)).toEqual(["be brief"]);
      expect(contents(loaded.turns)).toEqual(["hi", "hello", "q", "a"]);
      expect(loaded.turns.slice(0, 2).map((t) => t.fingerprint)).toEqual(used.turns.map((t) => t.fingerprint));
    });

    it("does not restart the TTL of a session it cannot read", async () => {
      const storage = open({ ttlMs: TTL_MS });
      const oldKey = randomKey();
      const writer = await storage.replica({ cipher: createCipher(oldKey) });
      const reader = await storage.replica({ cipher: createCipher(randomKey()) });
      await inTime(async (n) => {
        const writeSent = performance.now();
        await writer.save(scope(`retired-${n}`), { turns: [turn(user("sealed with a retired key"))] });
        const written = performance.now();
        await sleep(TTL_MS / 2);
        const readSent = performance.now();
        const read = await reader.load(scope(`retired-${n}`));
        const readDone = performance.now();
        await sleep(Math.max(0, written + TTL_MS + 50 - performance.now()));
        const later = await writer.load(scope(`retired-${n}`));
        return {
          // The read came within the session's TTL, and the last load within the TTL the read would
          // have restarted (else a read that restarted it would go unnoticed).
          fitted: readDone < writeSent + TTL_MS && performance.now() < readSent + TTL_MS,
          check: () => {
            expect(read).toMatchObject({ status: "degraded", reason: "unreadable" });
            // Its own TTL ran out: a session nobody can read is not kept alive by the attempts.
            expect(later.exists).toBe(false);
          },
        };
      });
    });

    it("keeps sessions written before encryption was switched on readable", async () => {
      const storage = open();
      const plain = await storage.replica();
      await plain.save(scope("upgrade"), { turns: [turn(user("plain"))], state: "opaque" });
      const encrypted = await storage.replica({ cipher: createCipher(randomKey()) });
      await encrypted.save(scope("upgrade"), { turns: [turn(assistant("sealed"))] });
      const loaded = await encrypted.load(scope("upgrade"));
      expect(contents(loaded.turns)).toEqual(["plain", "sealed"]);
      expect(loaded.state).toBe("opaque");
    });
  });
}
