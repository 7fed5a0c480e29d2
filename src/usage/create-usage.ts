/**
 * Builds the usage stage from configuration: the store (Redis when a client is given, else in
 * memory), the background recorder, the budget guard and the accounting facade the pipeline calls,
 * wired so the guard knows which recorded spend has reached the store.
 */
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import type { ProviderConfig } from "../config/models-schema.js";
import type { ModelRegistry } from "../models/registry.js";
import { createUsageAccounting, type UsageAccounting } from "./accounting.js";
import { BudgetGuard } from "./budgets/guard.js";
import type { BudgetPolicy } from "./budgets/schema.js";
import { createCostModel, type CostModel } from "./cost.js";
import { MemoryUsageStore } from "./memory-store.js";
import type { Metrics } from "./metrics.js";
import { UsageRecorder, UsageRecordsLostError } from "./recorder.js";
import { RedisUsageStore } from "./redis-store.js";
import type { UsageStore } from "./store.js";

export interface UsageOptions {
  registry: ModelRegistry;
  providers: Readonly<Record<string, ProviderConfig>>;
  budgetPolicy: BudgetPolicy;
  log: Logger;
  /** Shared usage across replicas; without it usage lives in this process. */
  redis?: Redis | Cluster;
  /** A ready store instead of one built from `redis` (tests, custom backends). */
  store?: UsageStore;
  /** Redis key prefix (default `switchyard:`). */
  redisPrefix?: string;
  metrics?: Metrics;
  /** Recorder tuning (buffer size, batch size, flush interval). */
  recorder?: { maxBuffered?: number; batchSize?: number; flushIntervalMs?: number };
  budgetCacheTtlMs?: number;
  now?: () => number;
}

export interface Usage {
  store: UsageStore;
  recorder: UsageRecorder;
  budgets: BudgetGuard;
  costs: CostModel;
  accounting: UsageAccounting;
  /**
   * Writes what is still buffered, retrying until `deadlineAt` (epoch ms; default: one attempt) while
   * the store is down; logs (never throws) and counts as dropped what could not be written by then.
   */
  close(options?: { deadlineAt?: number }): Promise<void>;
}

export function createUsage(options: UsageOptions): Usage {
  const { log } = options;
  const usageLog = log.child({ component: "usage" });
  const store: UsageStore = options.store
    ? options.store
    : options.redis
    ? new RedisUsageStore({
        redis: options.redis,
        ...(options.redisPrefix === undefined ? {} : { prefix: options.redisPrefix }),
        onInvalidRecord: (id, problem) => usageLog.warn({ entryId: id, problem }, "skipped a usage stream entry that is not a valid record"),
        onPartialWrite: (err, failed) => usageLog.error({ err, failed }, "Redis applied a usage batch except some commands; those counters are short"),
      })
    : new MemoryUsageStore(options.now ? { now: options.now } : {});
  const costs = createCostModel(options.registry, options.providers);
  if (costs.unpriced.length > 0) usageLog.warn({ models: costs.unpriced }, "models without a price in models.yaml are recorded at $0");
  if (costs.baselineModel === undefined) usageLog.warn("no baseline model (defaults.baseline): savings are reported as $0");
  const budgets = new BudgetGuard({
    store,
    policy: options.budgetPolicy,
    ...(options.budgetCacheTtlMs === undefined ? {} : { cacheTtlMs: options.budgetCacheTtlMs }),
    ...(options.now ? { now: options.now } : {}),
    onError: (err, tenant) => usageLog.warn({ err, tenant }, "could not read a tenant's spend; deciding on the last known value"),
  });
  const recorder = new UsageRecorder({
    store,
    ...options.recorder,
    onWritten: (records) => {
      for (const r of records) budgets.noteWritten(r.tenant, r.costUsd, r.time);
    },
    onError: (err, stats) => usageLog.error({ err, buffered: stats.buffered, dropped: stats.dropped }, "usage store write failed; retrying"),
  });
  const accounting = createUsageAccounting({
    costs,
    recorder,
    budgets,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    store,
    recorder,
    budgets,
    costs,
    accounting,
    async close(closeOptions = {}) {
      try {
        await recorder.close(closeOptions);
      } catch (err) {
        const lost = err instanceof UsageRecordsLostError ? err.lost : recorder.stats().buffered;
        usageLog.error({ err, lost }, "usage records could not be written before shutdown");
      }
    },
  };
}
