/**
 * Gives the suite a real Redis without relying on the machine's: with REDIS_URL unset, start a private
 * `redis-server` on a free loopback port for the run and stop it afterwards.
 */
import type { TestProject } from "vitest/node";
import type {} from "vitest";
import { startRedisServer, type RedisServer } from "./redis-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let redis: RedisServer | undefined;
  let url = process.env.REDIS_URL;
  if (!url) {
    redis = await startRedisServer();
    url = redis.url;
  }
  project.provide("redisUrl", url);
  return async () => {
    await redis?.stop();
  };
}
