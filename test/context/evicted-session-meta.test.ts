/**
 * A Redis under memory pressure (maxmemory with an eviction policy) evicts keys one by one, so a
 * session's meta hash (instructions, state with the pseudonym vault, its version, the turns' size)
 * can disappear while its turn list stays. Those turns name placeholders only the lost vault could
 * read: kept, the next request would hand out `<PERSON_1>` again for someone else, and the history
 * would read one person as another. Such a half-evicted session is dropped and starts afresh, like a
 * session evicted whole.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { chat, contextYaml, dropKeys, http, PATIENT_CONTEXT_ENV, shippedPolicyWith, unique, user as chatUser } from "../e2e/support.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { createRedisBackend } from "../../src/context/redis-backend.js";
import { createRedisClient } from "../../src/context/redis-client.js";
import { capturedLog, contents, DEFAULT_LIMITS, redisStorage, storagePerTest, system, turn, user } from "./support.js";

const url = inject("redisUrl");
const prefix = `${unique("test:evicted-meta")}:`;
const admin = new Redis(url);

afterAll(async () => {
  await dropKeys(url, prefix);
  admin.disconnect();
});

/** Deletes the session's meta hash, as an eviction would, and checks its turn list is still there. */
async function evictMeta(sessionId: string): Promise<void> {
  const [meta] = await admin.keys(`${prefix}*{*:${sessionId}}:m`);
  expect(meta).toBeDefined();
  await admin.del(meta!);
  expect(await admin.llen(meta!.replace(/:m$/, ":t"))).toBeGreaterThan(0);
}

describe("a session whose meta hash was evicted while its turns stayed (store)", () => {
  const open = storagePerTest(redisStorage);

  it("loads as no session, drops the orphaned turns, and says so in the log", async () => {
    const captured = capturedLog();
    const store = await open(url, prefix).replica({ log: captured.log });
    const scope = { tenantId: "acme", sessionId: "half-evicted-load" };
    await store.save(scope, { turns: [turn(user("<PERSON_1> owes us")), turn(user("noted"))], instructions: [turn(system("be brief"))], state: { vault: "Maria" } });
    await evictMeta(scope.sessionId);

    const loaded = await store.load(scope);
    expect(loaded).toMatchObject({ status: "ok", exists: false, turns: [], instructions: [], state: undefined, stateVersion: 0 });
    // Only the erasure mark is left (empty: never erased), expiring with the TTL.
    expect((await admin.keys(`${prefix}*{acme:half-evicted-load}:*`)).map((key) => key.slice(-2))).toEqual([":e"]);
    expect(captured.lines().some((l) => l.msg === "session's stored state was evicted by Redis; its orphaned turns were dropped")).toBe(true);
    expect(store.status().counters.evictedSessions).toBe(1);
  });

  it("does not append to orphaned turns when the meta hash goes between a load and its save", async () => {
    const store = await open(url, prefix).replica();
    const scope = { tenantId: "acme", sessionId: "half-evicted-save" };
    await store.save(scope, { turns: [turn(user("<PERSON_1> owes us"))], state: { vault: "Maria" } });
    const loaded = await store.load(scope);
    await evictMeta(scope.sessionId);

    // A save that does not check the state version appends, but to an empty history.
    const saved = await store.save(scope, { turns: [turn(user("next"))], ifEpoch: loaded.epoch });
    expect(saved).toMatchObject({ status: "ok", turns: 1 });
    const after = await store.load(scope);
    expect(after.status === "ok" && contents(after.turns)).toEqual(["next"]);
  });

  it("answers a conflict with no stored turns when the meta hash went before a save that needs the state", async () => {
    const store = await open(url, prefix).replica();
    const scope = { tenantId: "acme", sessionId: "half-evicted-conflict" };
    await store.save(scope, { turns: [turn(user("<PERSON_1> owes us"))], state: { vault: "Maria" } });
    const loaded = await store.load(scope);
    await evictMeta(scope.sessionId);

    const saved = await store.save(scope, { turns: [turn(user("<PERSON_2> too"))], state: { vault: "Maria, John" }, ifStateVersion: loaded.stateVersion, turnsNeedState: true, ifEpoch: loaded.epoch });
    // The redo derives its vault from nothing, and pruning against no stored turn keeps no stale entry.
    expect(saved).toMatchObject({ status: "conflict", turnsSaved: false, state: undefined, stateVersion: 0, stored: { turns: [], instructions: [] } });
  });

  it("is not recreated by a re-seal that runs after the meta hash went", async () => {
    const store = await open(url, prefix).replica();
    const scope = { tenantId: "acme", sessionId: "half-evicted-reseal" };
    await store.save(scope, { turns: [turn(user("<PERSON_1> owes us"))], state: { vault: "Maria" } });
    const [list] = await admin.keys(`${prefix}*{acme:half-evicted-reseal}:t`);
    const [read] = await admin.lrange(list!, 0, -1);
    // A load read the session with an old key; the hash is evicted before its re-seal arrives.
    await evictMeta(scope.sessionId);
    const client = createRedisClient({ kind: "url", url }, { timeoutMs: 2000, reconnectMaxDelayMs: 100 });
    const backend = createRedisBackend({ client, limits: DEFAULT_LIMITS });
    await new Promise((resolve) => client.once("ready", resolve));
    try {
      expect(await backend.reseal(list!.replace(/:t$/, ""), { ifEpoch: null, turns: [[read!, `${read!}-resealed`]] })).toBe(0);
    } finally {
      await backend.close();
    }
    // A hash holding only a byte count would make the orphaned turns look like a whole session.
    expect(await admin.exists(list!.replace(/:t$/, ":m"))).toBe(0);
  });
});

describe("a session whose meta hash (vault) was evicted while its turns stayed (gateway)", () => {
  const gatewayPrefix = `${prefix}gw:`;
  let fake: FakeOpenAI;
  let gw: TestGateway;

  beforeAll(async () => {
    const pii = await shippedPolicyWith("pii.yaml", { "budget_ms: 250": "budget_ms: 5000", "context_storage: raw": "context_storage: sanitized" });
    fake = await startFakeOpenAI({ echo: true });
    gw = await startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
      files: { "pii.yaml": pii, "context.yaml": contextYaml(gatewayPrefix) },
      env: { REDIS_URL: url, ...PATIENT_CONTEXT_ENV },
      waitForModels: false,
    });
  });
  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  it("never restores one person's placeholder as another person", async () => {
    const id = unique("s");
    const first = await chat(gw.url, { model: "cloud", messages: [chatUser("Please write to Maria Gonzalez about the overdue invoice.")] }, { sessionId: id });
    expect(first.status).toBe(200);
    await evictMeta(id);

    const second = await chat(gw.url, { model: "cloud", messages: [chatUser("Please write to John Smith about the new office.")] }, { sessionId: id });
    expect(second.status).toBe(200);
    const got = await http(gw.url, "GET", `/v1/sessions/${id}`);
    const stored = (got.json as { messages: { content: string }[] }).messages.map((m) => m.content);
    // The Maria exchange went with its vault; only the John exchange is left, and it reads as John.
    expect(stored.join("\n")).not.toContain("Maria");
    expect(stored[0]).toContain("John Smith");
    for (const text of stored.slice(0, -1)) expect(text.match(/John Smith/g)?.length ?? 0).toBeLessThanOrEqual(1);
    // What went to the cloud never held two people under one placeholder: no Maria turn came back.
    const sent = JSON.stringify(fake.requests.at(-1)?.body);
    expect(sent).not.toContain("overdue invoice");
  });
});
