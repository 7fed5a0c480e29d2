/**
 * A usage test's own key space on the test run's Redis: a random prefix, and every key under it
 * deleted after the file's tests.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, inject } from "vitest";

/** @example const { redis, prefix } = usageRedisScope(); new RedisUsageStore({ redis, prefix }); */
export function usageRedisScope(): { redis: Redis; prefix: string } {
  const prefix = `test:${randomUUID()}:`;
  const redis = new Redis(inject("redisUrl"));
  afterAll(async () => {
    const keys = await redis.keys(`{${prefix}usage}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return { redis, prefix };
}
