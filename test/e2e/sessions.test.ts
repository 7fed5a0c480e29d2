/**
 * Issue 6 end to end: conversation context kept in Redis behind `x-session-id`, seen through the
 * HTTP API of real gateway instances. The cloud model is a fake that echoes the last user message
 * and records what it received, so each test can say exactly which history went upstream.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import {
  assistant,
  chat,
  contextYaml,
  dropKeys,
  eventually,
  http,
  PATIENT_CONTEXT_ENV,
  patientPiiPolicy,
  system,
  unique,
  upstreamMessages,
  user,
  type ChatMessageInput,
} from "./support.js";

const KEY_A = "key-aaaaaaaa";
const KEY_B = "key-bbbbbbbb";
const API_KEYS = `a=${KEY_A},b=${KEY_B}`;
const REDIS_PREFIX = `${unique("e2e-sessions")}:`;

interface StoredMessage {
  role: string;
  content: string | null;
  metadata: { route?: string; model?: string; request_id?: string };
}

let fake: FakeOpenAI;
/** Two replicas sharing the suite's Redis. */
let gwA: TestGateway;
let gwB: TestGateway;

beforeAll(async () => {
  const piiPolicy = await patientPiiPolicy();
  fake = await startFakeOpenAI({ echo: true });
  const start = () =>
    startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
      files: { "context.yaml": contextYaml(REDIS_PREFIX), "pii.yaml": piiPolicy },
      env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_API_KEYS: API_KEYS, ...PATIENT_CONTEXT_ENV },
    });
  gwA = await start();
  gwB = await start();
});
afterAll(async () => {
  await gwA?.close();
  await gwB?.close();
  await fake?.close();
  await dropKeys(inject("redisUrl"), REDIS_PREFIX);
});
beforeEach(() => fake.reset());

const turn = (gw: TestGateway, sessionId: string, messages: ChatMessageInput[], o: { apiKey?: string; model?: string } = {}) =>
  chat(gw.url, { model: o.model ?? "cloud", messages }, { apiKey: o.apiKey ?? KEY_A, sessionId });

async function stored(gw: TestGateway, sessionId: string, apiKey = KEY_A): Promise<StoredMessage[]> {
  const answer = await http(gw.url, "GET", `/v1/sessions/${sessionId}`, { apiKey });
  expect(answer.status, answer.text).toBe(200);
  return (answer.json as { messages: StoredMessage[] }).messages;
}

const contents = (messages: readonly { content: unknown }[]) => messages.map((m) => m.content);

describe("a session named by x-session-id", () => {
  it("lets a client send only its new turn: the upstream receives the whole conversation", async () => {
    const id = unique("only-new");
    const first = await turn(gwA, id, [system("You are terse."), user("My favourite colour is teal.")]);
    expect(first.status).toBe(200);
    const second = await turn(gwA, id, [user("What is my favourite colour?")]);
    expect(second.status).toBe(200);

    expect(fake.requests).toHaveLength(2);
    expect(upstreamMessages(fake.requests[1]!)).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: "My favourite colour is teal." },
      { role: "assistant", content: "My favourite colour is teal." },
      { role: "user", content: "What is my favourite colour?" },
    ]);
    const messages = await stored(gwA, id);
    expect(contents(messages)).toEqual(["You are terse.", "My favourite colour is teal.", "My favourite colour is teal.", "What is my favourite colour?", "What is my favourite colour?"]);
    expect(messages.filter((m) => m.role === "assistant").every((m) => m.metadata.route === "cloud" && m.metadata.model === "fake-gpt")).toBe(true);
  });

  it("stores no duplicates when the client resends the full history", async () => {
    const id = unique("full-history");
    const first = await turn(gwA, id, [user("Name three rivers.")]);
    const answer = first.content;
    await turn(gwA, id, [user("Name three rivers."), assistant(answer), user("Now three lakes.")]);
    await turn(gwA, id, [user("Name three rivers."), assistant(answer), user("Now three lakes."), assistant("Now three lakes."), user("And three seas.")]);

    // The upstream got each conversation once, not the stored copy plus the resent one.
    expect(upstreamMessages(fake.requests[2]!)).toHaveLength(5);
    expect(contents(await stored(gwA, id))).toEqual(["Name three rivers.", answer, "Now three lakes.", "Now three lakes.", "And three seas.", "And three seas."]);
  });

  it("is continued by a second gateway instance sharing the Redis", async () => {
    const id = unique("two-replicas");
    await turn(gwA, id, [user("Remember the number 4711.")]);
    const second = await turn(gwB, id, [user("Which number did I ask you to remember?")]);
    expect(second.status).toBe(200);
    expect(contents(upstreamMessages(fake.requests[1]!))).toEqual([
      "Remember the number 4711.",
      "Remember the number 4711.",
      "Which number did I ask you to remember?",
    ]);
    const seenByA = await stored(gwA, id);
    expect(seenByA).toEqual(await stored(gwB, id));
    expect(seenByA).toHaveLength(4);
  });

  it("keeps every turn, in pairs, when one session gets concurrent requests", async () => {
    const id = unique("concurrent");
    const asks = Array.from({ length: 8 }, (_, i) => `Question number ${i + 1}.`);
    const answers = await Promise.all(asks.map((q, i) => turn(i % 2 === 0 ? gwA : gwB, id, [user(q)])));
    expect(answers.map((a) => a.status)).toEqual(asks.map(() => 200));

    const messages = await stored(gwA, id);
    expect(messages).toHaveLength(16);
    // Each request's turn and its answer (the echo) stay adjacent: appends are atomic.
    for (let i = 0; i < 16; i += 2) {
      expect(messages[i]!.role).toBe("user");
      expect(messages[i + 1]).toMatchObject({ role: "assistant", content: messages[i]!.content });
    }
    expect(contents(messages.filter((m) => m.role === "user")).sort()).toEqual([...asks].sort());
  });

  it("gives a pseudonymized person the same placeholder in every turn, on either replica", async () => {
    const id = unique("pseudonyms");
    const first = await turn(gwA, id, [user("Please draft a short note to Maria Gonzalez about the overdue invoice.")]);
    // The client reads the name; the cloud read a placeholder.
    expect(first.content).toBe("Please draft a short note to Maria Gonzalez about the overdue invoice.");
    const second = await turn(gwB, id, [user("Also tell Maria Gonzalez that the office moves next month.")]);
    expect(second.content).toBe("Also tell Maria Gonzalez that the office moves next month.");

    const sent = fake.requests.map((r) => r.raw.toString("utf8"));
    expect(sent.join("\n")).not.toMatch(/maria|gonzalez/i);
    expect(contents(upstreamMessages(fake.requests[0]!))).toEqual(["Please draft a short note to <PERSON_1> about the overdue invoice."]);
    expect(contents(upstreamMessages(fake.requests[1]!))).toEqual([
      "Please draft a short note to <PERSON_1> about the overdue invoice.",
      "Please draft a short note to <PERSON_1> about the overdue invoice.",
      "Also tell <PERSON_1> that the office moves next month.",
    ]);
  });

  it("is erased by DELETE: gone from GET, and the next turn starts afresh", async () => {
    const id = unique("erase");
    await turn(gwA, id, [user("Something to forget.")]);
    const erased = await http(gwB.url, "DELETE", `/v1/sessions/${id}`, { apiKey: KEY_A });
    expect(erased.status).toBe(200);
    expect(erased.json).toEqual({ id, object: "session.deleted", deleted: true });

    for (const gw of [gwA, gwB]) {
      const gone = await http(gw.url, "GET", `/v1/sessions/${id}`, { apiKey: KEY_A });
      expect(gone.status).toBe(404);
      expect(gone.json).toMatchObject({ error: { code: "session_not_found" } });
    }
    expect((await http(gwA.url, "DELETE", `/v1/sessions/${id}`, { apiKey: KEY_A })).status).toBe(404);

    fake.reset();
    await turn(gwA, id, [user("A new beginning.")]);
    expect(contents(upstreamMessages(fake.requests[0]!))).toEqual(["A new beginning."]);
  });
});

describe("tenant isolation through the HTTP API", () => {
  it("never lets another API key read, extend or erase a tenant's session, whatever id it sends", async () => {
    const id = unique("shared-id");
    await turn(gwA, id, [user("Tenant A's private plan: acquire Globex.")]);

    const read = await http(gwB.url, "GET", `/v1/sessions/${id}`, { apiKey: KEY_B });
    expect(read.status).toBe(404);
    expect(read.text).not.toContain("Globex");
    expect((await http(gwB.url, "DELETE", `/v1/sessions/${id}`, { apiKey: KEY_B })).status).toBe(404);

    fake.reset();
    const extended = await turn(gwB, id, [user("Tenant B says hello.")], { apiKey: KEY_B });
    expect(extended.status).toBe(200);
    // B's request went up without A's history ...
    expect(contents(upstreamMessages(fake.requests[0]!))).toEqual(["Tenant B says hello."]);
    // ... and landed in B's own session, leaving A's untouched.
    expect(contents(await stored(gwA, id, KEY_A))).toEqual(["Tenant A's private plan: acquire Globex.", "Tenant A's private plan: acquire Globex."]);
    expect(contents(await stored(gwA, id, KEY_B))).toEqual(["Tenant B says hello.", "Tenant B says hello."]);

    expect((await http(gwA.url, "DELETE", `/v1/sessions/${id}`, { apiKey: KEY_B })).status).toBe(200);
    expect(await stored(gwA, id, KEY_A)).toHaveLength(2);
  });

  it("requires a valid API key for sessions", async () => {
    expect((await http(gwA.url, "GET", `/v1/sessions/anything`)).status).toBe(401);
    expect((await http(gwA.url, "GET", `/v1/sessions/anything`, { apiKey: "key-not-configured" })).status).toBe(401);
    const invalid = await http(gwA.url, "GET", `/v1/sessions/${encodeURIComponent("../etc")}`, { apiKey: KEY_A });
    expect(invalid.status).toBe(400);
  });
});

describe("token budgets", () => {
  const filler = (i: number) => `Paragraph ${i}: the quick brown fox jumps over the lazy dog while the slow green turtle walks around the quiet pond. `.repeat(5);
  const askLocal = (id: string, maxTokens: number) =>
    chat(gwA.url, { model: "stories", max_tokens: maxTokens, messages: [user("Tell me a story.")] }, { apiKey: KEY_A, sessionId: id });

  /** Stores `pairs` long user turns with short answers (through the cloud, whose window takes them all). */
  async function storeHistory(id: string, pairs: number): Promise<ChatMessageInput[]> {
    const history: ChatMessageInput[] = [system("You tell short stories.")];
    for (let i = 0; i < pairs; i++) history.push(user(filler(i)), assistant(`Noted ${i}.`));
    history.push(user("Store all of this."));
    const answer = await turn(gwA, id, history);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-switchyard-context-dropped")).toBeNull();
    return history;
  }

  it("trims a stored history to the local model's window, says how many messages were dropped, and still answers", async () => {
    const id = unique("trim");
    // About 1,700 tokens by the routing estimate (4 characters a token); about 4,300 in stories260K's tokenizer.
    const history = await storeHistory(id, 11);

    const local = await askLocal(id, 200);
    expect(local.status, local.text).toBe(200);
    expect(local.headers.get("x-switchyard-route")).toBe("local");
    const dropped = Number(local.headers.get("x-switchyard-context-dropped"));
    expect(dropped).toBeGreaterThan(0);
    // Something of the history was kept besides the system prompt and the new turn.
    expect(dropped).toBeLessThan(history.length);
    expect(local.content.length).toBeGreaterThan(0);

    // Trimming is per request: the session still holds every turn, and the cloud gets them all.
    const messages = await stored(gwA, id);
    expect(messages).toHaveLength(history.length + 1 + 2);
    fake.reset();
    const cloud = await turn(gwA, id, [user("And one more.")]);
    expect(cloud.headers.get("x-switchyard-context-dropped")).toBeNull();
    expect(upstreamMessages(fake.requests[0]!)).toHaveLength(messages.length + 1);
  });

  it("keeps the trimmed prompt inside the local window however little it reserves for the answer", async () => {
    const id = unique("trim-tight");
    await storeHistory(id, 11);
    const local = await askLocal(id, 16);
    expect(local.status, local.text).toBe(200);
    expect(Number(local.headers.get("x-switchyard-context-dropped"))).toBeGreaterThan(0);
  });

  it("trims rather than refuses a stored history longer than the local model's whole window", async () => {
    const id = unique("trim-long");
    await storeHistory(id, 30);
    const local = await askLocal(id, 200);
    expect(local.status, local.text).toBe(200);
    expect(local.headers.get("x-switchyard-route")).toBe("local");
    expect(Number(local.headers.get("x-switchyard-context-dropped"))).toBeGreaterThan(0);
  });
});

describe("when Redis goes away", () => {
  let redis: RedisServer;
  let gw: TestGateway;

  beforeAll(async () => {
    redis = await startRedisServer();
    gw = await startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
      files: { "context.yaml": contextYaml("e2e-outage:", "redis: { reconnect_max_delay_ms: 100 }\n"), "pii.yaml": await patientPiiPolicy() },
      env: { REDIS_URL: redis.url, SWITCHYARD_API_KEYS: API_KEYS, SWITCHYARD_CONTEXT_TIMEOUT_MS: "500" },
      waitForModels: false,
    });
    // Not waiting for the models means not waiting for Redis either: on a loaded machine the first
    // turn could otherwise arrive before the connection is up and be (rightly) answered degraded.
    await eventually(
      () => http(gw.url, "GET", "/readyz"),
      (ready) => (ready.json as { components?: { context?: { state?: string } } }).components?.context?.state === "ready",
      10_000,
      50,
    );
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it("answers without stored context, marked degraded, and recovers by itself when Redis is back", async () => {
    const before = unique("before");
    expect((await turn(gw, before, [user("First turn.")])).headers.get("x-switchyard-context")).toBeNull();
    expect(await stored(gw, before)).toHaveLength(2);

    await redis.stop();
    fake.reset();
    const started = Date.now();
    const during = await turn(gw, before, [user("Second turn.")]);
    expect(during.status).toBe(200);
    expect(during.headers.get("x-switchyard-context")).toBe("degraded");
    expect(Date.now() - started).toBeLessThan(2_000);
    // Only what the client sent went upstream.
    expect(contents(upstreamMessages(fake.requests[0]!))).toEqual(["Second turn."]);
    const unavailable = await http(gw.url, "GET", `/v1/sessions/${before}`, { apiKey: KEY_A });
    expect(unavailable.status).toBe(503);
    expect(unavailable.json).toMatchObject({ error: { code: "context_unavailable" } });

    redis = await startRedisServer(redis.port);
    // The same gateway, not restarted: once it has reconnected, sessions work again.
    const after = unique("after");
    await eventually(
      () => turn(gw, after, [user("Are you back?")]),
      (answer) => answer.status === 200 && answer.headers.get("x-switchyard-context") === null,
      10_000,
      100,
    );
    fake.reset();
    const next = await turn(gw, after, [user("Good.")]);
    expect(next.headers.get("x-switchyard-context")).toBeNull();
    expect(contents(upstreamMessages(fake.requests[0]!))).toEqual(["Are you back?", "Are you back?", "Good."]);
  });
});
