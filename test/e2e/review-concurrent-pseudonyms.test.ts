/**
 * Two requests of one session in flight at once, with `context_storage: sanitized`: each pseudonymizes
 * a different person, starting from the same loaded vault. Both are stored, and every later turn must
 * still tell the two people apart (one placeholder each, restored to the right name).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { chat, contextYaml, dropKeys, eventually, http, PATIENT_CONTEXT_ENV, shippedPolicyWith, unique, upstreamMessages, user } from "./support.js";

const ASK_ANN = "Please draft a short note to Maria Gonzalez about the overdue invoice.";
const ASK_BOB = "Please draft a short note to John Smith about the new office.";
const REDIS_PREFIX = `${unique("e2e-review-pseudonyms")}:`;

let fake: FakeOpenAI;
let memory: TestGateway;
/** Two replicas sharing the suite's Redis. */
let redisA: TestGateway;
let redisB: TestGateway;

beforeAll(async () => {
  const pii = await shippedPolicyWith("pii.yaml", { "budget_ms: 250": "budget_ms: 5000", "context_storage: raw": "context_storage: sanitized" });
  fake = await startFakeOpenAI({ echo: true });
  const start = (env: Record<string, string>, files: Record<string, string> = {}) =>
    startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }), files: { "pii.yaml": pii, ...files }, env, waitForModels: false });
  memory = await start({});
  const redis = { REDIS_URL: inject("redisUrl"), ...PATIENT_CONTEXT_ENV };
  redisA = await start(redis, { "context.yaml": contextYaml(REDIS_PREFIX) });
  redisB = await start(redis, { "context.yaml": contextYaml(REDIS_PREFIX) });
});
afterAll(async () => {
  await Promise.all([memory?.close(), redisA?.close(), redisB?.close()]);
  await fake?.close();
  await dropKeys(inject("redisUrl"), REDIS_PREFIX);
});
beforeEach(() => fake.reset());

const ask = (gw: TestGateway, sessionId: string, content: string, stream = false) =>
  chat(gw.url, { model: "cloud", messages: [user(content)], stream }, { sessionId });

describe.each([
  { backend: "memory", first: () => memory, second: () => memory },
  { backend: "redis (two replicas)", first: () => redisA, second: () => redisB },
])("concurrent requests of one session, $backend", ({ first, second }) => {
  it("never give two people the same placeholder in the stored history", async () => {
    const id = unique("concurrent-pseudonyms");
    // Slow answers: both requests load the (empty) session before either saves.
    fake.script({ kind: "stream", chunks: 2, delayMs: 300 }, { kind: "stream", chunks: 2, delayMs: 300 });
    const answers = await Promise.all([ask(first(), id, ASK_ANN, true), ask(second(), id, ASK_BOB, true)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    // Each cloud request saw its own person as <PERSON_1>: both started from the same empty vault.
    expect(fake.requests.map((r) => upstreamMessages(r).at(-1)?.content).sort()).toEqual(
      [ASK_ANN.replace("Maria Gonzalez", "<PERSON_1>"), ASK_BOB.replace("John Smith", "<PERSON_1>")].sort(),
    );

    // The request that saved second found the state changed and saves again (one round trip later).
    await eventually(() => http(first().url, "GET", `/v1/sessions/${id}`), (a) => (a.json as { messages?: unknown[] }).messages?.length === 4);
    fake.reset();
    const next = await ask(first(), id, "Did Maria Gonzalez answer?");
    expect(next.status).toBe(200);
    expect(next.content).toBe("Did Maria Gonzalez answer?");
    const history = upstreamMessages(fake.requests[0]!).map((m) => String(m.content));
    const placeholder = (text: string | undefined) => (text === undefined ? undefined : /<PERSON_\d+>/.exec(text)?.[0]);
    const maria = placeholder(history.at(-1));
    expect(maria).toBeDefined();
    // The stored turn about Maria is read back as Maria, and the one about John as someone else: a
    // shared placeholder would restore one of them (in the history and in answers) as the other.
    expect(placeholder(history.find((c) => c.includes("overdue invoice")))).toBe(maria);
    const john = placeholder(history.find((c) => c.includes("new office")));
    expect(john).toBeDefined();
    expect(john).not.toBe(maria);
  });
});
