/**
 * The Redis store on a real (three-master) Redis Cluster: a session's keys share one hash slot, so
 * the load and save scripts run unchanged, and sessions spread over the masters. Then the same
 * cluster speaking only TLS (clients and cluster bus): every node is reached over TLS, trusting the
 * CA that context.yaml names, and a CA that did not sign the nodes' certificates fails closed.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, type RedisOptions } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadContextConfig, resolveContextConfig } from "../../src/context/config.js";
import { createContextStoreFromConfig } from "../../src/context/create.js";
import type { ContextStore } from "../../src/context/store.js";
import { redisTlsSupport, startRedisCluster, type RedisCluster } from "../support/redis-server.js";
import { assistant, capturedLog, contents, expectFailsClosed, turn, user } from "./support.js";
import { createTestCertificates, type TestCertificates } from "./tls-certificates.js";

const tls = await redisTlsSupport();

/**
 * Thirty sessions of three tenants (keys in many hash slots) save and load back, one is erased (and a
 * save that loaded before stores nothing), and their keys sit on more than one master. `redisOptions` reach the nodes directly, to count the keys.
 */
async function expectSessionsOnEveryMaster(store: ContextStore, cluster: RedisCluster, redisOptions: RedisOptions = {}): Promise<void> {
  const sessions = Array.from({ length: 30 }, (_, i) => ({ tenantId: `tenant-${i % 3}`, sessionId: `chat-${i}` }));
  await Promise.all(sessions.map((scope) => store.save(scope, { turns: [turn(user(`q ${scope.sessionId}`)), turn(assistant("a"))], state: { n: 1 } })));
  for (const scope of sessions) {
    const loaded = await store.load(scope);
    expect(loaded.status).toBe("ok");
    expect(contents(loaded.turns)).toEqual([`q ${scope.sessionId}`, "a"]);
  }
  const inFlight = await store.load(sessions[0]!);
  expect(await store.erase(sessions[0]!)).toEqual({ status: "erased" });
  expect((await store.load(sessions[0]!)).exists).toBe(false);
  // The erasure mark shares the session's slot: a request that loaded before the erasure stores nothing.
  expect(await store.save(sessions[0]!, { turns: [turn(user("late"))], ifEpoch: inFlight.epoch })).toEqual({ status: "erased" });
  expect((await store.load(sessions[0]!)).exists).toBe(false);

  const admin = new Cluster(cluster.nodes, { redisOptions });
  try {
    await new Promise((resolve) => admin.once("ready", resolve));
    const perMaster = await Promise.all(admin.nodes("master").map((node) => node.dbsize()));
    expect(perMaster.filter((n) => n > 0).length).toBeGreaterThan(1);
  } finally {
    admin.disconnect();
  }
}

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
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("saves, loads and erases sessions spread over every master", async () => {
    await expectSessionsOnEveryMaster(store, cluster);
  });
});

describe.skipIf(!tls.supported)(`context store on Redis Cluster over TLS${tls.supported ? "" : ` (skipped: ${tls.why})`}`, () => {
  let dir: string;
  let certs: TestCertificates;
  let cluster: RedisCluster;
  /** Trusts the private CA that signed the nodes' certificates. */
  let trusting: ContextStore;
  const stores: ContextStore[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-cluster-tls-"));
    certs = await createTestCertificates(dir);
    cluster = await startRedisCluster(dir, { tls: { ...certs.server, caFile: certs.caFile } });
    trusting = (await storeTrusting(certs.caFile)).store;
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The production path: a policy folder whose context.yaml names the cluster's nodes and `caFile` to trust. */
  async function storeTrusting(caFile: string) {
    const policyDir = await mkdtemp(join(dir, "policies-"));
    const nodes = cluster.nodes.map((n) => `      - { host: ${n.host}, port: ${n.port} }`).join("\n");
    await writeFile(join(policyDir, "context.yaml"), `redis:\n  tls:\n    ca_file: ${caFile}\n  cluster:\n    nodes:\n${nodes}\n`);
    const config = await loadContextConfig({ SWITCHYARD_CONTEXT_TIMEOUT_MS: "200" }, policyDir);
    expect(config.redis?.target).toMatchObject({ kind: "cluster", tls: { ca: expect.any(Buffer) } });
    const captured = capturedLog();
    const store = createContextStoreFromConfig(config, captured.log);
    stores.push(store);
    return { store, captured };
  }

  it("serves sessions spread over every master of a TLS-only cluster when context.yaml names the private CA", async () => {
    expect(await trusting.ready(10_000)).toBe(true);
    await expectSessionsOnEveryMaster(trusting, cluster, { tls: { ca: await readFile(certs.caFile) } });
  });

  it("fails closed when the nodes' certificates are not signed by the CA context.yaml names: degraded, nothing stored", async () => {
    const scope = { tenantId: "acme", sessionId: "wrong-ca" };
    const { store, captured } = await storeTrusting(certs.otherCaFile);
    // ioredis drops the node's own error (the certificate it could not verify): the log names only the cluster's.
    await expectFailsClosed(store, captured, scope, /Failed to refresh slots cache/);
    expect(await trusting.ready(10_000)).toBe(true);
    expect(await trusting.load(scope)).toMatchObject({ status: "ok", exists: false });
  });
});
