/**
 * A replica idle for a tenant admitted its next request on an arbitrarily old spend reading: the
 * guard answered any cached reading at once and only refreshed it in the background, so after
 * replica B spent a deny budget, replica A (last read before, then idle) let the next request
 * through. A reading older than twice the cache TTL is now refreshed before it is answered, bounded
 * by the read timeout (failing open on the last known spend when the read does not come back).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRedisClient, type RedisClient } from "../../src/context/redis-client.js";
import { BudgetGuard } from "../../src/usage/budgets/guard.js";
import { BudgetsFileSchema } from "../../src/usage/budgets/schema.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { makeRecord } from "./fixtures.js";

const policy = BudgetsFileSchema.parse({ version: 1, tenants: { acme: { monthly_usd: 0.01, action: "deny" } } });
const TTL = 1_000;

let server: RedisServer;
let redis: RedisClient;
beforeAll(async () => {
  // A private Redis: the last test freezes it.
  server = await startRedisServer();
  redis = createRedisClient({ kind: "url", url: server.url }, { timeoutMs: 2_000, reconnectMaxDelayMs: 100 });
  redis.on("error", () => {});
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
});
afterAll(async () => {
  server?.process.kill("SIGCONT");
  redis?.disconnect();
  await server?.stop();
});

describe("a replica idle for a tenant while another replica spent its budget", () => {
  const setUp = () => {
    const store = new RedisUsageStore({ redis, prefix: `test:${randomUUID()}:` });
    // Mid-month of the real month: a clock read near a month's end would carry the spend into the next
    // month's (empty) counter as the test advances it; Redis still keeps keys of the real month.
    const today = new Date();
    let clock = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 15, 12);
    const errors: unknown[] = [];
    const guard = new BudgetGuard({ store, policy, cacheTtlMs: TTL, readTimeoutMs: 500, now: () => clock, onError: (e) => errors.push(e) });
    // Replica B's spend reaches the shared counter: $0.0125 of acme's $0.01.
    const spendElsewhere = () => store.append([makeRecord({ tenant: "acme", model: "gpt-4o", promptTokens: 5_000, completionTokens: 0, time: clock })]);
    return { guard, errors, spendElsewhere, advance: (ms: number) => (clock += ms) };
  };

  it("reads the spend again before answering once its reading is older than twice the TTL (a younger one is answered at once)", async () => {
    const { guard, spendElsewhere, advance } = setUp();
    expect(await guard.status("acme")).toMatchObject({ exceeded: false, spentUsd: 0 });
    await spendElsewhere();
    advance(1.5 * TTL);
    // Stale but recent: answered from the cache, refreshed behind (no wait on the request path).
    const refreshing = guard.status("acme");
    expect(await refreshing).toMatchObject({ exceeded: false });
    await vi.waitFor(async () => expect(await guard.status("acme")).toMatchObject({ exceeded: true }), { timeout: 2_000 });

    // Idle for the tenant: this replica's reading ages past two TTLs while the others spend more.
    const idle = setUp();
    expect(await idle.guard.status("acme")).toMatchObject({ exceeded: false });
    await idle.spendElsewhere();
    idle.advance(3 * TTL);
    expect(await idle.guard.status("acme")).toMatchObject({ exceeded: true });
  });

  it("fails open on the last known spend when the read does not come back within the read timeout", async () => {
    const { guard, errors, advance } = setUp();
    await guard.status("acme");
    advance(3 * TTL);
    server.process.kill("SIGSTOP");
    try {
      const started = Date.now();
      expect(await guard.status("acme")).toMatchObject({ exceeded: false, spentUsd: 0 });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(errors).toHaveLength(1);
    } finally {
      server.process.kill("SIGCONT");
    }
  });
});
