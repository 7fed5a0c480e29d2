/**
 * A replica (after a failover, or a DNS name that now points at one) answers PING but refuses every
 * session write with READONLY. A health check by PING marked the store up every interval between the
 * requests that marked it down, so /readyz and switchyard_context_up said "ready" while no session was
 * ever saved. The check now writes (a PEXPIRE of a key that never exists), refused the same way.
 * The usage store's connection had the same blind spot: switchyard_redis_up stayed 1 while every usage
 * batch was refused, so an alert on it never fired while usage and budgets went unrecorded.
 */
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, contextYaml, eventually, http, patientPiiPolicy, sleep, user } from "../e2e/support.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

let primary: RedisServer;
let replica: RedisServer;
let fake: FakeOpenAI;
let gw: TestGateway;

beforeAll(async () => {
  primary = await startRedisServer();
  // The replica loads the primary's data through a file: in the temporary folder, not this checkout.
  replica = await startRedisServer(undefined, ["--replicaof", "127.0.0.1", String(primary.port), "--dir", tmpdir()]);
  fake = await startFakeOpenAI();
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
    files: { "pii.yaml": await patientPiiPolicy(), "context.yaml": contextYaml("ro:", "redis: { health_check_ms: 200 }\n") },
    env: { REDIS_URL: replica.url, SWITCHYARD_CONTEXT_TIMEOUT_MS: "1000" },
    waitForModels: false,
  });
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await fake?.close();
  await replica?.stop();
  await primary?.stop();
});

const contextState = async () => ((await http(gw.url, "GET", "/readyz")).json as { components: { context: { state: string } } }).components.context.state;

describe("a context store pointed at a read-only replica", () => {
  it("stays degraded between requests while every session write is refused", async () => {
    const first = await chat(gw.url, { model: "cloud", messages: [user("hi")] }, { sessionId: "s1" });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-switchyard-context")).toBe("degraded");
    // Several health-check intervals without a request. The client reconnects on READONLY (a demoted
    // primary's connection is stale): a new connection to the same replica must not read as up.
    await sleep(1_000);
    const states = [];
    for (let i = 0; i < 10; i++) {
      states.push(await contextState());
      await sleep(100);
    }
    expect(new Set(states)).toEqual(new Set(["unavailable"]));
    expect(/^switchyard_context_up (\d)/m.exec((await http(gw.url, "GET", "/metrics")).text)?.[1]).toBe("0");
  }, 45_000);
});

describe("a gateway whose Redis address leads to a read-only replica for good", () => {
  // ioredis forgets its retry count on every `ready`, and the health check meets READONLY at once: each
  // client reconnected about 9 times a second, without end (some 1,800 connects a second from 100 pods,
  // which managed Redis services rate-limit). Reconnects on READONLY now back off up to
  // reconnect_max_delay_ms (2 s by default).
  it("reconnects a few times, not some 50 times in 3 seconds", async () => {
    const { Redis } = await import("ioredis");
    const admin = new Redis(replica.url);
    const connections = async () => Number(/total_connections_received:(\d+)/.exec(await admin.info("stats"))?.[1]);
    try {
      await sleep(1_000);
      const before = await connections();
      await sleep(3_000);
      // The two clients (context store, usage store) at 2 s apart at most, plus this test's own INFO.
      expect((await connections()) - before).toBeLessThanOrEqual(10);
    } finally {
      admin.disconnect();
    }
  }, 45_000);
});

describe("the usage store pointed at a read-only replica", () => {
  it("reads as down in switchyard_redis_up while every usage batch is refused", async () => {
    expect((await chat(gw.url, { model: "cloud", messages: [user("hi")] })).status).toBe(200);
    const metric = async (name: string) => new RegExp(`^switchyard_${name} (\\d+)`, "m").exec((await http(gw.url, "GET", "/metrics")).text)?.[1];
    await eventually(() => metric("usage_store_write_failures_total"), (v) => Number(v) > 0);
    expect(await eventually(() => metric("redis_up"), (v) => v === "0")).toBe("0");
  }, 45_000);
});
