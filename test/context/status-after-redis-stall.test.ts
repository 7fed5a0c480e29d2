/**
 * A stalled Redis (frozen process, lost packets) keeps its socket open, so ioredis never reports it.
 * The gateway PINGs Redis every `redis.health_check_ms`, so /readyz, switchyard_context_up and
 * switchyard_redis_up follow Redis itself — during the stall without any request, and after it without
 * waiting for the next request with a session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, contextYaml, eventually, http, patientPiiPolicy, user } from "../e2e/support.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

let redis: RedisServer;
let fake: FakeOpenAI;
let gw: TestGateway;

beforeAll(async () => {
  redis = await startRedisServer();
  fake = await startFakeOpenAI();
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
    files: { "pii.yaml": await patientPiiPolicy(), "context.yaml": contextYaml("stall:", "redis: { health_check_ms: 200 }\n") },
    // 500 ms, not the default 100: a busy test machine must not look like a stalled Redis.
    env: { REDIS_URL: redis.url, SWITCHYARD_CONTEXT_TIMEOUT_MS: "500" },
    waitForModels: false,
  });
}, 60_000);

afterAll(async () => {
  redis?.process.kill("SIGCONT");
  await gw?.close();
  await fake?.close();
  await redis?.stop();
});

const contextState = async () => ((await http(gw.url, "GET", "/readyz")).json as { components: { context: { state: string; detail: string } } }).components.context;
const gauge = async (name: string) => new RegExp(`^switchyard_${name} (\\d)`, "m").exec((await http(gw.url, "GET", "/metrics")).text)?.[1];

describe("context status when Redis stalls and thaws", () => {
  it("says so during the stall without traffic, and tells the truth once Redis has thawed", async () => {
    expect((await chat(gw.url, { model: "cloud", messages: [user("hi")] }, { sessionId: "s1" })).status).toBe(200);
    expect(await contextState()).toMatchObject({ state: "ready", detail: "redis: connected" });

    redis.process.kill("SIGSTOP");
    // No request: only the health check can notice. The usage client's PING waits out its 2 s timeout.
    await eventually(contextState, (c) => c.state === "unavailable" && c.detail === "redis: unreachable", 5_000);
    expect(await gauge("context_up")).toBe("0");
    await eventually(() => gauge("redis_up"), (v) => v === "0", 6_000);
    const during = await chat(gw.url, { model: "cloud", messages: [user("hi")] }, { sessionId: "s1" });
    expect(during.headers.get("x-switchyard-context")).toBe("degraded");

    redis.process.kill("SIGCONT");
    // Still no request with a session: the store comes back by itself.
    await eventually(contextState, (c) => c.state === "ready" && c.detail === "redis: connected", 5_000);
    expect(await gauge("context_up")).toBe("1");
    await eventually(() => gauge("redis_up"), (v) => v === "1", 6_000);
    const after = await chat(gw.url, { model: "cloud", messages: [user("again")] }, { sessionId: "s1" });
    expect(after.headers.get("x-switchyard-context")).toBeNull();
  }, 45_000);
});
