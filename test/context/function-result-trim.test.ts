/**
 * Trimming a session never leaves a result of the deprecated single function call (`role:
 * "function"`) at the head of the history without the `function_call` it answers, on either backend,
 * as it never leaves a `tool` result without its `tool_calls`. The stored format does not change, so
 * sessions stored before (plain or encrypted) are trimmed the same way.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { createCipher } from "../../src/context/cipher.js";
import { createTurnCodec } from "../../src/context/turn-codec.js";
import { assistant, contents, memoryStorage, randomKey, redisStorage, turn, user, type SharedStorage, type StorageFactory } from "./support.js";

const url = inject("redisUrl");
const prefix = "test:function-result-trim:";

const functionCall: ChatMessage = { role: "assistant", content: null, function_call: { name: "send_mail", arguments: '{"to":"finance"}' } };
const functionResult = (content: string): ChatMessage => ({ role: "function", name: "send_mail", content });

const backends: [string, StorageFactory][] = [
  ["in-memory", (limits) => memoryStorage(limits)],
  ["Redis", (limits) => redisStorage(url, prefix, limits)],
];

describe.each(backends)("%s context store trimming a function_call exchange", (_name, storage) => {
  const opened: SharedStorage[] = [];
  const open = (limits: Parameters<StorageFactory>[0]) => {
    const s = storage(limits);
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  const scope = { tenantId: "acme", sessionId: "legacy-call" };

  it("drops a function result whose call was trimmed away", async () => {
    const store = await open({ maxTurns: 4 }).replica();
    await store.save(scope, { turns: [turn(user("q")), turn(functionCall), turn(functionResult("sent")), turn(assistant("done"))] });
    await store.save(scope, { turns: [turn(user("q2")), turn(assistant("a2"))] });
    // The cut falls right after the call: its result would lead the history, so it goes too (with the
    // answer after it: trimming keeps whole exchanges).
    expect(contents((await store.load(scope)).turns)).toEqual(["q2", "a2"]);
  });

  it("drops every leading function result, sealed ones included", async () => {
    const store = await open({ maxTurns: 5 }).replica({ cipher: createCipher(randomKey()) });
    await store.save(scope, {
      turns: [turn(user("q")), turn(functionCall), turn(functionResult("sent")), turn(functionResult("sent again")), turn(assistant("done"))],
    });
    await store.save(scope, { turns: [turn(user("q2")), turn(assistant("a2"))] });
    expect(contents((await store.load(scope)).turns)).toEqual(["q2", "a2"]);
  });

  it("keeps a function result together with its call when both fit", async () => {
    const store = await open({ maxTurns: 4 }).replica();
    await store.save(scope, { turns: [turn(user("q0")), turn(assistant("a0"))] });
    await store.save(scope, { turns: [turn(user("q")), turn(functionCall), turn(functionResult("sent")), turn(assistant("done"))] });
    expect((await store.load(scope)).turns.map((t) => t.message.role)).toEqual(["user", "assistant", "function", "assistant"]);
  });
});

describe("a Redis session stored before function results were recognised", () => {
  const admin = new Redis(url);
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it("loses its leading function result at the next trim", async () => {
    const storage = redisStorage(url, `${prefix}old:`, { maxTurns: 3 });
    const store = await storage.replica();
    const scope = { tenantId: "acme", sessionId: "stored-earlier" };
    await store.save(scope, { turns: [turn(user("q"))] });
    // Turns as an earlier gateway wrote them, appended behind the store's back: the codec's format is unchanged.
    const [list] = (await admin.keys(`${prefix}old:*stored-earlier*:t`)) as [string];
    const codec = createTurnCodec(undefined);
    await admin.rpush(list, codec.encodeTurn(scope, turn(functionCall)), codec.encodeTurn(scope, turn(functionResult("sent"))));
    await store.save(scope, { turns: [turn(user("q2")), turn(assistant("done"))] });
    expect(contents((await store.load(scope)).turns)).toEqual(["q2", "done"]);
    await storage.close();
  });
});
