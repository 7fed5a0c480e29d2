/**
 * A failover behind one address (a managed Redis's DNS name, a virtual IP, a Kubernetes Service): the
 * replica is promoted, the old primary turns replica and refuses writes with READONLY, and the address
 * now leads to the new primary. Redis does not close the old primary's client connections when it
 * turns replica, so a client that only reconnects when its connection drops kept talking to the old
 * primary: every session answered degraded until the gateway was restarted. A READONLY reply now
 * makes the client reconnect, through the address, to whatever primary it names now.
 */
import { tmpdir } from "node:os";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

async function command(server: RedisServer, ...args: string[]): Promise<unknown> {
  const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  try {
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

beforeAll(async () => {
  // Both keep their replication files in the temporary folder: the primary turns replica below.
  primary = await startRedisServer(undefined, ["--dir", tmpdir()]);
  replica = await startRedisServer(undefined, ["--replicaof", "127.0.0.1", String(primary.port), "--dir", tmpdir()]);
  await until(async () => String(await command(replica, "INFO", "replication")).includes("master_link_status:up"), 10_000);
  proxy = await startTcpProxy(primary.port);
  // A patient bound: this file is about where the connection goes, not about a slow machine.
  store = createContextStoreFromConfig(resolveContextConfig({ REDIS_URL: proxy.url, SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" }, { redis: { reconnect_max_delay_ms: 100 } }), capturedLog().log);
  expect(await store.ready(5000)).toBe(true);
}, 30_000);

afterAll(async () => {
  await store?.close();
  await proxy?.close();
  await replica?.stop();
  await primary?.stop();
});

describe("a failover behind the address in REDIS_URL", () => {
  it("serves sessions from the new primary without a restart once the old one refuses writes", async () => {
    const scope = { tenantId: "acme", sessionId: "failover" };
    expect((await store.save(scope, { turns: [turn(user("before"))] })).status).toBe("ok");
    await command(primary, "WAIT", "1", "2000");

    await command(replica, "REPLICAOF", "NO", "ONE");
    await command(primary, "REPLICAOF", "127.0.0.1", String(replica.port));
    proxy.retarget(replica.port);

    // The first write may still reach the old primary and be refused; later ones reach the new one.
    await until(async () => (await store.save(scope, { turns: [turn(user("after"))] })).status === "ok", 5_000, 100);
    expect(contents((await store.load(scope)).turns)).toEqual(["before", "after"]);
    expect(store.status().state).toBe("ready");
  });
});
