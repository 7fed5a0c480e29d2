/**
 * An answered request is counted when its answer is complete, not when its session is saved: the
 * usage record used to wait for the save, so while the context store was slow (here: its Redis
 * frozen with SIGSTOP between the load and the save) an answered, billed request was missing from
 * /metrics and from the tenant's budget — a deny budget let the next request through — and its
 * record's time was the save's end. The save still runs, and lands once the store answers.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { freePort, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { acme: "sk-acme-usage-before-save", globex: "sk-globex-usage-before-save" };
// One fake-gpt answer (11 prompt + 7 completion tokens) costs $0.00000585: more than either budget.
const BUDGETS = `
version: 1
tenants:
  acme: { monthly_usd: 0.000001, action: deny }
  globex: { monthly_usd: 0.000001, action: deny }
`;

// A private Redis (the tests freeze it), started before the gateway and stopped after it.
const redisPort = await freePort();
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer(redisPort);
});
afterAll(async () => {
  redis?.process.kill("SIGCONT");
  await redis?.stop();
});

const cloud = fakeCloudGateway({
  gateway: {
    files: { "budgets.yaml": BUDGETS },
    // A command bound longer than the freeze: the save waits for Redis instead of giving up.
    env: { REDIS_URL: `redis://127.0.0.1:${redisPort}`, SWITCHYARD_CONTEXT_TIMEOUT_MS: "10000", SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) },
    waitForModels: false,
  },
});

async function requestsCounted(): Promise<number> {
  const text = await (await fetch(`${cloud.gw.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("switchyard_requests_total{") && line.includes('model="fake-gpt"') && line.includes('status="200"'))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

function chat(key: string, o: { session?: string; stream?: boolean }): Promise<Response> {
  return fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...(o.session ? { "x-session-id": o.session } : {}) },
    body: JSON.stringify({ model: "fake-gpt", stream: o.stream ?? false, messages: [{ role: "user", content: "Hi" }] }),
  });
}

describe.each([
  { answer: "a completion", tenant: "acme" as const, stream: false },
  { answer: "a stream", tenant: "globex" as const, stream: true },
])("$answer answered while the context store cannot save its session", ({ tenant, stream }) => {
  it("is counted in /metrics and the tenant's budget at once, with its end as its time, and its turn is saved once the store answers", async () => {
    const key = KEYS[tenant];
    const session = `usage-before-save-${randomUUID()}`;
    const before = await requestsCounted();
    // The upstream holds the answer until the session is loaded and Redis is frozen.
    let release!: () => void;
    cloud.fake.script({ kind: "hold", until: new Promise<void>((resolve) => (release = resolve)) });
    const received = cloud.fake.requests.length;
    const answering = chat(key, { session, stream });
    await expect.poll(() => cloud.fake.requests.length, { timeout: 5_000 }).toBe(received + 1);

    redis.process.kill("SIGSTOP");
    let answeredAt: number;
    try {
      release();
      const answer = await answering;
      expect(answer.status).toBe(200);
      // The whole answer: a stream to its end.
      expect(await answer.text()).toContain(stream ? "data: [DONE]" : "Hello from the fake cloud.");
      answeredAt = Date.now();

      // The save waits on the frozen Redis (up to 10 s); the request is counted meanwhile.
      await expect.poll(requestsCounted, { timeout: 1_000 }).toBe(before + 1);
      // Its spend is in the budget: the tenant's next request is refused.
      const next = await chat(key, {});
      expect(next.status).toBe(429);
      expect(((await next.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
      // Long enough that a record waiting for the save would be timed after it.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      redis.process.kill("SIGCONT");
    }

    // The save was not given up: the turn is stored once Redis answers.
    await expect
      .poll(
        async () => {
          const read = await fetch(`${cloud.gw.url}/v1/sessions/${session}`, { headers: { authorization: `Bearer ${key}` } });
          return read.status === 200 ? ((await read.json()) as { messages: { content: string }[] }).messages.map((m) => m.content) : [];
        },
        { timeout: 5_000 },
      )
      .toEqual(["Hi", "Hello from the fake cloud."]);
    const answered = (await usageRecords(cloud.gw.url, key, 2)).find((row) => row.status === "200");
    // Timed when it ended, not when its save did (after the freeze).
    expect(Date.parse(answered?.time ?? "")).toBeLessThanOrEqual(answeredAt);
  }, 30_000);
});
