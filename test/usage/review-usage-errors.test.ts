/**
 * `/v1/usage` answers 503 usage_store_unavailable only when the store cannot be read; a failure of
 * the gateway's own code is a 500 internal_error, logged by the app's error handler.
 */
import { Hono } from "hono";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { handleError } from "../../routes/errors.js";
import { parseApiKeys } from "../../src/auth/api-keys.js";
import { usageRoutes } from "../../routes/usage.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import type { UsageStore } from "../../src/usage/store.js";
import { freePort } from "../support/redis-server.js";

const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

function appFor(store: UsageStore) {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.route("/", usageRoutes({ store, auth: { keys: parseApiKeys(undefined) } }));
  return app;
}

describe("review: /v1/usage errors", () => {
  it("is 503 usage_store_unavailable when Redis cannot be reached", async () => {
    const redis = new Redis({ port: await freePort(), host: "127.0.0.1", enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    redis.on("error", () => undefined);
    clients.push(redis);
    const app = appFor(new RedisUsageStore({ redis, prefix: "review:" }));
    for (const path of ["/v1/usage", "/v1/usage/export"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("usage_store_unavailable");
    }
  });

  it("is 500 internal_error when the gateway's own code fails", async () => {
    const store = new MemoryUsageStore();
    store.readBuckets = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'get')");
    };
    store.scanRecords = () => {
      throw new TypeError("scanRecords is broken");
    };
    const app = appFor(store);
    for (const path of ["/v1/usage", "/v1/usage/export"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("internal_error");
    }
  });
});
