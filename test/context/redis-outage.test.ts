/**
 * Redis stopped, frozen and restarted under a live store. This file runs its own redis-server (it
 * must stop it), never the shared one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveContextConfig } from "../../src/context/config.js";
import { createContextStoreFromConfig } from "../../src/context/create.js";
import type { ContextStore } from "../../src/context/store.js";
import { freePort, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { capturedLog, contents, sleep, turn, user } from "./support.js";

const TIMEOUT_MS = 100;
/** The bound plus scheduling slack on a shared 2-core machine. */
const WITHIN_MS = TIMEOUT_MS + 150;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}

describe("context store when Redis fails", () => {
  let redis: RedisServer;
  let store: ContextStore;
  const captured = capturedLog();
  const scope = { tenantId: "acme", sessionId: "outage" };

  beforeAll(async () => {
    redis = await startRedisServer();
    const config = resolveContextConfig(
      { REDIS_URL: redis.url, SWITCHYARD_CONTEXT_TIMEOUT_MS: String(TIMEOUT_MS) },
      { redis: { reconnect_max_delay_ms: 100 } },
    );
    store = createContextStoreFromConfig(config, captured.log);
    expect(await store.ready(5000)).toBe(true);
    // The first commands (the save script's first run) can overrun a 100 ms bound on a loaded
    // machine; this file is about outages, so it starts from a store that has answered once.
    const warm = { tenantId: "acme", sessionId: "warm-up" };
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await store.save(warm, { turns: [turn(user("warm"))] })).status === "ok") break;
      await sleep(100);
    }
  });

  afterAll(async () => {
    await store.close();
    redis.process.kill("SIGCONT");
    await redis.stop();
  });

  it("answers degraded within the time bound while Redis is frozen, then serves again when it thaws", async () => {
    expect((await store.save(scope, { turns: [turn(user("before"))] })).status).toBe("ok");
    const before = store.status().counters;
    redis.process.kill("SIGSTOP");
    try {
      const load = await timed(() => store.load(scope));
      expect(load.value).toMatchObject({ status: "degraded", reason: "unavailable", turns: [] });
      expect(load.ms).toBeLessThan(WITHIN_MS);
      const save = await timed(() => store.save(scope, { turns: [turn(user("during"))] }));
      expect(save.value).toEqual({ status: "degraded", reason: "unavailable" });
      expect(save.ms).toBeLessThan(WITHIN_MS);
      expect(store.status()).toMatchObject({
        state: "degraded",
        counters: { degradedLoads: before.degradedLoads + 1, degradedSaves: before.degradedSaves + 1 },
      });
    } finally {
      redis.process.kill("SIGCONT");
    }
    const after = await store.load(scope);
    expect(after.status).toBe("ok");
    expect(store.status().state).toBe("ready");
  });

  it("answers degraded at once while Redis is down, reconnects by itself and recovers without a restart", async () => {
    await redis.stop();
    await until(() => store.status().state === "degraded", 2000);

    const load = await timed(() => store.load(scope));
    expect(load.value.status).toBe("degraded");
    expect(load.ms).toBeLessThan(WITHIN_MS);
    const save = await timed(() => store.save(scope, { turns: [turn(user("lost"))] }));
    expect(save.value.status).toBe("degraded");
    expect(save.ms).toBeLessThan(WITHIN_MS);

    redis = await startRedisServer(redis.port);
    await until(() => store.status().state === "ready", 5000);
    expect((await store.save(scope, { turns: [turn(user("after restart"))] })).status).toBe("ok");
    expect(contents((await store.load(scope)).turns)).toEqual(["after restart"]);

    const messages = captured.lines().map((l) => l.msg);
    expect(messages).toContain("context store degraded: requests continue without stored context");
    expect(messages.lastIndexOf("context store connected")).toBeGreaterThan(messages.indexOf("context store degraded: requests continue without stored context"));
  });

  it("reports a Redis unreachable at start-up once, and serves as soon as it appears", async () => {
    const port = await freePort();
    const cold = capturedLog();
    const late = createContextStoreFromConfig(
      resolveContextConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, SWITCHYARD_CONTEXT_TIMEOUT_MS: String(TIMEOUT_MS) }, { redis: { reconnect_max_delay_ms: 100 } }),
      cold.log,
    );
    let server: RedisServer | undefined;
    try {
      expect(await late.ready(300)).toBe(false);
      const load = await timed(() => late.load(scope));
      expect(load.value.status).toBe("degraded");
      expect(load.ms).toBeLessThan(WITHIN_MS);
      const degradedLines = () => cold.lines().filter((l) => l.msg === "context store degraded: requests continue without stored context");
      expect(degradedLines()).toHaveLength(1);

      server = await startRedisServer(port);
      expect(await late.ready(5000)).toBe(true);
      expect((await late.save(scope, { turns: [turn(user("first"))] })).status).toBe("ok");
      expect(late.status()).toMatchObject({ state: "ready", counters: { degradedLoads: 1 } });
      expect(degradedLines()).toHaveLength(1);
    } finally {
      await late.close();
      await server?.stop();
    }
  });
});
