/**
 * The gateway's Prometheus metrics, in a registry of their own (never prom-client's global one, so two
 * gateways in one process — tests, benchmarks — never share counters). The pipeline calls the typed
 * methods; gauges of other components' state are read through callbacks at scrape time.
 *
 * Labels are bounded: route, model (from models.yaml), status, PII type/action. Tenants are not a
 * label: their number is unbounded and `/metrics` is not tenant-scoped (per-tenant usage is
 * `/v1/usage`'s job).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ContextStoreStatus } from "../context/store.js";
import { LATENCY_BOUNDS_MS, NONE } from "./aggregate.js";
import type { RecorderStats } from "./recorder.js";
import type { UsageRecord } from "./record.js";

export interface MetricsOptions {
  /** Prefix of every metric name. */
  prefix?: string;
  /** Node process metrics (CPU, memory, event-loop lag). */
  processMetrics?: boolean;
  /** Requests waiting for a local generation slot, per provider id. */
  localQueueDepth?: () => Record<string, number>;
  /**
   * Whether the usage store's Redis is connected and answered its last health check, and (Redis
   * Cluster) every master answered the context store's.
   */
  redisUp?: () => boolean;
  /** The usage recorder's buffer and loss counters. */
  usageRecorder?: () => RecorderStats;
  /** The routing policy version in force (hot reloads change it). */
  policyVersion?: () => string;
  /** Each server of each provider that is a pool (`base_urls`), per provider id. */
  poolServers?: () => Record<string, readonly PoolServer[]>;
  /** The conversation context store's state and running totals (`ContextStore.status()`). */
  contextStore?: () => Pick<ContextStoreStatus, "state" | "counters">;
}

/** A pool server as the metrics read it (`PoolServerState` of src/providers/cloud/server-pool.ts). */
interface PoolServer {
  /** Without credentials: a label. */
  url: string;
  inFlight: number;
  /** Present while it is ejected. */
  ejectedForMs?: number;
  /** Since start. */
  ejections: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** One finished request (success or failure): counts, tokens, money, latency, PII actions. */
  observeRequest(record: UsageRecord): void;
  /** One classifier call. */
  observeClassifier(ms: number, classifier?: string): void;
  /** A policy file failed to (re)load; the previous policy stays in force. */
  policyReloadFailed(policy: string): void;
  /** A request whose tenant had spent its budget: forced local, or denied. */
  budgetEnforced(action: "force_local" | "deny"): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

const LATENCY_BUCKETS_S = LATENCY_BOUNDS_MS.map((ms) => ms / 1000);
const CLASSIFIER_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * @example
 * const metrics = createMetrics({ localQueueDepth: () => ({ local: provider.status().queueDepth ?? 0 }) });
 * metrics.observeRequest(record);
 * app.route("/", metricsRoutes({ metrics }));
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const prefix = options.prefix ?? "switchyard_";
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });

  const requests = new Counter({ name: `${prefix}requests_total`, help: "Chat requests finished, by route, model and HTTP status.", labelNames: ["route", "model", "status"], registers });
  const fallbacks = new Counter({ name: `${prefix}fallbacks_total`, help: "Requests answered (or tried) by a second target after the first failed.", labelNames: ["route", "model"], registers });
  const tokens = new Counter({ name: `${prefix}tokens_total`, help: "Tokens processed, by route, model and kind (prompt or completion).", labelNames: ["route", "model", "kind"], registers });
  // Cached tokens are a part of the prompt tokens, not a third kind beside them: a `kind` of their own
  // would count them twice in every sum over kinds, so they have a counter of their own.
  const cachedTokens = new Counter({
    name: `${prefix}cached_prompt_tokens_total`,
    help: "Prompt tokens the upstream served from its prompt cache (billed at the cached-input price), by route and model.",
    labelNames: ["route", "model"],
    registers,
  });
  const cost = new Counter({ name: `${prefix}cost_usd_total`, help: "What requests cost, in USD, from the prices in models.yaml.", labelNames: ["route", "model"], registers });
  const baseline = new Counter({ name: `${prefix}baseline_cost_usd_total`, help: "What the baseline cloud model would have charged for the same tokens, in USD.", labelNames: ["route", "model"], registers });
  // Savings can be negative per request, so they are a gauge that only ever has amounts added.
  const savings = new Gauge({ name: `${prefix}savings_usd`, help: "Baseline cost minus cost, in USD, summed since start.", labelNames: ["route", "model"], registers });
  const duration = new Histogram({ name: `${prefix}request_duration_seconds`, help: "Total request latency.", labelNames: ["route", "model"], buckets: LATENCY_BUCKETS_S, registers });
  const ttft = new Histogram({ name: `${prefix}time_to_first_token_seconds`, help: "Time from request to first generated token.", labelNames: ["route", "model"], buckets: LATENCY_BUCKETS_S, registers });
  const classifier = new Histogram({ name: `${prefix}classifier_duration_seconds`, help: "Intent classifier latency.", labelNames: ["classifier"], buckets: CLASSIFIER_BUCKETS_S, registers });
  const pii = new Counter({ name: `${prefix}pii_actions_total`, help: "PII entities acted on, by entity type and action.", labelNames: ["type", "action"], registers });
  const policyReloads = new Counter({ name: `${prefix}policy_reload_failures_total`, help: "Policy file (re)loads that failed; the previous policy stayed in force.", labelNames: ["policy"], registers });
  const budgets = new Counter({ name: `${prefix}budget_enforcements_total`, help: "Requests of tenants over budget, by the action taken.", labelNames: ["action"], registers });

  const { localQueueDepth, redisUp, usageRecorder, policyVersion, poolServers, contextStore } = options;
  if (policyVersion) {
    // The info-metric idiom: one series whose label is the version, so dashboards and alerts can
    // tell which replicas run which policy, and when a reload took effect.
    new Gauge({
      name: `${prefix}policy_info`,
      help: "1, labelled with the routing policy version in force.",
      labelNames: ["version"],
      registers,
      collect() {
        this.reset();
        this.set({ version: policyVersion() }, 1);
      },
    });
  }
  if (localQueueDepth) {
    new Gauge({
      name: `${prefix}local_queue_depth`,
      help: "Requests waiting for a local generation slot.",
      labelNames: ["provider"],
      registers,
      collect() {
        this.reset();
        for (const [provider, depth] of Object.entries(localQueueDepth())) this.set({ provider }, depth);
      },
    });
  }
  if (poolServers) {
    // Labels are bounded: the servers listed in models.yaml.
    const eachServer = (read: (server: PoolServer) => number) =>
      function (this: Gauge) {
        this.reset();
        for (const [provider, servers] of Object.entries(poolServers())) {
          for (const server of servers) this.set({ provider, server: server.url }, read(server));
        }
      };
    const labelNames = ["provider", "server"];
    new Gauge({ name: `${prefix}pool_server_in_flight`, help: "Requests in flight on each server of a provider's pool (base_urls).", labelNames, registers, collect: eachServer((s) => s.inFlight) });
    new Gauge({ name: `${prefix}pool_server_up`, help: "1 while a pool server takes requests, 0 while it is ejected for its cool-down.", labelNames, registers, collect: eachServer((s) => (s.ejectedForMs === undefined ? 1 : 0)) });
    // The pool keeps running totals: a gauge's value would do, but a counter is what rate() expects.
    const seen = new Map<string, number>();
    new Counter({
      name: `${prefix}pool_server_ejections_total`,
      help: "Times a pool server was ejected after failing an attempt (connection error, timeout, 5xx).",
      labelNames,
      registers,
      collect() {
        for (const [provider, servers] of Object.entries(poolServers())) {
          for (const server of servers) {
            const key = `${provider}\n${server.url}`;
            const before = seen.get(key) ?? 0;
            // Every series exists from the start, at 0, so an alert on its increase sees the first ejection.
            this.inc({ provider, server: server.url }, server.ejections - before);
            seen.set(key, server.ejections);
          }
        }
      },
    });
  }
  // Values kept elsewhere, read at scrape time: a gauge shows the current one; a counter collected from
  // a running total adds what is new since the last scrape.
  const currentGauge = (name: string, help: string, read: () => number) => {
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  };
  const totalCounter = (name: string, help: string, read: () => number) => {
    let seen = 0;
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        const total = read();
        if (total > seen) this.inc(total - seen);
        seen = total;
      },
    });
  };
  if (redisUp) currentGauge("redis_up", "1 while the usage store's Redis connection is up and answers its health check (on a Cluster: and every master answers the context store's), else 0.", () => (redisUp() ? 1 : 0));
  if (usageRecorder) {
    currentGauge("usage_records_buffered", "Usage records waiting to be written to the usage store.", () => usageRecorder().buffered);
    totalCounter("usage_records_dropped_total", "Usage records lost because the usage store was unreachable and the buffer was full.", () => usageRecorder().dropped);
    totalCounter("usage_store_write_failures_total", "Usage batches the store refused or could not be reached for (they are retried).", () => usageRecorder().failedWrites);
  }
  if (contextStore) {
    currentGauge(
      "context_up",
      "1 while the conversation context store serves loads and saves, 0 while it is degraded (requests go on without stored context).",
      () => (contextStore().state === "ready" ? 1 : 0),
    );
    const counters = () => contextStore().counters;
    totalCounter("context_loads_total", "Session loads tried (requests with x-session-id, GET /v1/sessions/{id}; not dry runs).", () => counters().loads);
    totalCounter("context_read_only_loads_total", "Session reads by dry runs (POST /v1/route with x-session-id), degraded or not; in no other context counter.", () => counters().readOnlyLoads);
    totalCounter("context_saves_total", "Session writes tried (a turn, with the instructions and state it changed).", () => counters().saves);
    totalCounter("context_degraded_loads_total", "Session loads that went on without stored context (store unreachable, slow or unreadable; not dry runs).", () => counters().degradedLoads);
    totalCounter("context_degraded_saves_total", "Session writes that did not store everything: the store unreachable, slow or failing, or a turn over the size limit.", () => counters().degradedSaves);
    totalCounter("context_trimmed_turns_total", "Stored turns dropped to keep sessions within max_turns and max_bytes.", () => counters().trimmedTurns);
    totalCounter(
      "context_evicted_sessions_total",
      "Sessions whose state Redis evicted while their turns stayed (a maxmemory-policy other than noeviction); their turns were dropped.",
      () => counters().evictedSessions,
    );
  }

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(record) {
      const labels = { route: record.route ?? NONE, model: record.model ?? NONE };
      requests.inc({ ...labels, status: String(record.status) });
      if (record.fallback) fallbacks.inc(labels);
      if (record.promptTokens > 0) tokens.inc({ ...labels, kind: "prompt" }, record.promptTokens);
      if (record.completionTokens > 0) tokens.inc({ ...labels, kind: "completion" }, record.completionTokens);
      if (record.cachedPromptTokens > 0) cachedTokens.inc(labels, record.cachedPromptTokens);
      cost.inc(labels, record.costUsd);
      baseline.inc(labels, record.baselineCostUsd);
      savings.inc(labels, record.savingsUsd);
      duration.observe(labels, record.totalMs / 1000);
      if (record.ttftMs !== null) ttft.observe(labels, record.ttftMs / 1000);
      for (const entry of record.pii) pii.inc({ type: entry.type, action: entry.action }, entry.count);
    },
    observeClassifier(ms, name = "default") {
      classifier.observe({ classifier: name }, ms / 1000);
    },
    policyReloadFailed(policy) {
      policyReloads.inc({ policy });
    },
    budgetEnforced(action) {
      budgets.inc({ action });
    },
    render: () => registry.metrics(),
  };
}
