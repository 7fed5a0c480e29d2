/**
 * The Redis store behind a real Sentinel deployment (master, replica, sentinel): it finds the master
 * through the sentinels, and when the master dies it answers degraded — promptly, never hanging —
 * until the sentinel has promoted the replica, then serves from the new master without a restart.
 * Then the same deployment speaking only TLS: the sentinels and the master they name are both reached
 * over TLS, trusting the CA that context.yaml names.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadContextConfig, resolveContextConfig } from "../../src/context/config.js";
import { createContextStoreFromConfig } from "../../src/context/create.js";
import type { ContextStore, LoadResult } from "../../src/context/store.js";
import { redisTlsSupport, startRedisSentinel, type RedisSentinelSet } from "../support/redis-server.js";
import { assistant, capturedLog, contents, sleep, turn, user } from "./support.js";
import { createTestCertificates } from "./tls-certificates.js";

const tls = await redisTlsSupport();

const TIMEOUT_MS = 100;
/** The command bound plus scheduling slack on a shared 2-core machine (as in redis-outage.test.ts). */
const WITHIN_MS = TIMEOUT_MS + 150;
/** down-after (1 s) + failover start jitter (≤ 1 s) + promotion, with room for a loaded machine. */
const FAILOVER_DEADLINE_MS = 15_000;

describe("context store on Redis Sentinel", () => {
  let dir: string;
  let sentinel: RedisSentinelSet;
  let store: ContextStore;
  const captured = capturedLog();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-sentinel-"));
    sentinel = await startRedisSentinel(dir);
    const config = resolveContextConfig(
      { SWITCHYARD_CONTEXT_TIMEOUT_MS: String(TIMEOUT_MS) },
      { redis: { reconnect_max_delay_ms: 100, sentinel: { master: sentinel.masterName, nodes: sentinel.sentinels } } },
    );
    expect(config.redis?.target.kind).toBe("sentinel");
    store = createContextStoreFromConfig(config, captured.log);
    expect(await store.ready(5000)).toBe(true);
  });

  afterAll(async () => {
    await store?.close();
    await sentinel?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps serving sessions across a failover: degraded within the time bound while there is no master, then recovered by itself", async () => {
    const before = { tenantId: "acme", sessionId: "before-failover" };
    expect((await store.save(before, { turns: [turn(user("q1")), turn(assistant("a1"))] })).status).toBe("ok");
    expect(contents((await store.load(before)).turns)).toEqual(["q1", "a1"]);

    // Replication is asynchronous: only a write the replica acknowledged survives a failover.
    const admin = new Redis(sentinel.master.port, { lazyConnect: true });
    try {
      await admin.connect();
      expect(await admin.call("WAIT", "1", "2000")).toBe(1);
    } finally {
      admin.disconnect();
    }

    await sentinel.master.stop();
    const started = Date.now();
    const degraded: Extract<LoadResult, { status: "degraded" }>[] = [];
    let recovered: LoadResult | undefined;
    while (!recovered) {
      expect(Date.now() - started, "the store did not recover from the failover in time").toBeLessThan(FAILOVER_DEADLINE_MS);
      const callStarted = performance.now();
      const loaded = await store.load(before);
      expect(performance.now() - callStarted).toBeLessThan(WITHIN_MS);
      if (loaded.status === "ok") recovered = loaded;
      else {
        degraded.push(loaded);
        await sleep(50);
      }
    }

    expect(degraded.length).toBeGreaterThan(0);
    expect(degraded.every((l) => l.reason === "unavailable" && l.turns.length === 0)).toBe(true);
    await sentinel.waitForMaster(sentinel.replica.port, 1000);
    expect(contents(recovered.turns)).toEqual(["q1", "a1"]);

    const after = { tenantId: "acme", sessionId: "after-failover" };
    expect((await store.save(after, { turns: [turn(user("q2"))] })).status).toBe("ok");
    expect((await store.save(after, { turns: [turn(assistant("a2"))] })).status).toBe("ok");
    expect(contents((await store.load(after)).turns)).toEqual(["q2", "a2"]);
    expect(store.status()).toMatchObject({ state: "ready", counters: { degradedLoads: degraded.length } });

    const messages = captured.lines().map((l) => l.msg);
    const wentDown = messages.indexOf("context store degraded: requests continue without stored context");
    expect(wentDown).toBeGreaterThan(-1);
    expect(messages.lastIndexOf("context store connected")).toBeGreaterThan(wentDown);
  });
});

describe.skipIf(!tls.supported)(`context store on Redis Sentinel over TLS${tls.supported ? "" : ` (skipped: ${tls.why})`}`, () => {
  let dir: string;
  let sentinel: RedisSentinelSet;
  let store: ContextStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-sentinel-tls-"));
    const certs = await createTestCertificates(dir);
    sentinel = await startRedisSentinel(dir, { tls: { ...certs.server, caFile: certs.caFile } });
    const nodes = sentinel.sentinels.map((n) => `      - { host: ${n.host}, port: ${n.port} }`).join("\n");
    await writeFile(join(dir, "context.yaml"), `redis:\n  tls:\n    ca_file: ca.crt\n  sentinel:\n    master: ${sentinel.masterName}\n    nodes:\n${nodes}\n`);
    store = createContextStoreFromConfig(await loadContextConfig({}, dir), pino({ level: "silent" }));
  });

  afterAll(async () => {
    await store?.close();
    await sentinel?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("finds the master through TLS-only sentinels and serves sessions from it over TLS", async () => {
    expect(await store.ready(5000)).toBe(true);
    const scope = { tenantId: "acme", sessionId: "sentinel-tls" };
    expect((await store.save(scope, { turns: [turn(user("q")), turn(assistant("a"))] })).status).toBe("ok");
    expect(contents((await store.load(scope)).turns)).toEqual(["q", "a"]);
  });
});
