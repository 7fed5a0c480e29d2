/**
 * The Redis store on a real (three-master) Redis Cluster: a session's keys share one hash slot, so
 * the load and save scripts run unchanged, and sessions spread over the masters.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveContextConfig } from "../../src/context/config.js";
import { createContextStoreFromConfig } from "../../src/context/create.js";
import type { ContextStore } from "../../src/context/store.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-server.js";
import { assistant, contents, turn, user } from "./support.js";

describe("context store on Redis Cluster", () => {
  let dir: string;
  let cluster: RedisCluster;
  let store: ContextStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-cluster-"));
    cluster = await startRedisCluster(dir);
    store = createContextStoreFromConfig(resolveContextConfig({}, { redis: { cluster: { nodes: cluster.nodes } } }), pino({ level: "silent" }));
    expect(await store.ready(10_000)).toBe(true);
  });

  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("saves, loads and erases sessions spread over every master", async () => {
    const sessions = Array.from({ length: 30 }, (_, i) => ({ tenantId: `tenant-${i % 3}`, sessionId: `chat-${i}` }));
    await Promise.all(sessions.map((scope) => store.save(scope, { turns: [turn(user(`q ${scope.sessionId}`)), turn(assistant("a"))], state: { n: 1 } })));
    for (const scope of sessions) {
      const loaded = await store.load(scope);
      expect(loaded.status).toBe("ok");
      expect(contents(loaded.turns)).toEqual([`q ${scope.sessionId}`, "a"]);
    }
    expect(await store.erase(sessions[0]!)).toEqual({ status: "erased" });
    expect((await store.load(sessions[0]!)).exists).toBe(false);

    const admin = new Cluster(cluster.nodes);
    try {
      await new Promise((resolve) => admin.once("ready", resolve));
      const perMaster = await Promise.all(admin.nodes("master").map((node) => node.dbsize()));
      expect(perMaster.filter((n) => n > 0).length).toBeGreaterThan(1);
    } finally {
      admin.disconnect();
    }
  });
});
