/**
 * A failover behind one address (a managed Redis's DNS name, a virtual IP, a Kubernetes Service): the
 * address now leads to the new primary, while the connections the gateway holds still lead to the old
 * one, which no client request closes:
 * - the old primary turned replica: Redis keeps its clients' connections open and refuses their
 *   writes with READONLY. A client that only reconnected when its connection dropped kept talking to
 *   it, and every session answered degraded until the gateway was restarted. A READONLY reply now
 *   makes the client reconnect, through the address, to whatever primary it names now;
 * - the old primary cut off (a network partition: no reset, no answer). Its connection stayed open
 *   until TCP gave up, some 15 minutes on Linux; a connection silent for a while is now dropped and
 *   made anew.
 */
import { tmpdir } from "node:os";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveContextConfig } from "../../src/context/config.js";
import { createContextStoreFromConfig } from "../../src/context/create.js";
import type { ContextStore } from "../../src/context/store.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { until } from "../support/until.js";
import { capturedLog, contents, turn, user } from "./support.js";

let primary: RedisServer;
let replica: RedisServer;
let proxy: TcpProxy;
let store: ContextStore;
const scope = { tenantId: "acme", sessionId: "failover" };

async function command(server: RedisServer, ...args: string[]): Promise<unknown> {
  const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  try {
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

beforeEach(async () => {
  // Both keep their replication files in the temporary folder: the primary may turn replica.
  primary = await startRedisServer(undefined, ["--dir", tmpdir()]);
  replica = await startRedisServer(undefined, ["--replicaof", "127.0.0.1", String(primary.port), "--dir", tmpdir()]);
  await until(async () => String(await command(replica, "INFO", "replication")).includes("master_link_status:up"), 10_000);
  proxy = await startTcpProxy(primary.port);
  // A patient bound: this file is about where the connection goes, not about a slow machine.
  store = createContextStoreFromConfig(resolveContextConfig({ REDIS_URL: proxy.url, SWITCHYARD_CONTEXT_TIMEOUT_MS: "500" }, { redis: { reconnect_max_delay_ms: 100 } }), capturedLog().log);
  expect(await store.ready(5000)).toBe(true);
  expect((await store.save(scope, { turns: [turn(user("before"))] })).status).toBe("ok");
  await command(primary, "WAIT", "1", "2000");
}, 30_000);

afterEach(async () => {
  await store?.close();
  await proxy?.close();
  await replica?.stop();
  await primary?.stop();
});

/** Promotes the replica and points the address at it. */
async function failOver(): Promise<void> {
  await command(replica, "REPLICAOF", "NO", "ONE");
  proxy.retarget(replica.port);
}

/** Saves until one is stored (the first ones may still reach the old primary), then reads the session back. */
async function savedAfterFailover(): Promise<ReturnType<typeof contents>> {
  await until(async () => (await store.save(scope, { turns: [turn(user("after"))] })).status === "ok", 10_000, 100);
  return contents((await store.load(scope)).turns);
}

describe("a failover behind the address in REDIS_URL", () => {
  it("serves sessions from the new primary without a restart once the old one refuses writes", async () => {
    await failOver();
    await command(primary, "REPLICAOF", "127.0.0.1", String(replica.port));
    expect(await savedAfterFailover()).toEqual(["before", "after"]);
    expect(store.status().state).toBe("ready");
  });

  it("serves sessions from the new primary without a restart when the old one is cut off", async () => {
    await failOver();
    proxy.strand();
    expect(await savedAfterFailover()).toEqual(["before", "after"]);
    expect(store.status().state).toBe("ready");
  }, 20_000);
});
