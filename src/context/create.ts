/**
 * Builds the context store the configuration asks for: Redis when `REDIS_URL` (or a Sentinel or
 * Cluster topology in `context.yaml`) is set, the bounded in-memory store otherwise.
 */
import type { Logger } from "pino";
import { createCipher } from "./cipher.js";
import type { ContextConfig } from "./config.js";
import { createMemoryBackend } from "./memory-backend.js";
import { createRedisBackend } from "./redis-backend.js";
import { createRedisClient } from "./redis-client.js";
import { createContextStore, type ContextStore } from "./store.js";
import { createTurnCodec } from "./turn-codec.js";

/**
 * @example
 * const store = createContextStoreFromConfig(await loadContextConfig(process.env, config.policyDir), log);
 * await store.ready(2000);
 */
export function createContextStoreFromConfig(config: ContextConfig, log: Logger): ContextStore {
  const codec = createTurnCodec(config.encryption ? createCipher(config.encryption.current, config.encryption.previous) : undefined);
  const backend = config.redis
    ? createRedisBackend({
        client: createRedisClient(config.redis.target, { timeoutMs: config.timeoutMs, reconnectMaxDelayMs: config.redis.reconnectMaxDelayMs, connectionName: "switchyard-context" }),
        limits: config.limits,
        healthCheckMs: config.redis.healthCheckMs,
        probeKey: `${config.keyPrefix}health-probe`,
      })
    : createMemoryBackend({ limits: config.limits, maxSessions: config.memoryMaxSessions, maxBytes: config.memoryMaxBytes });
  const storeLog = log.child({ component: "context" });
  storeLog.info(
    { backend: backend.kind, topology: config.redis?.target.kind, encrypted: config.encryption !== undefined, ...config.limits, timeoutMs: config.timeoutMs },
    "conversation context store",
  );
  return createContextStore({ backend, codec, keyPrefix: config.keyPrefix, maxBytes: config.limits.maxBytes, log: storeLog });
}
